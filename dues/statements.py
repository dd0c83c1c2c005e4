"""Bank statements (对账单): read a bank's export, match its credits to open bills, record them.

``statement_read`` reads a CSV (UTF-8 with or without a byte-order mark,
GBK/GB18030 as Chinese banks and Excel write it, or UTF-16 as Excel's
"Unicode text"; comma, tab or semicolon separated) or an XLSX workbook (its
first sheet with a header row). The header row may come after a few lines
of account details; its columns are found by name, after folding full-width
characters and dropping a unit in brackets (``贷方金额(元)`` is ``贷方金额``):

- the date (required): 交易日期, 日期, 记账日期, 入账日期, 交易时间, 交易日, 记账日;
- money received (required, one of): 贷方金额, 贷方发生额, 收入金额, 收入, 转入金额,
  存入金额, 贷方; or a signed amount: 金额, 交易金额, 发生额, with, if there is one,
  a direction column 借贷标志, 借贷方向, 收支方向, 借/贷, 收/支, 交易方向, 借贷;
- the payer (required): 对方户名, 付款人, 对方名称, 付款人名称, 付款方, 付款单位,
  对方账户名称, 对方账户名, 对方单位, 对方单位名称;
- the memo: 摘要, 附言, 用途, 交易附言, 备注, 交易摘要, 用途/附言;
- the bank's transaction number: 流水号, 交易流水号, 凭证号, 凭证号码, 交易参考号,
  业务流水号, 银行流水号, 交易序号.

Amounts may be written 3000, 3,000.00, ¥3000, ￥3,000.00元 or RMB 3000; dates
2027-03-05, 2027/3/5, 2027.3.5, 2027年3月5日, 20270305 (with a time after them,
or not) or an Excel date serial. Empty rows, total rows (合计, 总计 …) and
lines that are not credits (a debit column filled, a debit direction, a
negative or zero amount) are left out. A file that cannot be read raises
``StatementError`` with one message for the secretariat.

Each credit's ``key`` is a fingerprint of its date, amount, payer (normalised)
and transaction number (its memo when the file has no transaction numbers):
the same transfer in a later export, or in the same file uploaded again, has
the same key, and ``Payment.statement_key`` keeps it from being paid twice.
"""

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import PurePath

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.spreadsheet_reading import (
    HEADER_SEARCH_ROWS,
    UnreadableFile,
    cell_text,
    header_key,
    parse_date,
    read_upload,
    table_rows,
)

from .models import (
    DuesBill,
    Payment,
    PaymentMethod,
    StatementImport,
    StatementLine,
    StatementLineState,
)
from .services import DuesError, payment_record

CENT = Decimal("0.01")
STATEMENT_MAX_BYTES = 5 * 1024 * 1024
STATEMENT_MAX_ROWS = 20_000

COLUMNS = {
    "date": ("交易日期", "日期", "记账日期", "入账日期", "交易时间", "交易日", "记账日"),
    "credit": ("贷方金额", "贷方发生额", "收入金额", "收入", "转入金额", "存入金额", "贷方"),
    "amount": ("金额", "交易金额", "发生额"),
    "debit": ("借方金额", "借方发生额", "支出金额", "支出", "转出金额", "借方"),
    "direction": ("借贷标志", "借贷方向", "收支方向", "借/贷", "收/支", "交易方向", "借贷"),
    "payer": (
        "对方户名",
        "付款人",
        "对方名称",
        "付款人名称",
        "付款方",
        "付款单位",
        "对方账户名称",
        "对方账户名",
        "对方单位",
        "对方单位名称",
    ),
    "memo": ("摘要", "附言", "用途", "交易附言", "备注", "交易摘要", "用途/附言"),
    "reference": (
        "流水号",
        "交易流水号",
        "凭证号",
        "凭证号码",
        "交易参考号",
        "业务流水号",
        "银行流水号",
        "交易序号",
    ),
}
# The name each required column is asked for by, when a file lacks it.
REQUIRED = {"date": "交易日期", "money": "贷方金额", "payer": "对方户名"}
DEBIT_DIRECTIONS = {"借", "借方", "支", "支出", "出", "付", "d", "dr", "debit", "-"}
TOTAL_ROWS = ("合计", "总计", "小计", "本页合计", "累计")


class StatementError(ValueError):
    """The file cannot be read as a bank statement; ``str()`` says why, for the secretariat."""


