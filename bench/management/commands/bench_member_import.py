"""Time a member import of N rows (read, preview, apply) and its peak memory; print JSON.

The list is a GBK CSV such as Chinese Excel saves, N new companies with a
contact and a seat each, made here. The import runs in a transaction that is
rolled back, so the benchmark's database is left as it was. Run at two sizes,
the peak memory says whether it stays flat in the number of rows.
"""

import csv
import io
import json
import time
import tracemalloc

from django.core.management.base import BaseCommand
from django.db import transaction

from members.credit_code import check_character
from members.importing import MEMBER_COLUMNS, import_apply, import_preview, read_rows
from members.models import IndustrySegment

CITIES = ("杭州市", "宁波市", "温州市", "嘉兴市", "湖州市", "绍兴市", "金华市", "台州市")


class Rollback(Exception):
    pass


def member_list(rows: int) -> bytes:
    industry = IndustrySegment.objects.values_list("name", flat=True).first() or ""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(MEMBER_COLUMNS)
    column = {name: index for index, name in enumerate(MEMBER_COLUMNS)}
    for n in range(rows):
        first17 = f"91339900BM{n:07d}"
        row = [""] * len(MEMBER_COLUMNS)
        row[column["单位名称"]] = f"浙江基准导入{n:05d}号仪表有限公司"
        row[column["统一社会信用代码"]] = first17 + check_character(first17)
        row[column["城市"]] = CITIES[n % len(CITIES)]
        row[column["行业"]] = industry
        row[column["地址"]] = f"浙江省示范路{n}号"
        row[column["届内职务"]] = "会员单位"
        row[column["联系人"]] = "联络员"
        row[column["手机"]] = f"139{n:08d}"
        row[column["联系人邮箱"]] = f"bench-import-{n}@example.com"
        writer.writerow(row)
    return out.getvalue().encode("gbk")


def measure(rows: int) -> dict:
    data = member_list(rows)
    tracemalloc.start()
    started = time.perf_counter()
    parsed = read_rows(data)
    read_s = time.perf_counter() - started
    preview = import_preview(parsed)
    preview_s = time.perf_counter() - started - read_s
    try:
        with transaction.atomic():
            result = import_apply(preview, by=None)
            apply_s = time.perf_counter() - started - read_s - preview_s
            raise Rollback
    except Rollback:
        pass
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "rows": rows,
        "file_kb": round(len(data) / 1024),
        "read_s": round(read_s, 2),
        "preview_s": round(preview_s, 2),
        "apply_s": round(apply_s, 2),
        "total_s": round(read_s + preview_s + apply_s, 2),
        "created": result.created,
        "errors": len(preview.errors),
        "peak_memory_mb": round(peak / 1024 / 1024, 1),
    }


class Command(BaseCommand):
    help = "Time a member import (read, preview, apply, rolled back) at one or more sizes."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, nargs="+", default=[500, 5000])
        parser.add_argument("--output", help="write the results, as JSON, to this file")

    def handle(self, *args, rows: list[int], output: str | None, **options):
        results = json.dumps({"runs": [measure(count) for count in rows]})
        if output:
            with open(output, "w", encoding="utf-8") as file:
                file.write(results)
        else:
            self.stdout.write(results)
