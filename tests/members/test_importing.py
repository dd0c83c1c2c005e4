"""The member importer: reading lists as Excel writes them, previews, all-or-nothing writes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from members import importing
from members.importing import (
    MEMBER_COLUMNS,
    ImportFileError,
    ImportRefused,
    RowStatus,
    import_apply,
    import_preview,
    members_template_xlsx,
    read_rows,
)
from members.models import City, Company, Contact, CouncilSeat, SeatRole
from tests.members import member_lists as lists

pytestmark = pytest.mark.django_db

FILES = {"members.csv": lists.gbk_csv, "members.xlsx": lists.xlsx}


def error_cells(preview) -> set[tuple[int, str]]:
    return {(error.row, error.column) for error in preview.errors}


@pytest.mark.parametrize("name", FILES)
def test_it_previews_500_companies_with_every_problem_and_imports_them_once_put_right(name):
    found = lists.members(500)
    lists.existing_members(found)

    preview = import_preview(read_rows(FILES[name](found)))

    assert error_cells(preview) == lists.expected_errors()
    assert len(preview.errors) == 6
    assert (preview.created, preview.updated, preview.unchanged) == (444, 10, 40)
    with pytest.raises(ImportRefused):
        import_apply(preview, by=None)
    assert Company.objects.count() == lists.EXISTING

    good = lists.members(500, errors=False)
    preview = import_preview(read_rows(FILES[name](good)))
    assert preview.errors == []
    changed = [row for row in preview.rows if row.status == RowStatus.CHANGED]
    assert {(c.column, c.old, c.new) for row in changed for c in row.changes} == {
        ("地址", "旧地址", f"杭州市滨江区测试路{row.row - 3}号") for row in changed
    }
    result = import_apply(preview, by=None)
    assert (result.created, result.updated, result.unchanged) == (450, 10, 40)

    company = Company.objects.get(credit_code=good[122].code)
    assert company.name == good[122].name  # a trailing full-width space trimmed
    assert company.city == City.WENZHOU
    assert company.industry.name == good[122].industry
    assert company.joined_on == good[122].joined_on
    assert company.status == Company.Status.ACTIVE
    assert company.seats.get().role == good[122].role
    contact = Contact.objects.select_related("user").get(company=company)
    assert (contact.user.email, contact.user.name, contact.phone, contact.is_primary) == (
        good[122].contact_email,
        good[122].contact,
        good[122].mobile,
        True,
    )
    assert not contact.user.has_usable_password()
    assert Contact.objects.count() == 500

    again = import_preview(read_rows(FILES[name](good)))
    assert (again.created, again.updated, again.unchanged, again.errors) == (0, 0, 500, [])


def test_it_reads_the_same_rows_from_the_csv_and_the_xlsx():
    found = lists.members(500)
    csv_rows = read_rows(lists.gbk_csv(found))
    xlsx_rows = read_rows(lists.xlsx(found))

    assert [row.row for row in csv_rows] == [row.row for row in xlsx_rows]
    assert len(csv_rows) == 500
    formula = csv_rows[lists.FORMULA_ROW]
    assert xlsx_rows[lists.FORMULA_ROW].cells["简称"] == formula.cells["简称"] == "测试007"
    fullwidth = csv_rows[51]  # full-width digits in its code and phone
    assert fullwidth.cells["统一社会信用代码"] == found[51].code
    assert fullwidth.cells["电话"] == found[51].phone
    assert csv_rows[51].cells["手机"] == found[51].mobile  # written 1.3900000051E+10
    assert xlsx_rows[52].cells["手机"] == found[52].mobile  # a number cell
    assert xlsx_rows[53].cells["手机"] == found[53].mobile  # a float cell
    assert xlsx_rows[55].cells["入会日期"] == found[55].joined_on  # a date cell


@pytest.mark.parametrize(
    ("cell", "stored"),
    [
        (13800138000, "13800138000"),
        (13800138000.0, "13800138000"),
        ("1.3800138E+10", "13800138000"),
        ("１３８００１３８０００", "13800138000"),
        (57188886666, "057188886666"),
        ("0571-88886666转123", "0571-88886666转123"),
    ],
)
def test_it_reads_phones_as_excel_gives_them(cell, stored):
    rows = read_rows(csv_of([["单位名称", "电话"], ["甲公司", cell]]))
    preview = import_preview(rows)

    assert preview.errors == []
    import_apply(preview, by=None)
    assert Company.objects.get(name="甲公司").phone == stored


def csv_of(rows: list[list]) -> bytes:
    return "\n".join(",".join(str(cell) for cell in row) for row in rows).encode("gbk")


@pytest.mark.parametrize(
    ("cell", "year"),
    [("44348", 2021), ("2021/6/1", 2021), ("2021年6月1日", 2021), ("2021-06-01", 2021)],
)
def test_it_reads_joining_dates_as_secretariats_write_them(cell, year):
    preview = import_preview(read_rows(csv_of([["单位名称", "入会日期"], ["甲公司", cell]])))

    import_apply(preview, by=None)
    assert Company.objects.get(name="甲公司").joined_on.isoformat() == f"{year}-06-01"


NOT_A_SPREADSHEET = "该文件不是电子表格：请上传 Excel 工作簿（.xlsx）或 CSV 文件。"
BAD_FILES = {
    "picture.png": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, NOT_A_SPREADSHEET),
    "broken.xlsx": (b"PK\x03\x04" + b"\x00" * 100, NOT_A_SPREADSHEET),
    "wrong-headers.csv": (
        "姓名,电话\n张三,13800138000\n".encode("gbk"),
        "无法读取该名单：缺少“单位名称”列。请使用模板，并保留表头行（单位名称、简称、英文名称、"
        "统一社会信用代码……）。",
    ),
    "empty.csv": (b"", "文件为空。"),
    "headers-only.csv": ("单位名称,城市\n,\n".encode("gbk"), "表头下没有内容，无可导入的内容。"),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_it_refuses_a_file_it_cannot_read_with_one_message(name):
    data, message = BAD_FILES[name]

    with pytest.raises(ImportFileError) as refused:
        read_rows(data)

    assert str(refused.value) == message
    assert isinstance(refused.value, ValueError)


def test_it_writes_nothing_when_one_row_fails_while_writing(monkeypatch):
    found = lists.members(5, errors=False)
    lists.existing_members([])
    preview = import_preview(read_rows(lists.gbk_csv(found)))
    assert preview.created == 5

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Contact.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        import_apply(preview, by=None)

    assert not Company.objects.exists()
    assert not User.objects.exists()
    assert not CouncilSeat.objects.exists()


def test_it_refuses_a_preview_the_members_changed_under():
    found = lists.members(3, errors=False)
    lists.existing_members([])
    preview = import_preview(read_rows(lists.gbk_csv(found)))
    Company.objects.create(name=found[0].name)

    with pytest.raises(ImportRefused):
        import_apply(preview, by=None)
    assert Company.objects.count() == 1


def test_it_previews_in_the_same_queries_for_each_chunk_of_rows():
    assert importing.CHUNK_ROWS == 500
    found = lists.members(1200)
    lists.existing_members(found)
    counts = []
    for size in (50, 500, 1200):
        rows = read_rows(lists.gbk_csv(found[:size]))
        with CaptureQueriesContext(connection) as queries:
            import_preview(rows)
        counts.append(len(queries))

    assert counts[0] == counts[1] <= 8  # one chunk: the same few queries for 50 or 500 rows
    assert counts[2] <= 3 * counts[0]  # three chunks: no more than three times that


def test_it_matches_by_a_former_name_and_keeps_the_old_name_on_a_rename():
    lists.existing_members([])
    old = Company.objects.create(name="杭州旧名仪表有限公司", aliases=["杭州更旧名仪表厂"])
    coded = Company.objects.create(name="宁波原名仪器有限公司", credit_code=lists.credit_code(7))
    rows = read_rows(
        csv_of(
            [
                ["单位名称", "统一社会信用代码", "城市"],
                ["杭州更旧名仪表厂", "", "杭州"],
                ["宁波新名仪器有限公司", lists.credit_code(7), "宁波市"],
            ]
        )
    )

    preview = import_preview(rows)
    assert [row.company_id for row in preview.rows] == [old.pk, coded.pk]
    assert [c.column for c in preview.rows[1].changes] == ["单位名称", "城市"]
    import_apply(preview, by=None)

    old.refresh_from_db()
    coded.refresh_from_db()
    assert (old.name, old.city) == ("杭州旧名仪表有限公司", City.HANGZHOU)
    assert coded.name == "宁波新名仪器有限公司"
    assert "宁波原名仪器有限公司" in coded.aliases


def test_it_refuses_a_contact_email_of_another_company():
    lists.existing_members(lists.members(2, errors=False))
    rows = read_rows(
        csv_of([["单位名称", "联系人邮箱"], ["新公司", lists.member(1).contact_email]])
    )

    preview = import_preview(rows)

    assert error_cells(preview) == {(2, "联系人邮箱")}
    assert "浙江测试仪表001号有限公司" in preview.errors[0].message


def test_it_takes_one_row_per_contact_of_a_company():
    lists.existing_members([])
    rows = read_rows(
        csv_of(
            [
                ["单位名称", "会员类别", "联系人", "联系人邮箱"],
                ["甲公司", "理事单位", "张三", "a@jia.com"],
                ["甲公司", "理事单位", "李四", "b@jia.com"],
                ["乙公司", "会员单位", "", ""],
                ["乙公司", "会员单位", "", ""],
            ]
        )
    )

    preview = import_preview(rows)
    assert error_cells(preview) == {(4, "单位名称"), (5, "单位名称")}

    preview = import_preview(rows[:2])
    import_apply(preview, by=None)
    company = Company.objects.get(name="甲公司")
    assert company.seats.get().role == SeatRole.COUNCIL
    assert list(
        company.contacts.order_by("user__email").values_list("user__name", "is_primary")
    ) == [("张三", True), ("李四", False)]


def test_the_template_has_the_columns_and_a_sample_row_that_imports():
    lists.existing_members([])
    rows = read_rows(members_template_xlsx())

    assert len(rows) == 1
    assert set(rows[0].cells) == set(MEMBER_COLUMNS)
    preview = import_preview(rows)
    assert preview.errors == []
    assert preview.created == 1
    assert rows[0].cells["统一社会信用代码"] == importing.SAMPLE_CREDIT_CODE


def test_the_rows_of_one_company_in_different_chunks_import_as_one(monkeypatch):
    monkeypatch.setattr(importing, "CHUNK_ROWS", 3)
    lists.existing_members(lists.members(1, errors=False))
    known = lists.member(0)
    header = ["单位名称", "统一社会信用代码", "地址", "会员类别", "联系人", "联系人邮箱"]
    new = ["甲公司", lists.credit_code(7), "甲地址", "理事单位"]
    old = [known.name, known.code, "新地址", "理事单位"]
    rows = read_rows(
        csv_of(
            [
                header,
                [*new, "张三", "a@jia.com"],  # row 2, chunk 1
                ["乙公司", "", "", "", "", ""],
                [*old, "王五", "w@old.com"],
                [*new, "李四", "b@jia.com"],  # row 5, chunk 2
                ["丙公司", "", "", "", "", ""],
                [*old, "赵六", "z@old.com"],
                [*new, "孙七", "c@jia.com"],  # row 8, chunk 3
            ]
        )
    )

    preview = import_preview(rows)
    assert preview.errors == []
    assert (preview.created, preview.updated, preview.unchanged) == (3, 1, 0)
    result = import_apply(preview, by=None)

    assert (result.created, result.updated, result.unchanged) == (3, 1, 0)
    assert Company.objects.count() == 4
    jia = Company.objects.get(name="甲公司")
    assert jia.seats.get().role == SeatRole.COUNCIL
    assert list(jia.contacts.order_by("user__email").values_list("user__email", "is_primary")) == [
        ("a@jia.com", True),
        ("b@jia.com", False),
        ("c@jia.com", False),
    ]
    company = Company.objects.get(credit_code=known.code)
    assert company.address == "新地址"
    assert company.seats.get().role == SeatRole.COUNCIL
    assert set(company.contacts.values_list("user__email", "is_primary")) == {
        (known.contact_email, True),
        ("w@old.com", False),
        ("z@old.com", False),
    }


def test_a_duplicate_in_another_chunk_is_an_error_on_both_rows(monkeypatch):
    monkeypatch.setattr(importing, "CHUNK_ROWS", 3)
    lists.existing_members([])
    code = lists.credit_code(7)
    rows = read_rows(
        csv_of(
            [
                ["单位名称", "统一社会信用代码", "联系人邮箱"],
                ["甲公司", code, "a@jia.com"],
                ["乙公司", "", "same@example.com"],
                ["丙公司", "", ""],
                ["丁公司", "", ""],
                ["甲公司新名", code, "b@jia.com"],  # the same code, other details
                ["戊公司", "", "same@example.com"],  # the same email, another company
            ]
        )
    )

    preview = import_preview(rows)

    assert error_cells(preview) == {
        (2, "统一社会信用代码"),
        (6, "统一社会信用代码"),
        (3, "联系人邮箱"),
        (7, "联系人邮箱"),
    }
    messages = {error.row: error.message for error in preview.errors}
    assert "6" in messages[2] and "2" in messages[6]
    assert "same@example.com" in messages[3] and "7" in messages[3]
    assert (preview.created, preview.updated, preview.unchanged) == (2, 0, 0)
    with pytest.raises(ImportRefused):
        import_apply(preview, by=None)
    assert not Company.objects.exists()


def test_importing_twice_in_chunks_changes_nothing_the_second_time(monkeypatch):
    monkeypatch.setattr(importing, "CHUNK_ROWS", 3)
    found = lists.members(20, errors=False)
    lists.existing_members(found[:0])
    path_rows = read_rows(lists.gbk_csv(found))
    first = import_apply(import_preview(path_rows), by=None)
    assert (first.created, first.updated, first.unchanged) == (20, 0, 0)

    def snapshot():
        return (
            sorted(Company.objects.values_list("pk", "name", "address", "updated_at")),
            sorted(Contact.objects.values_list("pk", "user__email", "is_primary", "phone")),
            sorted(CouncilSeat.objects.values_list("pk", "company_id", "role")),
        )

    before = snapshot()
    again = import_preview(read_rows(lists.gbk_csv(found)))
    assert (again.created, again.updated, again.unchanged, again.errors) == (0, 0, 20, [])
    second = import_apply(again, by=None)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 20)
    assert snapshot() == before


def test_it_reads_a_list_from_its_file_each_time_without_keeping_it(tmp_path):
    found = lists.members(30, errors=False)
    lists.existing_members([])
    path = tmp_path / "members.xlsx"
    path.write_bytes(lists.xlsx(found))
    expected = read_rows(lists.xlsx(found))

    assert list(importing.member_list(path)) == expected
    with path.open("rb") as file:
        source = importing.member_list(file)
        assert list(source) == list(source) == expected
        preview = import_preview(source)
        assert preview.created == 30
        assert import_apply(preview, by=None).created == 30
    assert Company.objects.count() == 30


def test_a_preview_keeps_some_rows_and_errors_to_show_and_counts_them_all(monkeypatch):
    monkeypatch.setattr(importing, "SHOWN_ROWS", 4)
    monkeypatch.setattr(importing, "SHOWN_ERRORS", 2)
    lists.existing_members([])
    cities = ["火星市", "杭州", "", "月球市", "", "土星市"]
    rows = read_rows(
        csv_of([["单位名称", "城市"]] + [[f"公司{i}", city] for i, city in enumerate(cities * 2)])
    )

    preview = import_preview(rows)

    assert preview.error_count == 6 and preview.hidden_errors == 4
    assert [error.row for error in preview.errors] == [2, 5]
    assert preview.row_counts == {RowStatus.ERROR: 6, RowStatus.NEW: 6}
    assert [(row.row, row.status) for row in preview.rows] == [
        (2, RowStatus.ERROR),
        (5, RowStatus.ERROR),
        (7, RowStatus.ERROR),
        (8, RowStatus.ERROR),
    ]
    assert preview.hidden_rows == 8


def test_a_later_row_failing_its_company_shows_the_earlier_rows_as_errors(monkeypatch):
    monkeypatch.setattr(importing, "CHUNK_ROWS", 2)
    monkeypatch.setattr(importing, "SHOWN_ROWS", 3)
    lists.existing_members(lists.members(1, errors=False))
    taken = lists.member(0).contact_email  # the contact of another company
    rows = read_rows(
        csv_of(
            [
                ["单位名称", "联系人邮箱"],
                ["甲公司", "a@jia.com"],
                ["乙公司", ""],
                ["丙公司", ""],
                ["甲公司", taken],
            ]
        )
    )

    preview = import_preview(rows)

    assert error_cells(preview) == {(5, "联系人邮箱")}
    assert [(row.row, row.status) for row in preview.rows] == [
        (2, RowStatus.ERROR),
        (3, RowStatus.NEW),
        (5, RowStatus.ERROR),
    ]
    assert preview.row_counts == {RowStatus.ERROR: 2, RowStatus.NEW: 2}
    assert (preview.created, preview.updated, preview.unchanged) == (2, 0, 0)