@dataclass(frozen=True)
class ParsedLine:
    """One credit of a statement, as read from the file (``row`` counts from 1, the header too)."""

    row: int
    date: date
    amount: Decimal
    payer: str
    memo: str = ""
    reference: str = ""

    @property
    def key(self) -> str:
        return line_key(
            on=self.date, amount=self.amount, payer=self.payer, reference=self.reference
        )


def name_normalised(name: str) -> str:
    """A company name as it is compared: full-width folded, no spaces, 有限责任公司 as 有限公司.

    NFKC folds full-width letters, digits and brackets (（） → ()); 【】〔〕[] are
    brackets too; Latin letters are compared without case.
    """
    text = unicodedata.normalize("NFKC", name or "")
    text = re.sub(r"\s+", "", text)
    text = text.translate(str.maketrans("【】〔〕[]", "()()()"))
    text = text.replace("有限责任公司", "有限公司")
    return text.casefold()


def line_key(*, on: date, amount: Decimal, payer: str, reference: str) -> str:
    """The fingerprint of a statement line: sha256 of date|amount|normalised payer|reference."""
    reference = unicodedata.normalize("NFKC", reference or "").strip()
    text = f"{on.isoformat()}|{Decimal(amount).quantize(CENT)}|{name_normalised(payer)}|{reference}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# Reading -------------------------------------------------------------------------------------


# The shared readers (portal.spreadsheet_reading) under this module's names.
_cell_text = cell_text
_header = header_key


# A header's column, and its rank among that column's names (交易日期 before 交易时间).
HEADER_NAMES = {
    _header(name): (column, rank)
    for column, names in COLUMNS.items()
    for rank, name in enumerate(names)
}


def _columns(row: Sequence) -> dict[str, int]:
    """The known columns of a header row: column → index, by the best-ranked name of each."""
    found: dict[str, tuple[int, int]] = {}
    for index, value in enumerate(row):
        column, rank = HEADER_NAMES.get(_header(value), (None, 0))
        if column and (column not in found or rank < found[column][0]):
            found[column] = (rank, index)
    return {column: index for column, (_rank, index) in found.items()}


def _missing(columns: dict[str, int]) -> list[str]:
    has = {
        "date": "date" in columns,
        "money": "credit" in columns or "amount" in columns,
        "payer": "payer" in columns,
    }
    return [REQUIRED[name] for name, present in has.items() if not present]


