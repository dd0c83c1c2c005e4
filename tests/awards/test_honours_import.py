"""Importing honours from a list like the government's (awards.importing)."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import Workbook

from awards.importing import (
    HONOUR_COLUMNS,
    honours_apply,
    honours_preview,
    read_honour_rows,
)
from awards.models import Award, Honour
from members.credit_code import check_character
from members.importing import ImportFileError, ImportRefused, RowStatus
from members.models import Company

HEADERS = ["序号", "奖项", "年份", "单位名称", "统一社会信用代码", "等级", "文号", "项目名称"]
DOCUMENT = "国知发运函字〔2022〕160号"
KNOWN_AWARDS = ("国家知识产权示范企业", "浙江省优秀工业产品")
NEW_AWARD = "浙江省科学技术进步奖"


def code(index: int) -> str:
    first17 = f"91330106MA2H{index:05d}"
    return first17 + check_character(first17)


def company_name(index: int) -> str:
    return f"浙江测试仪器{index:03d}有限公司"


@pytest.fixture
def members(db):
    Company.objects.bulk_create(
        Company(name=company_name(i), credit_code=code(i), short_name=f"测试{i:03d}")
        for i in range(100)
    )
    Award.objects.create(name=KNOWN_AWARDS[0], issuer="国家知识产权局", level="national", kind="ip")
    Award.objects.create(
        name=KNOWN_AWARDS[1], issuer="浙江省企业联合会", level="provincial", kind="product"
    )


def honour_cells(index: int) -> list:
    """Row ``index`` of a list: the awards in turn, a credit code on every other row."""
    award = (*KNOWN_AWARDS, NEW_AWARD)[index % 3]
    return [
        index + 1,
        award,
        2022,
        company_name(index),
        code(index) if index % 2 else "",
        "一等奖" if award == NEW_AWARD else "",
        DOCUMENT if award == KNOWN_AWARDS[0] else "",
        f"智能仪表{index}" if award != KNOWN_AWARDS[0] else "",
    ]


def honour_list(count: int, *, unknown: int = 0, duplicate: bool = False) -> list[list]:
    """``count`` rows: the last ``unknown`` for companies that are not members, and the very
    last a copy of the first when ``duplicate``."""
    rows = [honour_cells(i) for i in range(count)]
    for k in range(unknown):
        rows[count - 1 - duplicate - k][3] = f"不存在的公司{k}"
        rows[count - 1 - duplicate - k][4] = ""
    if duplicate:
        rows[-1] = [count, *rows[0][1:]]
    return rows


def gbk_csv(rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["2022年度获奖单位名单"])
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return out.getvalue().encode("gbk")


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["2022年度获奖单位名单"])
    sheet.append(HEADERS)
    for row in rows:
        sheet.append([cell if cell != "" else None for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def stored() -> set[tuple]:
    return set(
        Honour.objects.values_list(
            "award__name", "year", "company__name", "project", "grade", "document_number"
        )
    )


def expected(rows: list[list]) -> set[tuple]:
    return {(r[1], r[2], r[3], r[7], r[5], r[6]) for r in rows}


WRITERS = pytest.mark.parametrize("write", [gbk_csv, xlsx], ids=["gbk-csv", "xlsx"])


def test_columns():
    assert HONOUR_COLUMNS == (
        "奖项",
        "年份",
        "单位名称",
        "统一社会信用代码",
        "等级",
        "文号",
        "项目名称",
    )


@WRITERS
def test_unknown_companies_and_a_duplicate_are_errors_and_nothing_is_written(members, write):
    rows = read_honour_rows(write(honour_list(30, unknown=2, duplicate=True)))
    assert [row.row for row in rows] == list(range(3, 33))
    with translation.override("zh-hans"):
        preview = honours_preview(rows)
    assert preview.created == 26
    assert preview.unchanged == 0
    errors = sorted((e.row, e.column, e.message) for e in preview.errors)
    assert errors == [
        (3, "奖项", "与第32行是同一项荣誉：每项荣誉只写一行。"),
        (30, "单位名称", "没有名为不存在的公司1的会员单位。"),
        (31, "单位名称", "没有名为不存在的公司0的会员单位。"),
        (32, "奖项", "与第3行是同一项荣誉：每项荣誉只写一行。"),
    ]
    statuses = [row.status for row in preview.rows]
    assert statuses.count(RowStatus.ERROR) == 4
    assert statuses.count(RowStatus.NEW) == 26

    with pytest.raises(ImportRefused):
        honours_apply(preview, by=None)
    assert Honour.objects.count() == 0
    assert Award.objects.count() == 2


@WRITERS
def test_apply_writes_exactly_the_new_honours_then_all_are_unchanged(members, write):
    data = honour_list(30)
    existing = Honour.objects.create(
        award=Award.objects.get(name=KNOWN_AWARDS[0]),
        year=2022,
        company=Company.objects.get(name=company_name(0)),
        document_number=DOCUMENT,
        verified=True,
    )
    preview = honours_preview(read_honour_rows(write(data)))
    assert not preview.errors
    assert (preview.created, preview.unchanged) == (29, 1)
    assert preview.rows[0].status == RowStatus.UNCHANGED
    assert preview.new_awards == [NEW_AWARD]
    new_award_rows = [row for row in preview.rows if row.award_name == NEW_AWARD]
    assert len(new_award_rows) == 10
    assert all(row.notes for row in new_award_rows)
    assert not any(row.notes for row in preview.rows if row.award_name != NEW_AWARD)

    result = honours_apply(preview, by=None)

    assert (result.created, result.unchanged, result.awards_created) == (29, 1, 1)
    assert stored() == expected(data)
    assert Honour.objects.count() == 30
    assert Honour.objects.filter(verified=True).get() == existing
    award = Award.objects.get(name=NEW_AWARD)
    assert (award.issuer, award.level, award.kind) == ("", "", "")

    again = honours_preview(read_honour_rows(write(data)))
    assert not again.errors
    assert (again.created, again.unchanged, again.new_awards) == (0, 30, [])
    assert {row.status for row in again.rows} == {RowStatus.UNCHANGED}
    assert honours_apply(again, by=None).created == 0
    assert Honour.objects.count() == 30


def test_verified_is_the_callers_choice(members):
    preview = honours_preview(read_honour_rows(gbk_csv(honour_list(3))))
    honours_apply(preview, by=None, verified=True)
    assert Honour.objects.filter(verified=True).count() == 3


def test_row_errors(members):
    header = ",".join(HEADERS)
    lines = [
        f"1,,2022,{company_name(1)},,,,",
        f"2,{KNOWN_AWARDS[0]},,{company_name(2)},,,,",
        f"3,{KNOWN_AWARDS[0]},1948,{company_name(3)},,,,",
        f"4,{KNOWN_AWARDS[0]},20220,{company_name(4)},,,,",
        f"5,{KNOWN_AWARDS[0]},２０２１年,,{code(5)},,,",  # by credit code only, full-width year
        f"6,{KNOWN_AWARDS[0]},2021,测试006,,,,",  # by short name
        f"7,{KNOWN_AWARDS[0]},2021,,{code(999)},,,",
    ]
    preview = honours_preview(read_honour_rows("\n".join([header, *lines]).encode("gbk")))
    by_row = {row.row: row for row in preview.rows}
    assert [e.column for e in by_row[2].errors] == ["奖项"]
    assert [e.column for e in by_row[3].errors] == ["年份"]
    assert [e.column for e in by_row[4].errors] == ["年份"]
    assert [e.column for e in by_row[5].errors] == ["年份"]
    assert by_row[6].status == RowStatus.NEW
    assert (by_row[6].year, by_row[6].company.name) == (2021, company_name(5))
    assert by_row[7].company.name == company_name(6)
    assert [e.column for e in by_row[8].errors] == ["单位名称"]
    assert code(999) in by_row[8].errors[0].message
    with pytest.raises(ImportRefused):
        honours_apply(preview, by=None)
    assert Honour.objects.count() == 0
    assert Company.objects.count() == 100


def test_an_award_name_of_several_awards_is_an_error(members):
    Award.objects.create(name=KNOWN_AWARDS[0], issuer="另一机构", level="industry", kind="ip")
    preview = honours_preview(read_honour_rows(gbk_csv(honour_list(1))))
    assert [e.column for e in preview.errors] == ["奖项"]


def test_a_list_without_the_award_column_is_refused(db):
    with pytest.raises(ImportFileError):
        read_honour_rows("单位名称,年份\n甲,2022\n".encode("gbk"))


def queries(count: int) -> tuple[int, int]:
    rows = read_honour_rows(xlsx(honour_list(count)))
    with CaptureQueriesContext(connection) as previewing:
        preview = honours_preview(rows)
    assert preview.created == count
    with CaptureQueriesContext(connection) as applying:
        honours_apply(preview, by=None)
    assert Honour.objects.count() == count
    Honour.objects.all().delete()
    Award.objects.filter(name=NEW_AWARD).delete()
    return len(previewing), len(applying)


def test_queries_are_fixed(members):
    few, many = queries(10), queries(100)
    assert few == many
    assert few[0] <= 3


def test_import_honours_command(members, tmp_path):
    path = tmp_path / "荣誉名单.csv"
    path.write_bytes(gbk_csv(honour_list(6)))
    out = io.StringIO()
    call_command("import_honours", str(path), "--dry-run", stdout=out)
    assert "将新增 6 created" in out.getvalue()
    assert Honour.objects.count() == 0

    call_command("import_honours", str(path), "--verified", stdout=io.StringIO())
    assert Honour.objects.filter(verified=True).count() == 6

    path.write_bytes(gbk_csv(honour_list(6, unknown=1)))
    with pytest.raises(CommandError, match="1 errors"):
        call_command("import_honours", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert Honour.objects.count() == 6
