"""Bank statement import: reading a bank's CSV or XLSX, matching lines to bills, recording them."""

import csv
import io
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext
from openpyxl import Workbook

from accounts.models import User
from dues import services, statements
from dues.models import (
    DuesBill,
    Payment,
    PaymentMethod,
    StatementImport,
    StatementLine,
    StatementLineState,
)
from dues.statements import (
    ParsedLine,
    StatementError,
    line_key,
    statement_confirm,
    statement_import,
    statement_line_assign,
    statement_match,
    statement_read,
)
from members.models import CouncilSeat, SeatRole
from tests.accounts.builders import make_company, make_term

pytestmark = pytest.mark.django_db

YEAR = 2026
FEE = Decimal("8000.00")
FIRST_DAY = date(2026, 1, 5)
HEADER = ["交易日期", "交易流水号", "借方金额", "贷方金额", "对方户名", "摘要"]
PREAMBLE = [["账号", "1202020209000123456"], ["户名", "浙江省仪器仪表行业协会"], []]

MATCHED = StatementLineState.MATCHED
AMBIGUOUS = StatementLineState.AMBIGUOUS
UNMATCHED = StatementLineState.UNMATCHED
ALREADY = StatementLineState.ALREADY_IMPORTED
CONFIRMED = StatementLineState.CONFIRMED
DEBIT = "debit"  # a row of the file that is no line: money paid out


@dataclass
class Row:
    """One row of a generated statement, and the state its line should get."""

    on: date
    payer: str
    credit: Decimal | None
    debit: Decimal | None = None
    expect: str = MATCHED
    partial: bool = False

    reference: str = ""

    @property
    def key(self) -> str:
        return line_key(on=self.on, amount=self.credit, payer=self.payer, reference=self.reference)


def company_name(n: int) -> str:
    return f"浙江测试{n:03d}仪表有限公司"


def seated(n: int, **fields):
    fields.setdefault("short_name", f"测试{n:03d}")
    company = make_company(fields.pop("name", company_name(n)), seed=n + 1, **fields)
    CouncilSeat.objects.create(term=make_term(), company=company, role=SeatRole.COUNCIL)
    return company


def treasurer(**fields) -> User:
    return User.objects.create_user(
        "caiwu@example.com", "x", name="财务王", is_staff=True, **fields
    )


@dataclass
class World:
    rows: list[Row]
    user: User

    def count(self, state: str) -> int:
        return sum(row.expect == state for row in self.rows)

    @property
    def lines(self) -> list[Row]:
        return [row for row in self.rows if row.expect != DEBIT]


