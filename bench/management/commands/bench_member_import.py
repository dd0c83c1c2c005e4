"""Time a member import of N rows (read, preview, apply) and its peak memory; print JSON.

The list is a GBK CSV such as Chinese Excel saves (or, with ``--format xlsx``,
a workbook), N new companies with a contact and a seat each, made here and
written to a temporary file: the importer reads it from disk, as the admin
and ``import_members`` do, so the file's bytes are not the importer's memory.
The import runs in a transaction that is rolled back, so the benchmark's
database is left as it was.

Each size is run twice: once for the times, without tracing (tracemalloc
slows Python's allocations down several times), and once under tracemalloc
for the peak memory (``peak_memory_mb``, and ``traced_total_s`` for the times
under it). A small import runs first, unmeasured, so that what Python and
Django load once (modules, catalogues, compiled patterns) is not counted at
the first size. DEBUG is off while measuring: Django's query log would
otherwise keep every query's SQL. Run at two sizes, the peak memory says
whether it stays flat in the number of rows.
"""

import csv
import json
import tempfile
import time
import tracemalloc
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from openpyxl import Workbook

from members.credit_code import check_character
from members.importing import (
    MAX_ROWS,
    MEMBER_COLUMNS,
    import_apply,
    import_preview,
    member_list,
)
from members.models import IndustrySegment

CITIES = ("杭州市", "宁波市", "温州市", "嘉兴市", "湖州市", "绍兴市", "金华市", "台州市")
WARM_UP_ROWS = 20


class Rollback(Exception):
    pass


def member_rows(rows: int):
    industry = IndustrySegment.objects.values_list("name", flat=True).first() or ""
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
        yield row


def write_member_list(path: Path, rows: int, file_format: str) -> None:
    if file_format == "xlsx":
        book = Workbook(write_only=True)
        sheet = book.create_sheet("会员名单")
        sheet.append(MEMBER_COLUMNS)
        for row in member_rows(rows):
            sheet.append(row)
        book.save(path)
        return
    with path.open("w", encoding="gbk", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(MEMBER_COLUMNS)
        writer.writerows(member_rows(rows))


def run(path: Path, *, traced: bool) -> dict:
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    source = member_list(path)
    read_s = time.perf_counter() - started
    preview = import_preview(source)
    preview_s = time.perf_counter() - started - read_s
    try:
        with transaction.atomic():
            result = import_apply(preview, by=None)
            apply_s = time.perf_counter() - started - read_s - preview_s
            raise Rollback
    except Rollback:
        pass
    peak = tracemalloc.get_traced_memory()[1] if traced else 0
    if traced:
        tracemalloc.stop()
    return {
        "read_s": round(read_s, 2),
        "preview_s": round(preview_s, 2),
        "apply_s": round(apply_s, 2),
        "total_s": round(read_s + preview_s + apply_s, 2),
        "created": result.created,
        "errors": preview.error_count,
        "peak_memory_mb": round(peak / 1024 / 1024, 1),
    }


def measure(rows: int, file_format: str, directory: Path) -> dict:
    path = directory / f"members-{rows}.{file_format}"
    write_member_list(path, rows, file_format)
    file_kb = round(path.stat().st_size / 1024)
    timed = run(path, traced=False)
    traced = run(path, traced=True)
    path.unlink()
    return {
        "rows": rows,
        "format": file_format,
        "file_kb": file_kb,
        **{key: timed[key] for key in ("read_s", "preview_s", "apply_s", "total_s")},
        "created": timed["created"],
        "errors": timed["errors"],
        "peak_memory_mb": traced["peak_memory_mb"],
        "traced_total_s": traced["total_s"],
    }


class Command(BaseCommand):
    help = "Time a member import (read, preview, apply, rolled back) at one or more sizes."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, nargs="+", default=[500, 5000])
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--output", help="write the results, as JSON, to this file")

    def handle(self, *args, rows: list[int], output: str | None, **options):
        if any(not 0 < count <= MAX_ROWS for count in rows):
            raise CommandError(f"--rows: from 1 to {MAX_ROWS} (the importer's MAX_ROWS)")
        runs = []
        with override_settings(DEBUG=False), tempfile.TemporaryDirectory() as directory:
            directory = Path(directory)
            measure(WARM_UP_ROWS, options["format"], directory)
            for count in rows:
                runs.append(measure(count, options["format"], directory))
                self.stderr.write(json.dumps(runs[-1]))
        results = json.dumps({"runs": runs})
        if output:
            with open(output, "w", encoding="utf-8") as file:
                file.write(results)
        else:
            self.stdout.write(results)