def _amount(value) -> Decimal | None:
    """The cell's amount of yuan, None for an empty cell; ValueError when it is not one."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return Decimal(value).quantize(CENT)
    if isinstance(value, float):
        # Excel keeps numbers as binary floats: the shortest repr is what it shows.
        amount = Decimal(repr(value))
        rounded = amount.quantize(CENT)
        if abs(amount - rounded) > Decimal("0.000001"):
            raise ValueError(value)
        return rounded
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if text in {"", "-", "--", "—"}:
        return None
    negative = text.startswith("(") and text.endswith(")")
    text = re.sub(r"(?i)rmb|cny|[\s,¥$元()]", "", text)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(value) from None
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise ValueError(value)
    return (-amount if negative else amount).quantize(CENT)


def _date(value) -> date | None:
    """The cell's date (this century's only: a bank statement has no other), None if empty."""
    return parse_date(value)


def _is_debit(direction: str) -> bool:
    return unicodedata.normalize("NFKC", direction).strip().casefold() in DEBIT_DIRECTIONS


def _lines(rows: Iterable[Sequence]) -> Iterator[ParsedLine]:
    """The credits of a table whose header row is among its first rows."""
    columns: dict[str, int] | None = None
    best: dict[str, int] = {}
    for number, row in enumerate(rows, start=1):
        if number > STATEMENT_MAX_ROWS:
            raise StatementError(
                _("The statement has more than %(count)d rows: split it into smaller files.")
                % {"count": STATEMENT_MAX_ROWS}
            )
        if columns is None:
            found = _columns(row)
            if not _missing(found):
                columns = found
            elif number >= HEADER_SEARCH_ROWS:
                break
            elif len(found) > len(best):
                best = found
            continue
        line = _line(number, row, columns)
        if line is not None:
            yield line
    if columns is None:
        raise StatementError(
            _(
                "This is not a bank statement that can be read: it has no column %(columns)s. "
                "Export the statement from the bank's online banking as Excel or CSV, with "
                "its header row (交易日期, 贷方金额, 对方户名 …)."
            )
            % {"columns": "、".join(_missing(best))}
        )


def _line(number: int, row: Sequence, columns: dict[str, int]) -> ParsedLine | None:
    def cell(column: str):
        index = columns.get(column)
        return row[index] if index is not None and index < len(row) else None

    texts = [text for text in (_cell_text(value) for value in row) if text]
    if not texts:
        return None
    money_column = "credit" if "credit" in columns else "amount"
    try:
        amount = _amount(cell(money_column))
    except ValueError:
        raise StatementError(
            _("Row %(row)d: “%(value)s” is not an amount of yuan.")
            % {"row": number, "value": _cell_text(cell(money_column))[:40]}
        ) from None
    if amount is None or amount <= 0:
        return None  # a debit, or a line without money received
    if money_column == "amount" and _is_debit(_cell_text(cell("direction"))):
        return None
    try:
        on = _date(cell("date"))
    except ValueError:
        on = None
    if on is None and any(text.startswith(TOTAL_ROWS) for text in texts):
        return None  # the totals under the table (合计, 本页合计 …) have no date
    if on is None:
        raise StatementError(
            _("Row %(row)d: “%(value)s” is not a date.")
            % {"row": number, "value": _cell_text(cell("date"))[:40]}
        )
    memo = _cell_text(cell("memo"))
    reference = _cell_text(cell("reference")) if "reference" in columns else memo
    return ParsedLine(
        row=number,
        date=on,
        amount=amount,
        payer=_cell_text(cell("payer"))[:200],
        memo=memo[:300],
        reference=reference[:100],
    )


def _unreadable(reason: str) -> StatementError:
    if reason == UnreadableFile.TOO_LARGE:
        return StatementError(
            _("The file is too large: the limit is %(limit)s.")
            % {"limit": filesizeformat(STATEMENT_MAX_BYTES)}
        )
    if reason == UnreadableFile.EMPTY:
        return StatementError(_("The file is empty."))
    if reason == UnreadableFile.OLD_EXCEL:
        return StatementError(
            _(
                "This is an old Excel file (.xls): open it in Excel, save it as .xlsx "
                "(Excel workbook) or CSV, and upload that."
            )
        )
    return _not_a_spreadsheet()


def _not_a_spreadsheet() -> StatementError:
    return StatementError(
        _(
            "This file is not a spreadsheet: upload the statement as exported from the "
            "bank, in Excel (.xlsx) or CSV format."
        )
    )


def statement_read(file) -> list[ParsedLine]:
    """The credits of a bank statement file (CSV or XLSX), or StatementError saying why not."""
    try:
        data = read_upload(file, max_bytes=STATEMENT_MAX_BYTES)
        rows = table_rows(
            data,
            score=lambda row: len(_columns(row)),
            is_header=lambda row: not _missing(_columns(row)),
            max_rows=STATEMENT_MAX_ROWS,
        )
    except UnreadableFile as unreadable:
        raise _unreadable(unreadable.reason) from None
    lines = list(_lines(rows))
    if not lines:
        raise StatementError(
            _("The statement has no money received (no credit lines): nothing to import.")
        )
    return lines


# Matching ------------------------------------------------------------------------------------


@dataclass
class LineMatch:
    """What ``statement_match`` found for a line: its state, the bill or the candidates, why."""

    line: ParsedLine
    state: str
    bill: DuesBill | None = None
    candidates: list[int] = field(default_factory=list)
    note: str = ""


def _bill_names(bill: DuesBill) -> set[str]:
    company = bill.company
    names = {company.name, company.short_name, *(company.aliases or [])}
    return {name_normalised(name) for name in names if name and name.strip()}


def _receipts(keys: Sequence[str]) -> dict[str, str]:
    """The receipt number of each key already on a payment, in one query."""
    return {
        key: f"{receipt_year}-{sequence:04d}"
        for key, receipt_year, sequence in Payment.objects.filter(
            statement_key__in=keys
        ).values_list("statement_key", "receipt_year", "receipt_sequence")
    }


def _yuan(amount: Decimal) -> str:
    return f"¥{amount:,.2f}"


def statement_match(lines: Sequence[ParsedLine], *, year: int | None = None) -> list[LineMatch]:
    """Match each line to the open bill it pays (of ``year``, or of any year), in three queries.

    A bill is a candidate when its company's name, short name or an alias is
    the payer's name (both normalised, ``name_normalised``) and what is
    still due on it is the line's amount, or more (a part payment). One bill
    due exactly wins over part payments; two or more equal candidates make
    the line ambiguous, none unmatched. Lines are taken in order and each
    match counts against its bill, so two transfers never pay one bill's
    amount twice. A line whose key is on a payment already, or on a line of
    a statement confirmed before, or earlier in the same file, is already
    imported.
    """
    keys = list({line.key for line in lines})
    bills = DuesBill.objects.open().select_related("company").order_by("year", "pk")
    if year is not None:
        bills = bills.filter(year=year)
    by_name: dict[str, list[DuesBill]] = defaultdict(list)
    remaining: dict[int, Decimal] = {}
    for bill in bills:
        remaining[bill.pk] = bill.outstanding()
        for name in _bill_names(bill):
            by_name[name].append(bill)
    paid = _receipts(keys)
    imported = dict(
        StatementLine.objects.filter(key__in=keys)
        .filter(Q(state=StatementLineState.CONFIRMED) | Q(statement__confirmed_at__isnull=False))
        .order_by("-statement_id")
        .values_list("key", "statement__file_name")
    )
    seen: dict[str, int] = {}
    matches = []
    for line in lines:
        matches.append(_match(line, by_name, remaining, paid, imported, seen))
        seen.setdefault(line.key, line.row)
    return matches


def _match(line, by_name, remaining, paid, imported, seen) -> LineMatch:
    already = StatementLineState.ALREADY_IMPORTED
    if line.key in paid:
        note = _("Already recorded: receipt %(number)s.") % {"number": paid[line.key]}
        return LineMatch(line, already, note=note)
    if line.key in imported:
        note = _("Already in the confirmed statement “%(file)s”.") % {"file": imported[line.key]}
        return LineMatch(line, already, note=note)
    if line.key in seen:
        note = _("The same transfer as row %(row)d of this file.") % {"row": seen[line.key]}
        return LineMatch(line, already, note=note)
    if not line.payer.strip():
        return LineMatch(line, StatementLineState.UNMATCHED, note=_("The line names no payer."))
    candidates = by_name.get(name_normalised(line.payer), [])
    if not candidates:
        note = _("No company with an open bill is called “%(payer)s”.") % {"payer": line.payer}
        return LineMatch(line, StatementLineState.UNMATCHED, note=note)
    exact = [bill for bill in candidates if remaining[bill.pk] == line.amount]
    part = [bill for bill in candidates if remaining[bill.pk] > line.amount]
    tied = exact or part
    if not tied:
        due = sum((remaining[bill.pk] for bill in candidates), Decimal("0.00"))
        note = _("¥%(amount)s is more than the %(due)s still due on this payer's open bills.") % {
            "amount": f"{line.amount:,.2f}",
            "due": _yuan(due),
        }
        return LineMatch(line, StatementLineState.UNMATCHED, note=note)
    if len(tied) > 1:
        note = _("%(count)d open bills could be this payment: %(bills)s. Choose one.") % {
            "count": len(tied),
            "bills": "、".join(f"{bill.number} {bill.company.name}" for bill in tied),
        }
        return LineMatch(
            line, StatementLineState.AMBIGUOUS, candidates=[bill.pk for bill in tied], note=note
        )
    bill = tied[0]
    note = "" if exact else _part_note(line.amount, remaining[bill.pk])
    remaining[bill.pk] -= line.amount
    return LineMatch(line, StatementLineState.MATCHED, bill=bill, candidates=[bill.pk], note=note)


def _part_note(amount: Decimal, outstanding: Decimal) -> str:
    return _("Part payment: %(amount)s of the %(outstanding)s still due.") % {
        "amount": _yuan(amount),
        "outstanding": _yuan(outstanding),
    }


# Writing -------------------------------------------------------------------------------------


def statement_import(*, file, by) -> StatementImport:
    """Read ``file``, match its lines and save them with their state; nothing is paid yet.

    StatementError (nothing saved) when the file cannot be read.
    """
    lines = statement_read(file)
    matches = statement_match(lines)
    with transaction.atomic():
        statement = StatementImport.objects.create(
            file_name=PurePath(getattr(file, "name", "") or "statement").name[:255],
            uploaded_by=by,
            line_count=len(lines),
        )
        StatementLine.objects.bulk_create(
            StatementLine(
                statement=statement,
                row=match.line.row,
                date=match.line.date,
                amount=match.line.amount,
                payer=match.line.payer,
                memo=match.line.memo,
                reference=match.line.reference,
                key=match.line.key,
                state=match.state,
                bill=match.bill,
                candidate_bill_ids=match.candidates,
                note=match.note[:300],
            )
            for match in matches
        )
    return statement


ASSIGNABLE = (
    StatementLineState.MATCHED,
    StatementLineState.AMBIGUOUS,
    StatementLineState.UNMATCHED,
)


def statement_line_assign(*, line: StatementLine, bill: DuesBill) -> StatementLine:
    """The secretariat says which bill a line pays: it is matched to it, to be confirmed.

    Refused (DuesError) for a line recorded or imported already, a bill with
    nothing due, and a line worth more than is still due on the bill.
    """
    with transaction.atomic():
        line = StatementLine.objects.select_for_update().get(pk=line.pk)
        if line.state not in ASSIGNABLE:
            raise DuesError(_("This line was recorded or imported already."))
        open_bill = DuesBill.objects.open().select_related("company").filter(pk=bill.pk).first()
        if open_bill is None:
            raise DuesError(_("Nothing is due on this bill any more."))
        outstanding = open_bill.outstanding()
        if line.amount > outstanding:
            raise DuesError(
                _("¥%(amount)s is more than the %(outstanding)s still due on %(bill)s.")
                % {
                    "amount": f"{line.amount:,.2f}",
                    "outstanding": _yuan(outstanding),
                    "bill": f"{open_bill.number} {open_bill.company.name}",
                }
            )
        line.bill = open_bill
        line.state = StatementLineState.MATCHED
        note = _("Assigned by the secretariat.")
        if line.amount < outstanding:
            note += " " + _part_note(line.amount, outstanding)
        line.note = note[:300]
        line.save(update_fields=["bill", "state", "note"])
    return line


def _already(line: StatementLine, number: str) -> None:
    line.state = StatementLineState.ALREADY_IMPORTED
    line.note = _("Already recorded: receipt %(number)s.") % {"number": number}


def statement_confirm(*, statement: StatementImport, line_ids: Iterable[int], by) -> list[Payment]:
    """Record the chosen matched lines of ``statement`` as bank transfers; return the payments.

    Each line is paid once: a line whose key is on a payment already (from
    this statement, another upload of it, or a confirm running at the same
    time, which the unique ``Payment.statement_key`` refuses) is marked
    already imported instead. A line the bill refuses (settled or waived
    meanwhile, more than is due) keeps its state with the reason as its
    note. All in one transaction; the statement is marked confirmed.
    """
    ids = {int(pk) for pk in line_ids}
    payments: list[Payment] = []
    with transaction.atomic():
        statement = StatementImport.objects.select_for_update().get(pk=statement.pk)
        lines = list(
            statement.lines.select_for_update()
            .filter(pk__in=ids, state=StatementLineState.MATCHED, bill__isnull=False)
            .select_related("bill")
            .order_by("row")
        )
        paid = _receipts([line.key for line in lines])
        for line in lines:
            if line.key in paid:
                _already(line, paid[line.key])
                line.save(update_fields=["state", "note"])
                continue
            try:
                with transaction.atomic():
                    payment = payment_record(
                        bill=line.bill,
                        amount=line.amount,
                        method=PaymentMethod.BANK_TRANSFER,
                        reference=line.reference,
                        paid_on=line.date,
                        statement_key=line.key,
                        by=by,
                    )
            except IntegrityError:
                # Recorded at the same time from another upload of the statement.
                other = Payment.objects.filter(statement_key=line.key).first()
                if other is None:
                    raise
                _already(line, other.receipt_number)
            except DuesError as error:
                other = Payment.objects.filter(statement_key=line.key).first()
                if other is not None:  # the other upload paid the bill in full first
                    _already(line, other.receipt_number)
                    line.save(update_fields=["state", "note"])
                    continue
                line.note = " ".join(error.messages)[:300]
                line.save(update_fields=["note"])
                continue
            else:
                payments.append(payment)
                paid[line.key] = payment.receipt_number
                line.state = StatementLineState.CONFIRMED
                line.payment = payment
                line.note = (
                    _("Recorded: receipt %(number)s.") % {"number": payment.receipt_number}
                    + (" " + line.note if line.note else "")
                )[:300]
            line.save(update_fields=["state", "payment", "note"])
        if statement.confirmed_at is None:
            statement.confirmed_at = timezone.now()
            statement.confirmed_by = by
            statement.save(update_fields=["confirmed_at", "confirmed_by"])
    return payments