def build_world(scale: int = 10) -> World:
    """Companies, their bills and a statement of 20 × ``scale`` rows (200 by default).

    Per ``scale``: 11 matched lines (5 by full name, 1 of them written with
    other brackets, 有限公司 for 有限责任公司 and spaces; 2 by short name, 2 by an
    alias, 2 part payments); 2 ambiguous (an alias two companies share, a
    company with two open bills of the same amount); 3 unmatched (2 unknown
    payers, 1 paying more than is due); 2 debits (a debit column, a negative
    credit); 2 already recorded from an earlier statement.
    """
    user = treasurer()
    services.fee_set(term=make_term(), role=SeatRole.COUNCIL, amount=FEE)
    rows: list[Row] = []
    n = 0

    def company(**fields):
        nonlocal n
        n += 1
        return seated(n, **fields)

    for k in range(scale):
        for _ in range(4):
            rows.append(Row(FIRST_DAY, company().name, FEE))
        company(name=f"浙江测试{n + 1:03d}仪表（杭州）有限责任公司")
        rows.append(Row(FIRST_DAY, f" 浙江测试{n:03d}仪表(杭州)有限公司 ", FEE))
        for _ in range(2):
            rows.append(Row(FIRST_DAY, company().short_name, FEE))
        for _ in range(2):
            alias = f"测试集团{n + 1:03d}"
            company(aliases=[alias, "另一个名字"])
            rows.append(Row(FIRST_DAY, alias, FEE))
        for _ in range(2):
            rows.append(Row(FIRST_DAY, company().name, Decimal("3000.00"), partial=True))
        shared = f"共享简称{k:03d}"
        company(aliases=[shared])
        company(aliases=[shared])
        rows.append(Row(FIRST_DAY, shared, FEE, expect=AMBIGUOUS))
        twice = company()
        DuesBill.objects.create(
            company=twice,
            year=YEAR - 1,
            role=SeatRole.COUNCIL,
            standard_amount=FEE,
            amount=FEE,
            due_on=date(YEAR - 1, 3, 31),
        )
        rows.append(Row(FIRST_DAY, twice.name, FEE, expect=AMBIGUOUS))
        rows.append(Row(FIRST_DAY, f"个人汇款人{k:03d}", FEE, expect=UNMATCHED))
        rows.append(
            Row(FIRST_DAY, f"非会员科技有限公司{k:03d}", Decimal("500.00"), expect=UNMATCHED)
        )
        rows.append(Row(FIRST_DAY, company().name, Decimal("9000.00"), expect=UNMATCHED))
        rows.append(Row(FIRST_DAY, "杭州某某物业管理有限公司", None, Decimal("1200.00"), DEBIT))
        rows.append(Row(FIRST_DAY, "中国工商银行", Decimal("-15.00"), expect=DEBIT))
        for _ in range(2):
            rows.append(Row(FIRST_DAY, company().name, Decimal("2000.00"), expect=ALREADY))
    # Spread the rows over days, give each its bank transaction number.
    for index, row in enumerate(rows):
        row.on = FIRST_DAY + timedelta(days=index % 90)
        row.reference = f"{YEAR}{index:010d}"
    services.dues_bills_create(year=YEAR, due_on=date(YEAR, 3, 31))
    bills = {
        bill.company.name: bill
        for bill in DuesBill.objects.filter(year=YEAR).select_related("company")
    }
    for row in rows:
        if row.expect == ALREADY:  # recorded from an earlier statement
            services.payment_record(
                bill=bills[row.payer],
                amount=row.credit,
                method=PaymentMethod.BANK_TRANSFER,
                paid_on=row.on,
                reference=row.reference,
                statement_key=row.key,
                by=user,
            )
    return World(rows, user)


# The files a bank gives --------------------------------------------------------------------


DATE_FORMATS = ("{:%Y-%m-%d}", "{d.year}/{d.month}/{d.day}", "{:%Y%m%d}")
AMOUNT_FORMATS = ("{:,.2f}", "￥{}", "{}")


def gbk_csv(rows: list[Row]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows(PREAMBLE)
    writer.writerow(HEADER)
    for index, row in enumerate(rows):
        when = DATE_FORMATS[index % 3]
        money = AMOUNT_FORMATS[index % 3]
        writer.writerow(
            [
                when.format(row.on, d=row.on),
                row.reference,
                "" if row.debit is None else money.format(row.debit),
                "" if row.credit is None else money.format(row.credit),
                row.payer,
                "会费" if row.credit else "物业费",
            ]
        )
    credits = sum(row.credit for row in rows if row.credit and row.credit > 0)
    debits = sum(row.debit for row in rows if row.debit)
    writer.writerow(["合计", "", f"{debits:,.2f}", f"{credits:,.2f}", "", ""])
    return out.getvalue().encode("gbk")


def xlsx(rows: list[Row]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "对账单"
    for line in PREAMBLE:
        sheet.append(line)
    sheet.append(["交易日期", "交易流水号", "借方金额(元)", "贷方金额(元)", "对方户名", "用途"])
    for index, row in enumerate(rows):
        if index % 3 == 0:
            when = datetime.combine(row.on, datetime.min.time())
        elif index % 3 == 1:
            when = (row.on - date(1899, 12, 30)).days  # an Excel serial, unformatted
        else:
            when = f"{row.on.year}/{row.on.month}/{row.on.day}"
        credit = None if row.credit is None else float(row.credit)
        if index % 4 == 0 and row.credit is not None:
            credit = f"¥{row.credit:,.2f}"
        sheet.append(
            [
                when,
                row.reference,
                None if row.debit is None else float(row.debit),
                credit,
                row.payer,
                "会费",
            ]
        )
        if index % 50 == 0:
            sheet.append([])  # an empty row in the middle
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


FILES = {"gbk.csv": gbk_csv, "statement.xlsx": xlsx}


def upload(name: str, world: World) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, FILES[name](world.rows))


def states(statement: StatementImport) -> dict[str, int]:
    counts = dict.fromkeys(StatementLineState.values, 0)
    for state in statement.lines.values_list("state", flat=True):
        counts[state] += 1
    return counts


# Reading -----------------------------------------------------------------------------------


def test_it_reads_the_same_lines_from_a_gbk_csv_and_an_xlsx():
    rows = [
        Row(date(2026, 3, 5), "浙江中控技术股份有限公司", Decimal("3000.00"), reference="A1"),
        Row(date(2026, 3, 6), "宁波水表（集团）股份有限公司", Decimal("8000.50"), reference="A2"),
        Row(date(2026, 3, 7), "杭州某某物业管理有限公司", None, Decimal("1200"), DEBIT),
        Row(date(2026, 3, 8), "中国工商银行", Decimal("0"), expect=DEBIT),
    ]
    from_csv = statement_read(io.BytesIO(gbk_csv(rows)))
    from_xlsx = statement_read(io.BytesIO(xlsx(rows)))

    assert [(line.date, line.amount, line.payer, line.reference) for line in from_csv] == [
        (date(2026, 3, 5), Decimal("3000.00"), "浙江中控技术股份有限公司", "A1"),
        (date(2026, 3, 6), Decimal("8000.50"), "宁波水表（集团）股份有限公司", "A2"),
    ]
    assert [line.row for line in from_csv] == [5, 6]  # after the account details and header
    assert [line.key for line in from_csv] == [line.key for line in from_xlsx]
    assert all(isinstance(line.amount, Decimal) for line in from_xlsx)


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"], ids=lambda name: name
)
def test_it_reads_csv_in_the_encodings_banks_and_excel_write(encoding):
    text = (
        "交易日期\t收入金额\t付款人名称\t附言\t凭证号\n"
        "2026/3/5\t￥3,000.00\t浙江甲仪表有限公司\t会费\tV1\n"
    )
    lines = statement_read(io.BytesIO(text.encode(encoding)))

    assert lines == [
        ParsedLine(2, date(2026, 3, 5), Decimal("3000.00"), "浙江甲仪表有限公司", "会费", "V1")
    ]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2026-03-05", date(2026, 3, 5)),
        ("2026/3/5", date(2026, 3, 5)),
        ("20260305", date(2026, 3, 5)),
        ("2026年3月5日", date(2026, 3, 5)),
        ("2026-03-05 14:22:01", date(2026, 3, 5)),
        ("46086", date(2026, 3, 5)),
    ],
)
def test_it_reads_the_dates_banks_write(cell, expected):
    lines = statement_read(io.BytesIO(f"日期,金额,对方名称\n{cell},1,甲\n".encode()))
    assert lines[0].date == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('"3,000.00"', Decimal("3000.00")),
        ("¥3000", Decimal("3000.00")),
        ("￥3000.5", Decimal("3000.50")),
        ("3000.00元", Decimal("3000.00")),
        ("RMB 3000", Decimal("3000.00")),
    ],
)
def test_it_reads_the_amounts_banks_write(cell, expected):
    lines = statement_read(io.BytesIO(f"日期,金额,对方名称\n2026-03-05,{cell},甲\n".encode()))
    assert lines[0].amount == expected


def test_it_leaves_out_debits_of_a_signed_amount_column():
    text = (
        "交易日期,交易金额,借贷标志,对方户名\n"
        "2026-03-05,3000,贷,甲\n2026-03-05,3000,借,乙\n2026-03-05,-20,贷,丙\n,,,\n"
    )
    assert [line.payer for line in statement_read(io.BytesIO(text.encode("gbk")))] == ["甲"]


def test_it_leaves_out_the_totals_under_the_table():
    text = (
        "交易日期,贷方金额,对方户名\n2026-03-05,100,合计仪表有限公司\n"
        "合计,100,\n,100,本页合计\n导出时间：2026-03-05 10:00,,\n"
    )
    assert [line.payer for line in statement_read(io.BytesIO(text.encode()))] == [
        "合计仪表有限公司"
    ]


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
NOT_A_SPREADSHEET = "该文件不是电子表格：请上传从银行导出的流水，格式为 Excel（.xlsx）或 CSV。"


def empty_xlsx() -> bytes:
    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


BAD_FILES = {
    "picture.png": (PNG, NOT_A_SPREADSHEET),
    "scan.pdf": (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", NOT_A_SPREADSHEET),
    "binary.csv": (bytes(range(256)) * 4, NOT_A_SPREADSHEET),
    "broken.xlsx": (b"PK\x03\x04" + b"\x00" * 100, NOT_A_SPREADSHEET),
    "old.xls": (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
        "这是旧版 Excel 文件（.xls）：请用 Excel 打开，"
        "另存为 .xlsx（Excel 工作簿）或 CSV 后再上传。",
    ),
    "no-payer.csv": (
        "交易日期,贷方金额,摘要\n2026-03-05,3000,会费\n".encode("gbk"),
        "无法识别为银行流水：缺少“对方户名”列。"
        "请从网上银行把流水导出为 Excel 或 CSV，并保留表头行（交易日期、贷方金额、对方户名……）。",
    ),
    "letter.csv": (
        "尊敬的会员单位：\n现将会费缴纳事宜通知如下。\n".encode(),
        "无法识别为银行流水：缺少“交易日期、贷方金额、对方户名”列。"
        "请从网上银行把流水导出为 Excel 或 CSV，并保留表头行（交易日期、贷方金额、对方户名……）。",
    ),
    "empty.csv": (b"", "文件为空。"),
    "blank.csv": (b"\xef\xbb\xbf\r\n,,,\r\n", "文件为空。"),
    "empty.xlsx": (empty_xlsx(), "文件为空。"),
    "debits-only.csv": (
        "交易日期,借方金额,贷方金额,对方户名\n2026-03-05,100,,甲\n".encode(),
        "流水中没有收入（贷方）记录，无可导入的内容。",
    ),
    "bad-date.csv": (
        "交易日期,贷方金额,对方户名\n2026-02-30,100,甲\n".encode(),
        "第 2 行：“2026-02-30”不是日期。",
    ),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_it_refuses_a_file_it_cannot_read_with_one_message_and_writes_nothing(name):
    data, message = BAD_FILES[name]
    user = treasurer()

    with pytest.raises(StatementError) as refused:
        statement_import(file=SimpleUploadedFile(name, data), by=user)

    assert str(refused.value) == message
    assert isinstance(refused.value, ValueError)
    assert not StatementImport.objects.exists()
    assert not StatementLine.objects.exists()


# Matching and confirming -------------------------------------------------------------------


@pytest.mark.parametrize("name", FILES)
def test_it_matches_a_200_line_statement_and_records_the_matched_lines_once(name):
    world = build_world()
    assert len(world.rows) == 200
    paid_before = Payment.objects.count()

    statement = statement_import(file=upload(name, world), by=world.user)

    assert statement.file_name == name
    assert statement.line_count == len(world.lines) == 180
    assert states(statement) == {
        MATCHED: 110,
        AMBIGUOUS: 20,
        UNMATCHED: 30,
        ALREADY: 20,
        CONFIRMED: 0,
    }
    assert world.count(MATCHED) == 110 and world.count(DEBIT) == 20
    lines = {line.key: line for line in statement.lines.select_related("bill__company")}
    for row in world.lines:
        line = lines[row.key]
        assert line.state == row.expect, (row, line.note)
        if row.expect == MATCHED:
            assert line.bill.year == YEAR
            assert ("部分缴纳" in line.note) is row.partial
        if row.expect == AMBIGUOUS:
            assert len(line.candidate_bill_ids) == 2 and line.bill is None
            assert "请选择" in line.note
    assert Payment.objects.count() == paid_before  # nothing is paid before the confirmation

    matched = list(statement.lines.filter(state=MATCHED).order_by("row"))
    payments = statement_confirm(
        statement=statement, line_ids=[line.pk for line in statement.lines.all()], by=world.user
    )

    assert len(payments) == 110
    assert Payment.objects.count() == paid_before + 110
    assert sorted(p.receipt_sequence for p in payments) == list(range(21, 131))
    assert {p.receipt_number for p in payments} == {f"2026-{n:04d}" for n in range(21, 131)}
    for line, payment in zip(matched, payments, strict=True):
        line.refresh_from_db()
        assert line.state == CONFIRMED and line.payment == payment
        assert (payment.bill_id, payment.amount, payment.paid_on) == (
            line.bill_id,
            line.amount,
            line.date,
        )
        assert payment.method == PaymentMethod.BANK_TRANSFER
        assert payment.reference == line.reference and payment.statement_key == line.key
        assert payment.recorded_by == world.user
    assert states(statement)[CONFIRMED] == 110
    assert states(statement)[AMBIGUOUS] == 20  # the ticked but unresolved lines are left
    statement.refresh_from_db()
    assert statement.confirmed_at is not None and statement.confirmed_by == world.user

    again = statement_import(file=upload(name, world), by=world.user)

    assert states(again)[ALREADY] == 180
    assert not statement_confirm(
        statement=again, line_ids=again.lines.values_list("pk", flat=True), by=world.user
    )
    assert not statement_confirm(
        statement=statement, line_ids=statement.lines.values_list("pk", flat=True), by=world.user
    )
    assert Payment.objects.count() == paid_before + 110


def test_it_never_pays_a_line_twice_from_two_uploads_confirmed_in_turn():
    world = build_world(scale=1)
    first = statement_import(file=upload("gbk.csv", world), by=world.user)
    second = statement_import(file=upload("statement.xlsx", world), by=world.user)
    assert states(second)[MATCHED] == 11  # the first is not confirmed yet

    paid = statement_confirm(
        statement=first, line_ids=first.lines.values_list("pk", flat=True), by=world.user
    )
    again = statement_confirm(
        statement=second, line_ids=second.lines.values_list("pk", flat=True), by=world.user
    )

    assert len(paid) == 11 and again == []
    assert states(second)[ALREADY] == 2 + 11
    assert not second.lines.exclude(payment=None).exists()
    receipts = {payment.statement_key: payment.receipt_number for payment in paid}
    for line in second.lines.filter(key__in=receipts):
        assert line.note == f"已登记：收据 {receipts[line.key]}。"


def test_it_skips_a_line_another_confirmation_recorded_meanwhile(monkeypatch):
    """The unique statement key refuses the second payment; its savepoint keeps the rest."""
    world = build_world(scale=1)
    statement = statement_import(file=upload("gbk.csv", world), by=world.user)
    line = statement.lines.filter(state=MATCHED).order_by("row").first()
    # Another upload's confirmation, a moment earlier, paid the same transfer.
    services.payment_record(
        bill=DuesBill.objects.create(
            company=make_company("另一家仪表有限公司", seed=999),
            year=YEAR,
            standard_amount=FEE,
            amount=FEE,
            due_on=date(YEAR, 3, 31),
        ),
        amount=line.amount,
        method=PaymentMethod.BANK_TRANSFER,
        paid_on=line.date,
        statement_key=line.key,
        by=world.user,
    )
    monkeypatch.setattr(statements, "_receipts", lambda keys: {})  # as if read before it

    payments = statement_confirm(
        statement=statement, line_ids=statement.lines.values_list("pk", flat=True), by=world.user
    )

    assert len(payments) == 10
    line.refresh_from_db()
    assert line.state == ALREADY and line.payment is None
    assert Payment.objects.filter(statement_key=line.key).count() == 1


def test_it_keeps_a_line_the_bill_refuses_with_the_reason():
    world = build_world(scale=1)
    statement = statement_import(file=upload("gbk.csv", world), by=world.user)
    line = statement.lines.filter(state=MATCHED).order_by("row").first()
    services.bills_waive(bills=[line.bill], reason="困难企业减免")

    payments = statement_confirm(statement=statement, line_ids=[line.pk], by=world.user)

    assert payments == []
    line.refresh_from_db()
    assert line.state == MATCHED
    assert line.note == gettext("This bill was waived: nothing is due.")


def test_it_lets_the_secretariat_resolve_an_ambiguous_or_unmatched_line():
    world = build_world(scale=1)
    statement = statement_import(file=upload("gbk.csv", world), by=world.user)
    ambiguous = statement.lines.filter(state=AMBIGUOUS).order_by("row").first()
    unmatched = statement.lines.get(state=UNMATCHED, amount=Decimal("500.00"))
    chosen, other = DuesBill.objects.in_bulk(ambiguous.candidate_bill_ids).values()

    statement_line_assign(line=ambiguous, bill=chosen)
    statement_line_assign(line=unmatched, bill=other)  # a part payment
    with pytest.raises(services.DuesError):  # 9,000 is more than the 8,000 due
        statement_line_assign(line=statement.lines.get(amount=Decimal("9000.00")), bill=other)
    payments = statement_confirm(
        statement=statement, line_ids=[ambiguous.pk, unmatched.pk], by=world.user
    )

    assert {(p.bill, p.amount) for p in payments} == {(chosen, FEE), (other, Decimal("500.00"))}
    ambiguous.refresh_from_db()
    unmatched.refresh_from_db()
    assert ambiguous.state == unmatched.state == CONFIRMED
    assert "由秘书处指定" in ambiguous.note and "部分缴纳" in unmatched.note
    with pytest.raises(services.DuesError):  # recorded: it cannot be given another bill
        statement_line_assign(line=ambiguous, bill=other)


def test_it_counts_one_transfer_against_its_bill_before_the_next():
    """Two transfers of the whole fee from one payer: the second has nothing left to pay."""
    world = build_world(scale=1)
    payer = world.rows[0]
    twice = [
        ParsedLine(2, payer.on, FEE, payer.payer, reference="R1"),
        ParsedLine(3, payer.on, FEE, payer.payer, reference="R2"),
        ParsedLine(4, payer.on, FEE, payer.payer, reference="R2"),
    ]

    matches = statement_match(twice)

    assert [match.state for match in matches] == [MATCHED, UNMATCHED, ALREADY]
    assert "第 3 行" in matches[2].note


def parsed(rows: list[Row]) -> list[ParsedLine]:
    return [
        ParsedLine(index + 2, row.on, row.credit, row.payer, reference=row.reference)
        for index, row in enumerate(rows)
        if row.expect != DEBIT
    ]


def test_it_matches_in_the_same_few_queries_for_20_or_200_lines():
    world = build_world()
    lines = parsed(world.rows)
    assert len(lines) == 180

    with CaptureQueriesContext(connection) as small:
        statement_match(lines[:20])
    with CaptureQueriesContext(connection) as large:
        matches = statement_match(lines)

    assert len(small.captured_queries) == len(large.captured_queries) == 3
    assert sum(match.state == MATCHED for match in matches) == 110


# The back office ---------------------------------------------------------------------------


@pytest.fixture
def staff_client(client):
    def login(*permissions: str) -> User:
        user = User.objects.create_user(
            f"staff{User.objects.count()}@example.com", "x", name="秘书处", is_staff=True
        )
        user.user_permissions.add(
            *Permission.objects.filter(content_type__app_label="dues", codename__in=permissions)
        )
        client.force_login(user)
        return user

    client.login_as = login
    return client


CHANGELIST = reverse("admin:dues_statementimport_changelist")
UPLOAD = reverse("admin:dues_statementimport_upload")


def test_it_uploads_previews_and_confirms_a_statement_in_the_back_office(staff_client):
    world = build_world(scale=2)
    user = staff_client.login_as("add_payment", "view_payment", "view_duesbill")

    listing = staff_client.get(CHANGELIST)
    assert listing.status_code == 200
    assert UPLOAD in listing.content.decode()
    form = staff_client.get(UPLOAD)
    assert form.status_code == 200 and "银行流水" in form.content.decode()

    response = staff_client.post(UPLOAD, {"file": upload("statement.xlsx", world)})

    statement = StatementImport.objects.get()
    detail = reverse("admin:dues_statementimport_change", args=[statement.pk])
    assert response.status_code == 302 and response["Location"] == detail
    assert statement.uploaded_by == user
    preview = staff_client.get(detail)
    page = preview.content.decode()
    assert preview.status_code == 200
    assert 'id="count-matched">22<' in page
    assert 'id="count-ambiguous">4<' in page
    assert 'id="count-unmatched">6<' in page
    assert 'id="count-already-imported">4<' in page
    to_record = sum(line.amount for line in statement.lines.filter(state=MATCHED))
    assert f"¥{to_record:,.2f}" in page
    assert page.count(" checked ") == 22
    ambiguous = statement.lines.filter(state=AMBIGUOUS).order_by("row").first()
    assert f'name="bill-{ambiguous.pk}"' in page
    matched = list(statement.lines.filter(state=MATCHED).values_list("pk", flat=True))
    assert Payment.objects.filter(statement_key__isnull=False).count() == 4

    confirmed = staff_client.post(
        detail,
        {
            "line": [*matched, ambiguous.pk],
            f"bill-{ambiguous.pk}": ambiguous.candidate_bill_ids[0],
            "confirm": "1",
        },
        follow=True,
    )

    assert confirmed.status_code == 200
    assert "已登记 23 笔收款，共计" in confirmed.content.decode()
    assert Payment.objects.filter(statement_key__isnull=False).count() == 4 + 23
    assert states(statement)[CONFIRMED] == 23
    assert 'id="count-confirmed">23<' in confirmed.content.decode()

    again = staff_client.post(detail, {"line": matched, "confirm": "1"}, follow=True)
    assert "已登记 0 笔收款" in again.content.decode()
    assert Payment.objects.filter(statement_key__isnull=False).count() == 4 + 23


def test_it_shows_the_message_of_a_file_it_cannot_read_on_the_upload_page(staff_client):
    staff_client.login_as("add_payment")

    response = staff_client.post(UPLOAD, {"file": SimpleUploadedFile("a.png", PNG)})

    assert response.status_code == 200
    assert response.content.decode().count(NOT_A_SPREADSHEET) == 1
    assert not StatementImport.objects.exists()


def test_it_refuses_a_file_over_5_mb_on_the_upload_page(staff_client):
    staff_client.login_as("add_payment")
    big = b"\xef\xbb\xbf" + ("日期,金额,对方名称\n" + "2026-03-05,1,甲\n" * 400_000).encode()
    assert len(big) > 5 * 1024 * 1024

    response = staff_client.post(UPLOAD, {"file": SimpleUploadedFile("big.csv", big)})

    assert response.status_code == 200
    assert "文件过大" in response.content.decode()
    assert not StatementImport.objects.exists()


def test_it_is_only_for_staff_who_may_record_payments(staff_client):
    world = build_world(scale=1)
    statement = statement_import(file=upload("gbk.csv", world), by=world.user)
    detail = reverse("admin:dues_statementimport_change", args=[statement.pk])
    staff_client.login_as("view_duesbill", "view_payment", "change_duesbill")

    assert staff_client.get(CHANGELIST).status_code == 403
    assert staff_client.get(UPLOAD).status_code == 403
    assert staff_client.post(UPLOAD, {"file": upload("gbk.csv", world)}).status_code == 403
    assert staff_client.get(detail).status_code == 403
    matched = list(statement.lines.filter(state=MATCHED).values_list("pk", flat=True))
    paid = Payment.objects.count()
    assert staff_client.post(detail, {"line": matched, "confirm": "1"}).status_code == 403
    assert StatementImport.objects.count() == 1
    assert Payment.objects.count() == paid


@pytest.mark.django_db(transaction=True)
def test_it_pays_once_when_two_uploads_are_confirmed_at_the_same_moment():
    world = build_world(scale=1)
    imports = [
        statement_import(file=upload(name, world), by=world.user) for name in ("gbk.csv", "gbk.csv")
    ]
    barrier = threading.Barrier(2)
    results: list = [None, None]

    def confirm(index: int) -> None:
        try:
            statement = imports[index]
            ids = list(statement.lines.values_list("pk", flat=True))
            barrier.wait(timeout=10)
            results[index] = statement_confirm(statement=statement, line_ids=ids, by=world.user)
        except Exception as error:  # kept to assert on, not to hide
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert all(isinstance(result, list) for result in results), results
    assert sum(len(result) for result in results) == 11
    keys = list(Payment.objects.exclude(statement_key=None).values_list("statement_key", flat=True))
    assert len(keys) == len(set(keys)) == 2 + 11
