"""The member importer: a secretariat's member list (xlsx or csv) read, previewed, applied.

``member_list(file)`` opens the list; ``import_preview(rows)`` says, row by
row, what would change and what is wrong, without writing; ``import_apply(preview,
by=...)`` writes it all in one transaction, and only when no row has an error.
``read_rows(file)`` is the list's rows as a list, for a short list or a test.
``export_rows`` / ``members_template_xlsx`` write the same columns back, so an
export imports back unchanged. The admin and the ``import_members`` /
``export_members`` commands both use these.

The columns (``MEMBER_COLUMNS``) are the template's Chinese headers; the
header row may come after a title row and is found by its 单位名称 column.
Headers are compared after folding full-width characters and dropping a
note in brackets and ``*`` (``*单位名称``, ``统一社会信用代码(18位)``); these
variants are accepted too:

- 单位名称: 单位, 企业名称, 公司名称, 会员单位, 会员单位名称, 会员名称, 单位全称;
- 简称: 单位简称, 企业简称; 英文名称: 英文名, 英文全称;
- 统一社会信用代码: 信用代码, 社会信用代码, 统一信用代码;
- 城市: 所在城市, 所在地区, 地区, 所在地; 行业: 行业分类, 所属行业, 行业类别;
- 地址: 单位地址, 通讯地址, 联系地址, 办公地址; 网址: 网站, 单位网址, 官网, 主页;
- 电话: 联系电话, 单位电话, 办公电话; 邮箱: 邮箱地址, 电子邮箱, 单位邮箱, email, e-mail;
- 入会日期: 入会时间, 加入日期; 届内职务: 会员类别, 会员类型, 理事会职务, 会员级别;
- 联系人: 联系人姓名, 工作联系人; 职务: 联系人职务, 职位;
- 手机: 手机号, 手机号码, 联系人手机, 移动电话; 联系人邮箱: 联系人电子邮箱, 登录邮箱.

Cells are read as Excel gives them: text trimmed (full-width spaces too),
full-width letters and digits folded (all of NFKC for codes, phones, emails,
dates and addresses of websites; names keep their Chinese punctuation),
numbers that Excel made of a code or phone (13800138000.0, 1.3800138E+10)
written out as digits, dates as dates, Excel serials, 2021/6/1 or
2021年6月1日. Empty rows are skipped.

A blank cell leaves the stored value as it is: an import adds and corrects,
it never erases. A row matches a company by its credit code, else by its
exact name, else by a former name or the short name (``aliases``); a name
changed under the same credit code keeps the old name as an alias. Rows of
one company are errors (on each of them), except one row per contact: rows
with the same company details and different 联系人邮箱. New companies are
active members. A row's 联系人邮箱 makes or updates that contact (the first
new contact of a company without a primary contact becomes primary); no
mail is sent and no invitation: the secretariat invites contacts from the
admin afterwards. 届内职务 sets the company's seat in the current term (or
the term given).

Memory stays flat in the number of rows: a list is never held whole. The file
is read again for each pass (``member_list`` reads from the file each time it
is iterated), and the rows are worked CHUNK_ROWS at a time, each chunk with
its own few queries. A first pass keeps a few numbers a row: the row's
number, and 64-bit hashes (Python's keyed str hash) of its credit code, name,
contact email and company cells, to find the rows of one company and the
emails given twice anywhere in the file; two different values taken for one
could only make both rows an error, never a wrong write (a chance of about
1 in 10^11 in a list of 20,000 rows). Then a pass previews the rows chunk by
chunk; a preview keeps exact counts, but of the rows only those it shows
(SHOWN_ROWS: errors first, then new, then changed) and its first SHOWN_ERRORS
errors, with a digest of what it says each row does. ``import_apply`` checks,
inside its transaction and before writing anything, that the rows previewed
again say the same (the digest), then writes them chunk by chunk.
"""

import hashlib
import heapq
import logging
import re
import secrets
import unicodedata
from array import array
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from itertools import groupby, islice, pairwise

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, UNUSABLE_PASSWORD_SUFFIX_LENGTH
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.db.models.functions import Lower
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from portal.spreadsheet_reading import (
    HEADER_SEARCH_ROWS,
    StreamedTable,
    UnreadableFile,
    header_key,
    parse_date,
)
from portal.spreadsheets import xlsx_bytes

from .credit_code import check_character, validate_credit_code
from .import_audit import log_rows
from .models import City, Company, Contact, CouncilSeat, IndustrySegment, SeatRole, Term

logger = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000  # rows under the header row
CHUNK_ROWS = 500  # rows previewed (with their few queries) and written at a time
SHOWN_ROWS = 1000  # rows a preview keeps to show: errors first, then new, then changed
SHOWN_ERRORS = 1000  # errors a preview keeps; all are counted
# Excel serials of 1950-01-01 … 2099-12-31: an association's members joined within these.
JOINED_SERIALS = (18264, 73051)

NAME = "单位名称"
SHORT_NAME = "简称"
ENGLISH_NAME = "英文名称"
CREDIT_CODE = "统一社会信用代码"
CITY = "城市"
INDUSTRY = "行业"
ADDRESS = "地址"
WEBSITE = "网址"
PHONE = "电话"
PUBLIC_EMAIL = "邮箱"
JOINED_ON = "入会日期"
ROLE = "届内职务"
CONTACT_NAME = "联系人"
JOB_TITLE = "职务"
MOBILE = "手机"
CONTACT_EMAIL = "联系人邮箱"

MEMBER_COLUMNS = (
    NAME,
    SHORT_NAME,
    ENGLISH_NAME,
    CREDIT_CODE,
    CITY,
    INDUSTRY,
    ADDRESS,
    WEBSITE,
    PHONE,
    PUBLIC_EMAIL,
    JOINED_ON,
    ROLE,
    CONTACT_NAME,
    JOB_TITLE,
    MOBILE,
    CONTACT_EMAIL,
)
CONTACT_COLUMNS = (CONTACT_NAME, JOB_TITLE, MOBILE, CONTACT_EMAIL)
COMPANY_COLUMNS = tuple(column for column in MEMBER_COLUMNS if column not in CONTACT_COLUMNS)

HEADER_VARIANTS = {
    NAME: ("单位", "企业名称", "公司名称", "会员单位", "会员单位名称", "会员名称", "单位全称"),
    SHORT_NAME: ("单位简称", "企业简称"),
    ENGLISH_NAME: ("英文名", "英文全称"),
    CREDIT_CODE: ("信用代码", "社会信用代码", "统一信用代码"),
    CITY: ("所在城市", "所在地区", "地区", "所在地"),
    INDUSTRY: ("行业分类", "所属行业", "行业类别"),
    ADDRESS: ("单位地址", "通讯地址", "联系地址", "办公地址"),
    WEBSITE: ("网站", "单位网址", "官网", "主页"),
    PHONE: ("联系电话", "单位电话", "办公电话"),
    PUBLIC_EMAIL: ("邮箱地址", "电子邮箱", "单位邮箱", "email", "e-mail"),
    JOINED_ON: ("入会时间", "加入日期"),
    ROLE: ("会员类别", "会员类型", "理事会职务", "会员级别"),
    CONTACT_NAME: ("联系人姓名", "工作联系人"),
    JOB_TITLE: ("联系人职务", "职位"),
    MOBILE: ("手机号", "手机号码", "联系人手机", "移动电话"),
    CONTACT_EMAIL: ("联系人电子邮箱", "登录邮箱"),
}

# Columns folded with NFKC as a whole; the others only lose full-width letters and digits.
NFKC_COLUMNS = {ENGLISH_NAME, CREDIT_CODE, WEBSITE, PHONE, PUBLIC_EMAIL, JOINED_ON, MOBILE}
NFKC_COLUMNS |= {CONTACT_EMAIL}
NUMBER_COLUMNS = {CREDIT_CODE, PHONE, MOBILE}
MAX_LENGTHS = {
    NAME: 200,
    SHORT_NAME: 50,
    ENGLISH_NAME: 200,
    ADDRESS: 255,
    WEBSITE: 200,
    PHONE: 40,
    PUBLIC_EMAIL: 254,
    CONTACT_NAME: 100,
    JOB_TITLE: 100,
    MOBILE: 40,
    CONTACT_EMAIL: 254,
}

MOBILE_NUMBER = re.compile(r"(?:\+?86-?)?1[3-9]\d{9}")
LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}(?:(?:-|转|#|ext\.?|x)\d{1,6})?", re.IGNORECASE)
SERVICE_NUMBER = re.compile(r"[48]00-?\d{3}-?\d{4}")
SCIENTIFIC = re.compile(r"\d(?:\.\d+)?[eE]\+?\d{1,2}")
FULL_WIDTH_ALNUM = {
    code: code - 0xFEE0
    for code in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]
}
SAMPLE_CREDIT_CODE = "91330106MA2H3K4L5" + check_character("91330106MA2H3K4L5")


class ImportFileError(ValueError):
    """The file cannot be read as a member list; ``str()`` says why, in the active language."""


class ImportRefused(ValueError):
    """``import_apply`` will not write this preview; ``str()`` says why."""


# Reading -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RawRow:
    """One row of the file: its number in the file (the header row counts) and its cells.

    ``cells`` maps MEMBER_COLUMNS headers (or the honours' columns) to the
    cleaned cell: text, or a date for a date cell; blank cells are left out.
    """

    row: int
    cells: dict[str, str | date]

    def text(self, column: str) -> str:
        value = self.cells.get(column, "")
        return value.isoformat() if isinstance(value, date) else value


def _header_names(columns: Sequence[str], variants: dict[str, Sequence[str]]) -> dict[str, str]:
    names = {}
    for column in columns:
        for name in (column, *variants.get(column, ())):
            names.setdefault(header_key(name).casefold(), column)
    return names


MEMBER_HEADERS = _header_names(MEMBER_COLUMNS, HEADER_VARIANTS)


def _columns(row: Sequence, headers: dict[str, str]) -> dict[str, int]:
    """The known columns of a row taken as a header row: column → index (the first wins)."""
    found: dict[str, int] = {}
    for index, value in enumerate(row):
        column = headers.get(header_key(value).casefold())
        if column and column not in found:
            found[column] = index
    return found


def _clean(column: str, value) -> str | date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.date() if value.time() == time() else value
    if isinstance(value, date):
        return value if column == JOINED_ON else value.isoformat()
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    text = str(value)
    if column in NFKC_COLUMNS:
        text = unicodedata.normalize("NFKC", text)
    else:
        text = text.translate(FULL_WIDTH_ALNUM)
    text = text.strip()
    if column in NUMBER_COLUMNS and re.fullmatch(r"\d+\.0+", text):
        text = text.split(".")[0]  # a number cell saved from Excel as 13800138000.0
    if column in NUMBER_COLUMNS and SCIENTIFIC.fullmatch(text):
        text = str(int(Decimal(text)))  # the pattern is a number: no InvalidOperation
    return text or None


def _file_error(reason: str) -> ImportFileError:
    if reason == UnreadableFile.TOO_LARGE:
        return ImportFileError(
            _("The file is too large: the limit is %(limit)s.")
            % {"limit": filesizeformat(MAX_BYTES)}
        )
    if reason == UnreadableFile.EMPTY:
        return ImportFileError(_("The file is empty."))
    if reason == UnreadableFile.OLD_EXCEL:
        return ImportFileError(
            _(
                "This is an old Excel file (.xls): open it in Excel, save it as .xlsx "
                "(Excel workbook) or CSV, and upload that."
            )
        )
    return ImportFileError(
        _(
            "This file is not a spreadsheet: upload the list as an Excel workbook (.xlsx) "
            "or a CSV file."
        )
    )


def _unreadable(unreadable: UnreadableFile, sheet: str | None) -> ImportFileError:
    if unreadable.reason == UnreadableFile.NO_SUCH_SHEET:
        return ImportFileError(_("The workbook has no sheet named “%(sheet)s”.") % {"sheet": sheet})
    return _file_error(unreadable.reason)


class RowSource:
    """The rows of a list (RawRow), read from its file each time it is iterated: never all kept.

    ``file`` is a path, bytes or a seekable binary file (an upload, a file
    from a storage), which must stay open while the rows are read. Raises
    ImportFileError at once when the file is not a spreadsheet, has no header
    row with the ``required`` column, or no row under it; iterating raises it
    when the file has more than MAX_ROWS rows under its header row (or cannot
    be read further, or changed).
    """

    def __init__(
        self,
        file,
        *,
        columns: Sequence[str],
        headers: dict[str, str],
        required: str,
        sheet: str | None,
    ):
        self.columns, self.headers, self.required, self.sheet = columns, headers, required, sheet
        try:
            self._table = StreamedTable(
                file,
                score=lambda row: len(_columns(row, headers)),
                is_header=lambda row: required in _columns(row, headers),
                max_bytes=None if isinstance(file, bytes) else MAX_BYTES,
                sheet=sheet,
            )
        except UnreadableFile as unreadable:
            raise _unreadable(unreadable, sheet) from None
        if next(iter(self), None) is None:
            raise ImportFileError(
                _("The file has no rows under its header row: nothing to import.")
            )

    def __iter__(self) -> Iterator[RawRow]:
        found: dict[str, int] | None = None
        header_row = 0
        try:
            for number, row in enumerate(self._table, start=1):
                if found is None:
                    candidate = _columns(row, self.headers)
                    if self.required in candidate:
                        found, header_row = candidate, number
                    elif number >= HEADER_SEARCH_ROWS:
                        break
                    continue
                if number - header_row > MAX_ROWS:
                    raise ImportFileError(
                        _("The file has more than %(count)d rows: split it into smaller files.")
                        % {"count": MAX_ROWS}
                    )
                cells = {}
                for column, index in found.items():
                    value = _clean(column, row[index]) if index < len(row) else None
                    if value is not None:
                        cells[column] = value
                if cells:
                    yield RawRow(row=number, cells=cells)
            if found is None and not self._table.has_values():
                raise UnreadableFile(UnreadableFile.EMPTY)
        except UnreadableFile as unreadable:
            raise _unreadable(unreadable, self.sheet) from None
        if found is None:
            raise ImportFileError(
                _(
                    "This list cannot be read: it has no column %(column)s. Use the template, "
                    "with its header row (%(headers)s …)."
                )
                % {"column": self.required, "headers": "、".join(self.columns[:4])}
            )


def _read(
    file,
    *,
    columns: Sequence[str],
    headers: dict[str, str],
    required: str,
    sheet: str | None,
) -> list[RawRow]:
    """All the rows of a list with these columns, as a list (RowSource says what it raises)."""
    return list(RowSource(file, columns=columns, headers=headers, required=required, sheet=sheet))


def member_list(file, *, sheet: str | None = None) -> RowSource:
    """A member list's rows, read from ``file`` (a path, bytes or a binary file) each time.

    The rows as ``import_preview`` takes them, without holding them: the file
    (an .xlsx or .csv) is read again for each pass over it, and must stay open
    until ``import_apply`` is done. Raises ImportFileError (a ValueError) with
    one message when the file is not a spreadsheet, has no 单位名称 column, or
    no rows; ``sheet`` names the workbook's sheet to read (else the first with
    a header row).
    """
    return RowSource(
        file, columns=MEMBER_COLUMNS, headers=MEMBER_HEADERS, required=NAME, sheet=sheet
    )


def read_rows(file, *, sheet: str | None = None) -> list[RawRow]:
    """The rows of a member list, all of them in a list: a path, bytes or a binary file.

    Raises ImportFileError as ``member_list`` does, and when the file has more
    than MAX_ROWS rows. For a long list, give ``member_list(file)`` to
    ``import_preview`` instead: it is not held in memory.
    """
    return list(member_list(file, sheet=sheet))


# Values --------------------------------------------------------------------------------------


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def _chinese(label) -> str:
    with translation.override("zh-hans"):
        return str(label)


def city_label(value: str) -> str:
    """A City value's Chinese label (杭州市), "" for none."""
    return _chinese(City(value).label) if value else ""


def role_label(value: int | None) -> str:
    """A SeatRole value's Chinese label (理事长单位), "" for none."""
    return _chinese(SeatRole(value).label) if value else ""


def _city_names() -> dict[str, str]:
    names = {}
    for city in City:
        label = _chinese(city.label)
        for name in (label, label.removesuffix("市"), city.value, str(city.label)):
            names[_fold(name)] = city.value
    for name in ("其他", "其它", "浙江省外", "外省"):
        names[_fold(name)] = City.OTHER.value
    return names


def _role_names() -> dict[str, int]:
    names = {}
    for role in SeatRole:
        label = _chinese(role.label)
        for name in (label, label.removesuffix("单位"), role.label):
            names[_fold(str(name))] = role.value
    return names


def _phone(text: str) -> str | None:
    """The phone number as stored, or None when it is not a Chinese mobile or landline."""
    number = re.sub(r"[\s()]", "", text)
    for pattern in (MOBILE_NUMBER, LANDLINE, SERVICE_NUMBER):
        if pattern.fullmatch(number):
            return number
    if number.isdigit() and LANDLINE.fullmatch("0" + number):
        return "0" + number  # a number cell: Excel dropped the area code's 0
    return None


def _website(text: str) -> str | None:
    url = text if re.match(r"(?i)https?://", text) else "https://" + text
    try:
        URLValidator()(url)
    except ValidationError:
        return None
    return url


def _email(text: str) -> str | None:
    try:
        validate_email(text)
    except ValidationError:
        return None
    return text


def _show(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# Preview -------------------------------------------------------------------------------------


class RowStatus(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    ERROR = "error"


@dataclass(frozen=True)
class RowError:
    """What is wrong: the row as numbered in the file, the column's header, why."""

    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass(frozen=True)
class FieldChange:
    """One column a row changes, as shown: its header, the old and the new value."""

    column: str
    old: str
    new: str


@dataclass(slots=True)
class PreviewRow:
    """A row the preview shows: its number in the file, what importing it does or why not.

    ``company_id`` is the member company it matches; None for a new one.
    """

    row: int
    name: str
    status: RowStatus
    changes: list[FieldChange]
    errors: list[RowError]
    company_id: int | None = None


@dataclass
class ImportPreview:
    """What importing the rows would do; counts are of companies, not rows.

    ``rows`` are the rows worth a look, in the file's order: the first rows
    with an error, then the first new and the first changed ones, at most
    SHOWN_ROWS in all (``hidden_rows`` more are not kept; unchanged rows are
    only counted, in ``row_counts`` as the others). ``errors`` are the first
    SHOWN_ERRORS errors, ``error_count`` all of them. ``source`` is the rows
    previewed, read again by ``import_apply``; ``digest`` what the preview says
    each row does, for it to tell whether the members changed since.
    """

    source: Iterable[RawRow]
    term: Term | None
    rows: list[PreviewRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    row_counts: dict[RowStatus, int] = field(default_factory=dict)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    digest: str = ""

    @property
    def has_errors(self) -> bool:
        return self.error_count > 0

    @property
    def hidden_rows(self) -> int:
        """Rows with an error, new or changed that ``rows`` leaves out."""
        counted = (RowStatus.ERROR, RowStatus.NEW, RowStatus.CHANGED)
        return sum(self.row_counts.get(status, 0) for status in counted) - len(self.rows)

    @property
    def hidden_errors(self) -> int:
        return self.error_count - len(self.errors)

    def summary(self) -> str:
        """What the preview would do, to tell whether the data changed since it was made."""
        return self.digest


@dataclass(frozen=True)
class ImportResult:
    """Companies created, updated and unchanged by ``import_apply``."""

    created: int
    updated: int
    unchanged: int


@dataclass(slots=True)
class _Row:
    """A row being previewed or written: what it does (``values``, ``role``, ``contact``)."""

    index: int  # among the rows (not the file's row number)
    row: int
    name: str
    group: int  # the index of the first row of its company: rows of one company share it
    errors: list[RowError] = field(default_factory=list)
    changes: list[FieldChange] = field(default_factory=list)
    company: Company | None = None  # the company it matches; None for a new one
    values: dict = field(default_factory=dict)  # Company field → new value
    role: int | None = None
    contact: dict | None = None


class _IntMap:
    """int → int for up to MAX_ROWS keys, in two sorted arrays (16 bytes a key; a dict takes ~100).

    ``add`` keeps a key in a dict until ``flush`` merges it in, once a chunk.
    """

    def __init__(self):
        self._keys, self._values, self._added = array("q"), array("q"), {}

    def get(self, key: int) -> int | None:
        if key in self._added:
            return self._added[key]
        at = bisect_left(self._keys, key)
        if at < len(self._keys) and self._keys[at] == key:
            return self._values[at]
        return None

    def add(self, key: int, value: int) -> None:
        self._added[key] = value

    def flush(self) -> None:
        if not self._added:
            return
        keys, values = array("q"), array("q")
        kept = zip(self._keys, self._values, strict=True)
        for key, value in heapq.merge(kept, sorted(self._added.items())):
            keys.append(key)
            values.append(value)
        self._keys, self._values, self._added = keys, values, {}


@dataclass
class _Scan:
    """The first pass over the rows: what is kept of each, by index, and the duplicates found."""

    rows: array  # the row's number in the file
    group: array  # the index of the first row of the row's company
    duplicates: dict[int, list[tuple[str, str]]]  # index → (kind, the other rows), errors only

    @property
    def count(self) -> int:
        return len(self.rows)


def _key(value) -> int:
    """A value's 64-bit hash, never 0 (0 is for no value)."""
    return hash(value) or 1


def _contact_email(raw: RawRow) -> str | None:
    """The row's 联系人邮箱 as ``_parse`` gives it: normalised, lower case; None if not valid."""
    text = raw.text(CONTACT_EMAIL)
    email = _email(text) if text else None
    return User.objects.normalize_email(email).lower() if email else None


def _components(count: int, *keys: array) -> array:
    """By index, the first index of the rows that share a key with it, directly or not."""
    parent = array("q", range(count))  # union-find; a group's root is its first row

    def find(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    for values in keys:
        present = sorted(filter(values.__getitem__, range(count)), key=values.__getitem__)
        for first, second in pairwise(present):
            if values[first] == values[second]:
                one, other = find(first), find(second)
                if one != other:
                    parent[max(one, other)] = min(one, other)
    return array("q", (find(index) for index in range(count)))


def _scan(rows: Iterable[RawRow]) -> _Scan:
    """Group the rows of one company; a group is an error unless it is one row per contact.

    Rows with the same credit code or name are one company; rows of one
    company are an error (on each) unless each has its own contact email and
    the same company details; an email on the rows of two companies is an
    error on each of its rows.
    """
    numbers, codes, names, emails, details = (array("q") for _ in range(5))
    for raw in rows:
        numbers.append(raw.row)
        code = raw.text(CREDIT_CODE)
        codes.append(_key("".join(code.split()).upper()) if code else 0)
        name = raw.text(NAME)
        names.append(_key(name) if name else 0)
        email = _contact_email(raw)
        emails.append(_key(email) if email else 0)
        details.append(_key(tuple(raw.cells.get(column) for column in COMPANY_COLUMNS)))
    count = len(numbers)

    group = _components(count, codes, names)
    del codes, names

    duplicates: dict[int, list[tuple[str, str]]] = defaultdict(list)
    sizes = array("q", bytes(8 * count))
    for root in group:
        sizes[root] += 1
    members: dict[int, list[int]] = defaultdict(list)
    for index, root in enumerate(group):
        if sizes[root] > 1:
            members[root].append(index)
    del sizes
    for indexes in members.values():
        mails = [emails[i] for i in indexes]
        if all(mails) and len(set(mails)) == len(mails) and len({details[i] for i in indexes}) == 1:
            continue  # one row per contact of the company
        for index in indexes:
            others = "、".join(str(numbers[i]) for i in indexes if i != index)
            duplicates[index].append(("company", others))
    del members, details
    with_email = sorted(filter(emails.__getitem__, range(count)), key=emails.__getitem__)
    for _email_key, same in groupby(with_email, key=emails.__getitem__):
        indexes = list(same)
        if len(indexes) < 2 or len({group[i] for i in indexes}) < 2:
            continue
        for index in indexes:
            others = "、".join(str(numbers[i]) for i in indexes if i != index)
            duplicates[index].append(("email", others))
    return _Scan(rows=numbers, group=group, duplicates=dict(duplicates))


def _lookups(term: Term | None) -> dict:
    segment_list = list(IndustrySegment.objects.all())
    segments = {}
    for segment in segment_list:
        segments.setdefault(_fold(segment.name), segment)
        if segment.english_name:
            segments.setdefault(_fold(segment.english_name), segment)
    return {
        "cities": _city_names(),
        "roles": _role_names(),
        "segments": segments,
        "segment_list": segment_list,
        "term": term,
    }


def _parse(raw: RawRow, preview_row: _Row, lookups: dict) -> dict:
    """The row's values by column, checked; errors go on ``preview_row``."""

    def error(column: str, message: str) -> None:
        preview_row.errors.append(RowError(raw.row, column, message))

    parsed: dict = {}
    for column, limit in MAX_LENGTHS.items():
        text = raw.text(column)
        if len(text) > limit:
            error(
                column,
                _("%(column)s is longer than %(limit)d characters.")
                % {"column": column, "limit": limit},
            )
    name = raw.text(NAME)
    if not name:
        error(NAME, _("Give the company's name."))
    parsed[NAME] = name
    for column in (SHORT_NAME, ENGLISH_NAME, ADDRESS, CONTACT_NAME, JOB_TITLE):
        if raw.text(column):
            parsed[column] = raw.text(column)
    if code := raw.text(CREDIT_CODE):
        code = "".join(code.split()).upper()
        try:
            validate_credit_code(code)
        except ValidationError as invalid:
            error(CREDIT_CODE, " ".join(invalid.messages))
        parsed[CREDIT_CODE] = code
    if city := raw.text(CITY):
        value = lookups["cities"].get(_fold(city))
        if value is None:
            error(
                CITY,
                _("“%(value)s” is not a city: write one of %(cities)s.")
                % {"value": city, "cities": "、".join(_chinese(c.label) for c in City)},
            )
        parsed[CITY] = value
    if industry := raw.text(INDUSTRY):
        segment = lookups["segments"].get(_fold(industry))
        if segment is None:
            known = [segment.name for segment in lookups["segment_list"][:6]]
            error(
                INDUSTRY,
                _("“%(value)s” is not an industry segment; the segments are: %(segments)s.")
                % {"value": industry, "segments": "、".join(known) + ("…" if known else "")},
            )
        parsed[INDUSTRY] = segment
    if website := raw.text(WEBSITE):
        parsed[WEBSITE] = _website(website)
        if parsed[WEBSITE] is None:
            error(WEBSITE, _("“%(value)s” is not a website address.") % {"value": website})
    for column in (PHONE, MOBILE):
        if text := raw.text(column):
            parsed[column] = _phone(text)
            if parsed[column] is None:
                error(
                    column,
                    _(
                        "“%(value)s” is not a phone number: write a mobile number "
                        "(13800138000) or a landline with its area code (0571-88886666)."
                    )
                    % {"value": text},
                )
    for column in (PUBLIC_EMAIL, CONTACT_EMAIL):
        if text := raw.text(column):
            parsed[column] = _email(text)
            if parsed[column] is None:
                error(column, _("“%(value)s” is not an email address.") % {"value": text})
    if CONTACT_EMAIL in parsed and parsed[CONTACT_EMAIL]:
        parsed[CONTACT_EMAIL] = User.objects.normalize_email(parsed[CONTACT_EMAIL]).lower()
    if raw.cells.get(JOINED_ON) is not None:
        try:
            parsed[JOINED_ON] = parse_date(raw.cells[JOINED_ON], serials=JOINED_SERIALS)
        except ValueError:
            error(
                JOINED_ON,
                _("“%(value)s” is not a date: write it as 2021-06-01.")
                % {"value": raw.text(JOINED_ON)},
            )
    if role := raw.text(ROLE):
        value = lookups["roles"].get(_fold(role))
        if value is None:
            error(
                ROLE,
                _("“%(value)s” is not a council role: write one of %(roles)s.")
                % {"value": role, "roles": "、".join(_chinese(r.label) for r in SeatRole)},
            )
        elif lookups["term"] is None:
            error(
                ROLE,
                _("There is no current council term for the seat: mark a term as current first."),
            )
        parsed[ROLE] = value
    if not raw.text(CONTACT_EMAIL) and any(raw.text(c) for c in CONTACT_COLUMNS):
        error(CONTACT_EMAIL, _("Give the contact's email address: contacts sign in with it."))
    return parsed


def _load(parsed_rows: list[dict], term: Term | None, *, ids: list[int] | None = None) -> dict:
    """The companies, seats, users and primary contacts a chunk of rows may touch: four queries.

    The companies are those the rows may name, or those of ``ids`` when given.
    """
    codes = {p[CREDIT_CODE] for p in parsed_rows if p.get(CREDIT_CODE)}
    names = {p[NAME] for p in parsed_rows if p.get(NAME)}
    emails = {p[CONTACT_EMAIL] for p in parsed_rows if p.get(CONTACT_EMAIL)}
    if ids is not None:
        named = Company.objects.filter(pk__in=set(ids))
    else:
        named = Company.objects.filter(
            Q(credit_code__in=codes)
            | Q(name__in=names)
            | Q(short_name__in=names)
            | Q(aliases__overlap=list(names))
        )
    companies = list(named.select_related("industry"))
    by_code = {c.credit_code: c for c in companies if c.credit_code}
    by_name = {c.name: c for c in companies}
    by_other: dict[str, list[Company]] = defaultdict(list)
    for company in companies:
        for spelling in {company.short_name, *company.aliases} - {"", company.name}:
            by_other[spelling].append(company)
    ids = [c.pk for c in companies]
    seats = (
        {s.company_id: s for s in CouncilSeat.objects.filter(term=term, company_id__in=ids)}
        if term is not None
        else {}
    )
    users = {
        u.email.lower(): u
        for u in User.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=emails)
        .select_related("contact__company")
    }
    with_primary = set(
        Contact.objects.filter(company_id__in=ids, is_primary=True).values_list(
            "company_id", flat=True
        )
    )
    return {
        "by_pk": {c.pk: c for c in companies},
        "by_code": by_code,
        "by_name": by_name,
        "by_other": by_other,
        "seats": seats,
        "users": users,
        "with_primary": with_primary,
    }


def _match(parsed: dict, preview_row: _Row, found: dict, row: int) -> Company | None:
    def error(column: str, message: str) -> None:
        preview_row.errors.append(RowError(row, column, message))

    name, code = parsed.get(NAME), parsed.get(CREDIT_CODE)
    company = found["by_code"].get(code) if code else None
    if company is not None:
        named = found["by_name"].get(name)
        if named is not None and named != company:
            error(
                NAME,
                _("Another member company is already named %(name)s.") % {"name": name},
            )
        return company
    company = found["by_name"].get(name)
    if company is None:
        candidates = found["by_other"].get(name, [])
        if len(candidates) > 1:
            error(
                NAME,
                _("%(name)s could be any of: %(companies)s.")
                % {"name": name, "companies": "、".join(sorted(c.name for c in candidates))},
            )
            return None
        company = candidates[0] if candidates else None
    if company is not None and code and company.credit_code and company.credit_code != code:
        error(
            CREDIT_CODE,
            _("%(name)s has the credit code %(code)s, not this one.")
            % {"name": company.name, "code": company.credit_code},
        )
    return company


COMPANY_FIELDS = {
    SHORT_NAME: "short_name",
    ENGLISH_NAME: "english_name",
    CREDIT_CODE: "credit_code",
    CITY: "city",
    INDUSTRY: "industry",
    ADDRESS: "address",
    WEBSITE: "website",
    PHONE: "phone",
    PUBLIC_EMAIL: "public_email",
    JOINED_ON: "joined_on",
}


def _shown(column: str, value) -> str:
    if column == CITY:
        return city_label(value)
    if column == INDUSTRY:
        return value.name if value is not None else ""
    return _show(value)


def _company_plan(parsed: dict, preview_row: _Row, company: Company | None) -> None:
    """The company fields the row sets, and the changes shown for a known company."""
    values = {}
    if company is None:
        values["name"] = parsed[NAME]
    elif parsed[NAME] != company.name and parsed[NAME] not in {
        company.short_name,
        *company.aliases,
    }:
        values["name"] = parsed[NAME]  # renamed under the same credit code
        preview_row.changes.append(FieldChange(NAME, company.name, parsed[NAME]))
    for column, name in COMPANY_FIELDS.items():
        if column not in parsed:
            continue
        new = parsed[column]
        if company is not None:
            old = getattr(company, name)
            if old == new:
                continue
            preview_row.changes.append(
                FieldChange(column, _shown(column, old), _shown(column, new))
            )
        values[name] = new
    preview_row.values = values


def _seat_plan(parsed: dict, preview_row: _Row, company: Company | None, found) -> None:
    role = parsed.get(ROLE)
    if role is None:
        return
    seat = found["seats"].get(company.pk) if company is not None else None
    if seat is not None and seat.role == role:
        return
    preview_row.role = role
    if company is not None:
        old = role_label(seat.role) if seat is not None else ""
        preview_row.changes.append(FieldChange(ROLE, old, role_label(role)))


def _contact_plan(parsed, preview_row, company, found, new_primary: bytearray) -> None:
    """The contact the row makes or updates; ``new_primary`` marks, by group, a new contact."""
    email = parsed.get(CONTACT_EMAIL)
    if not email:
        return
    user = found["users"].get(email)
    contact = getattr(user, "contact", None) if user is not None else None
    if contact is not None and (company is None or contact.company_id != company.pk):
        preview_row.errors.append(
            RowError(
                preview_row.row,
                CONTACT_EMAIL,
                _("%(email)s is the contact of another company, %(company)s.")
                % {"email": email, "company": contact.company.name},
            )
        )
        return
    if user is not None and contact is None and (user.is_staff or user.is_superuser):
        preview_row.errors.append(
            RowError(
                preview_row.row,
                CONTACT_EMAIL,
                _("%(email)s belongs to a secretariat account, not to a member contact.")
                % {"email": email},
            )
        )
        return
    wanted = {
        CONTACT_NAME: ("name", parsed.get(CONTACT_NAME)),
        JOB_TITLE: ("job_title", parsed.get(JOB_TITLE)),
        MOBILE: ("phone", parsed.get(MOBILE)),
    }
    plan = {"email": email, "user": user, "contact": contact, "fields": {}}
    if contact is None:
        # By group, not company: two groups of one company are an error anyway.
        has_primary = company is not None and company.pk in found["with_primary"]
        plan["primary"] = not has_primary and not new_primary[preview_row.group]
        new_primary[preview_row.group] = 1
        if company is not None:
            preview_row.changes.append(FieldChange(CONTACT_EMAIL, "", email))
    for column, (name, new) in wanted.items():
        if new is None:
            continue
        if contact is not None:
            old = user.name if name == "name" else getattr(contact, name)
            if old == new:
                continue
            preview_row.changes.append(FieldChange(column, old, new))
        plan["fields"][name] = new
    if contact is not None and not plan["fields"]:
        return
    preview_row.contact = plan


def _changed_file() -> ImportFileError:
    return ImportFileError(_("The file changed while it was read: upload it again."))


def _changed_members() -> ImportRefused:
    return ImportRefused(_("The members changed since the preview: preview the file again."))


def _duplicate_error(kind: str, others: str, row: _Row, parsed: dict) -> RowError:
    if kind == "email":
        return RowError(
            row.row,
            CONTACT_EMAIL,
            _("%(email)s is on row %(rows)s too, for another company.")
            % {"email": parsed[CONTACT_EMAIL], "rows": others},
        )
    return RowError(
        row.row,
        CREDIT_CODE if parsed.get(CREDIT_CODE) else NAME,
        _(
            "The same company as row %(rows)s: give each company one row, or one "
            "row per contact with the same company details."
        )
        % {"rows": others},
    )


def _planned(
    rows: Iterable[RawRow], scan: _Scan, lookups: dict, *, companies: array | None = None
) -> Iterator[tuple[list[_Row], dict]]:
    """The rows previewed CHUNK_ROWS at a time, each chunk with what ``_load`` found for it.

    Each row is parsed, matched to a company and planned as ``import_preview``
    describes, its errors on it. With ``companies`` (by index, the pk of the
    company the row matched in an earlier pass, 0 for none), a row is given
    that company instead of being matched again: so a row is not matched to a
    company an earlier chunk has just created or changed.
    """
    term = lookups["term"]
    new_primary = bytearray(scan.count)  # by group: a new contact is made
    first_of = _IntMap()  # company → the index of the first row matching it
    read = 0
    rows = iter(rows)
    while chunk := list(islice(rows, CHUNK_ROWS)):
        prepared = []
        for raw in chunk:
            index, read = read, read + 1
            if index >= scan.count or scan.rows[index] != raw.row:
                raise _changed_file()
            row = _Row(index=index, row=raw.row, name=raw.text(NAME), group=scan.group[index])
            parsed = _parse(raw, row, lookups)
            for kind, others in scan.duplicates.get(index, ()):
                row.errors.append(_duplicate_error(kind, others, row, parsed))
            prepared.append((row, parsed))
        del chunk
        ids = None
        if companies is not None:
            ids = [companies[row.index] for row, _parsed in prepared if companies[row.index]]
        found = _load([parsed for _row, parsed in prepared], term, ids=ids)
        for row, parsed in prepared:
            if companies is None:
                company = _match(parsed, row, found, row.row)
            else:
                company = found["by_pk"].get(companies[row.index])
            row.company = company
            if company is not None:
                first = first_of.get(company.pk)
                if first is None:
                    first_of.add(company.pk, row.index)
                elif scan.group[first] != row.group:
                    row.errors.append(
                        RowError(
                            row.row,
                            NAME,
                            _("Row %(row)d is for this company too, under another name or code.")
                            % {"row": scan.rows[first]},
                        )
                    )
            if row.index == row.group:  # the company's details: from its first row
                _company_plan(parsed, row, company)
                _seat_plan(parsed, row, company, found)
            _contact_plan(parsed, row, company, found, new_primary)
        first_of.flush()
        yield [row for row, _parsed in prepared], found
    if read != scan.count:
        raise _changed_file()


def _status(row: _Row, *, failed: bool) -> RowStatus:
    if row.errors or failed:
        return RowStatus.ERROR
    if row.company is None:
        return RowStatus.NEW
    if row.changes:
        return RowStatus.CHANGED
    return RowStatus.UNCHANGED


def _digest_row(digest, row: _Row, status: RowStatus) -> None:
    changes = tuple((change.column, change.old, change.new) for change in row.changes)
    digest.update(repr((row.row, str(status), changes)).encode() + b"\n")


# By group (the index of its first row): what its rows are.
_FAILED, _PASSED, _NEW, _CHANGED = 1, 2, 4, 8


def _group_flags(flags: bytearray, row: _Row, status: RowStatus) -> None:
    if status == RowStatus.ERROR:
        flags[row.group] |= _FAILED
    else:
        flags[row.group] |= _PASSED
        if status == RowStatus.NEW:
            flags[row.group] |= _NEW
        elif status == RowStatus.CHANGED:
            flags[row.group] |= _CHANGED


def _company_counts(scan: _Scan, flags: bytearray) -> tuple[int, int, int]:
    """Companies created, updated, unchanged: a group with a new row is new, and so on."""
    created = updated = unchanged = 0
    for index, group in enumerate(scan.group):
        if index != group or flags[group] & _FAILED:
            continue
        if flags[group] & _NEW:
            created += 1
        elif flags[group] & _CHANGED:
            updated += 1
        else:
            unchanged += 1
    return created, updated, unchanged


class _Shown:
    """The rows a preview keeps to show, at most ``limit``: errors first, then new, then changed.

    Rows come in the file's order, so each kind keeps its first rows.
    """

    ORDER = (RowStatus.ERROR, RowStatus.NEW, RowStatus.CHANGED)

    def __init__(self, limit: int):
        self.limit = limit
        self.kept: dict[RowStatus, list[PreviewRow]] = {status: [] for status in self.ORDER}

    def add(self, row: _Row, status: RowStatus) -> None:
        if status not in self.kept:
            return
        room = self.limit
        for kind in self.ORDER:
            kept = self.kept[kind]
            if kind == status and len(kept) < room:
                company_id = row.company.pk if row.company is not None else None
                kept.append(
                    PreviewRow(row.row, row.name, status, row.changes, row.errors, company_id)
                )
            del kept[max(room, 0) :]  # the kinds before took their places
            room -= len(kept)

    def rows(self) -> list[PreviewRow]:
        return sorted((row for kept in self.kept.values() for row in kept), key=lambda r: r.row)


def import_preview(rows: Iterable[RawRow], *, term: Term | None = None) -> ImportPreview:
    """What importing ``rows`` would do, row by row; writes nothing.

    ``rows`` is a list of RawRow or, for a long list, ``member_list(file)``,
    which is read twice (a third time when a company's row fails the rows of
    it shown before). ``term`` is the term whose seats 届内职务 sets (the
    current term when None). The queries are two, and four for each
    CHUNK_ROWS rows.
    """
    term = term or Term.objects.current().first()
    source = list(rows) if iter(rows) is rows else rows
    lookups = _lookups(term)
    scan = _scan(source)
    preview = ImportPreview(source=source, term=term)
    flags = bytearray(scan.count)
    for index in scan.duplicates:
        flags[scan.group[index]] |= _FAILED
    if _preview_pass(preview, scan, lookups, flags, first=True):
        _preview_pass(preview, scan, lookups, flags, first=False)
    preview.created, preview.updated, preview.unchanged = _company_counts(scan, flags)
    return preview


def _preview_pass(
    preview: ImportPreview, scan: _Scan, lookups: dict, flags: bytearray, *, first: bool
) -> bool:
    """A pass over the rows: (the first pass) errors, flags and digest; the rows to show.

    Whether a row with an error failed its company after a row of it was
    taken as passing: the rows to show are then chosen again, in a second pass
    that knows which companies fail.
    """
    shown = _Shown(SHOWN_ROWS)
    counts: Counter[RowStatus] = Counter()
    digest = hashlib.sha256()
    late = False
    for chunk, _found in _planned(preview.source, scan, lookups):
        for row in chunk:
            if first and row.errors:
                late = late or bool(flags[row.group] & _PASSED)
                flags[row.group] |= _FAILED
                preview.error_count += len(row.errors)
                room = max(SHOWN_ERRORS - len(preview.errors), 0)
                preview.errors.extend(row.errors[:room])
            status = _status(row, failed=bool(flags[row.group] & _FAILED))
            if first:
                _group_flags(flags, row, status)
                _digest_row(digest, row, status)
            counts[status] += 1
            shown.add(row, status)
    preview.rows = shown.rows()
    preview.row_counts = dict(counts)
    if first:
        preview.digest = digest.hexdigest()
    return late


# Applying ------------------------------------------------------------------------------------


def import_apply(preview: ImportPreview, *, by: User | None) -> ImportResult:
    """Write ``preview`` in one transaction: all of it or, on any error, nothing.

    Refuses (ImportRefused) a preview with errors, and one the members
    changed under since it was made: inside the transaction, before anything
    is written, the rows are previewed again and must say the same (the
    preview's digest); then they are written chunk by chunk, each row to the
    company it matched then. No mail is sent: new contacts get an account
    without a password, and the secretariat invites them later.
    """
    if preview.has_errors:
        raise ImportRefused(_("The list has errors: correct the file and preview it again."))
    with transaction.atomic():
        scan = _scan(preview.source)
        if scan.duplicates:
            raise _changed_members()
        lookups = _lookups(preview.term)
        companies = array("q", bytes(8 * scan.count))  # by index: the company matched, or 0
        digest = hashlib.sha256()
        for chunk, _found in _planned(preview.source, scan, lookups):
            for row in chunk:
                if row.errors:
                    raise _changed_members()
                companies[row.index] = row.company.pk if row.company is not None else 0
                _digest_row(digest, row, _status(row, failed=False))
        if digest.hexdigest() != preview.digest:
            raise _changed_members()

        flags = bytearray(scan.count)
        written = array("q", bytes(8 * scan.count))  # by group: its company, once written
        digest = hashlib.sha256()
        for chunk, found in _planned(preview.source, scan, lookups, companies=companies):
            for row in chunk:
                if row.errors:
                    raise _changed_members()
                status = _status(row, failed=False)
                _group_flags(flags, row, status)
                _digest_row(digest, row, status)
            _write(chunk, preview.term, found, written)
        if digest.hexdigest() != preview.digest:
            raise _changed_members()
    created, updated, unchanged = _company_counts(scan, flags)
    logger.info(
        "member import by %s: %d created, %d updated, %d unchanged",
        by,
        created,
        updated,
        unchanged,
    )
    return ImportResult(created=created, updated=updated, unchanged=unchanged)


def _unusable_password() -> str:
    """What ``set_unusable_password`` stores, made at once (it draws 40 characters one by one)."""
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_hex(UNUSABLE_PASSWORD_SUFFIX_LENGTH // 2)


def _write(rows: list[_Row], term: Term | None, found: dict, written: array) -> None:
    """Write a chunk of rows; ``written`` has, by group, the company of the rows written before."""
    new_companies = []
    for row in rows:
        if row.company is not None:
            if not written[row.group]:
                written[row.group] = row.company.pk
        elif row.values:
            company = Company(status=Company.Status.ACTIVE, **row.values)
            company.search_tokens = company.build_search_tokens()
            new_companies.append((row.group, company))
    Company.objects.bulk_create([company for _group, company in new_companies])
    for group, company in new_companies:
        written[group] = company.pk
    for row in rows:
        if row.company is None or not row.values:
            continue
        company = row.company
        if "name" in row.values and company.name not in company.aliases:
            company.aliases = [*company.aliases, company.name]
            row.values = {**row.values, "aliases": company.aliases}
        for name, value in row.values.items():
            setattr(company, name, value)
        company.save(update_fields=[*row.values, "updated_at"])

    seats_new, seats_changed = [], []
    for row in rows:
        if row.role is None:
            continue
        company_id = written[row.group]
        seat = found["seats"].get(company_id)
        if seat is None:
            seats_new.append(CouncilSeat(term=term, company_id=company_id, role=row.role))
        else:
            seat.role = row.role
            seats_changed.append(seat)
    CouncilSeat.objects.bulk_create(seats_new)
    CouncilSeat.objects.bulk_update(seats_changed, ["role"])

    users_new, users_changed, contacts_new, contacts_changed = [], [], [], []
    for row in rows:
        plan = row.contact
        if plan is None:
            continue
        fields = plan["fields"]
        user, contact = plan["user"], plan["contact"]
        if user is None:
            user = User(
                email=plan["email"], name=fields.get("name", ""), password=_unusable_password()
            )
            users_new.append(user)
        elif "name" in fields and user.name != fields["name"]:
            user.name = fields["name"]
            users_changed.append(user)
        if contact is None:
            contacts_new.append(
                Contact(
                    user=user,
                    company_id=written[row.group],
                    job_title=fields.get("job_title", ""),
                    phone=fields.get("phone", ""),
                    is_primary=plan["primary"],
                )
            )
        elif {"job_title", "phone"} & fields.keys():
            contact.job_title = fields.get("job_title", contact.job_title)
            contact.phone = fields.get("phone", contact.phone)
            contacts_changed.append(contact)
    User.objects.bulk_create(users_new)
    User.objects.bulk_update(users_changed, ["name"])
    Contact.objects.bulk_create(contacts_new)
    Contact.objects.bulk_update(contacts_changed, ["job_title", "phone"])
    log_rows(rows, written)  # the audit log of what the bulk writes above did


# Exporting -----------------------------------------------------------------------------------


def _contacts_prefetch() -> Prefetch:
    return Prefetch(
        "contacts",
        queryset=Contact.objects.select_related("user").order_by("-is_primary", "created_at", "pk"),
        to_attr="export_contacts",
    )


def _company_cells(company: Company, seat_role: int | None) -> list:
    return [
        company.name,
        company.short_name,
        company.english_name,
        company.credit_code or "",
        city_label(company.city),
        company.industry.name if company.industry_id else "",
        company.address,
        company.website,
        company.phone,
        company.public_email,
        company.joined_on,
        role_label(seat_role),
    ]


def export_rows(companies: Iterable[Company], *, term: Term | None = None) -> Iterator[list]:
    """Rows in MEMBER_COLUMNS order: one per contact (primary first), or one without any.

    ``companies`` is a queryset (read in chunks) or a list; the seat shown is
    the one in ``term`` (the current term when None).
    """
    term = term or Term.objects.current().first()
    seats = Prefetch(
        "seats",
        queryset=CouncilSeat.objects.filter(term=term) if term else CouncilSeat.objects.none(),
        to_attr="export_seats",
    )
    if isinstance(companies, QuerySet):
        chunks = _chunks(
            companies.select_related("industry")
            .prefetch_related(_contacts_prefetch(), seats)
            .iterator(chunk_size=500)
        )
    else:
        chunks = _chunks(companies, prefetch=(_contacts_prefetch(), seats))
    for chunk in chunks:
        for company in chunk:
            role = company.export_seats[0].role if company.export_seats else None
            cells = _company_cells(company, role)
            contacts = company.export_contacts
            if not contacts:
                yield [*cells, "", "", "", ""]
            for contact in contacts:
                yield [*cells, contact.user.name, contact.job_title, contact.phone, contact.email]


def _chunks(companies: Iterable[Company], *, prefetch=(), size: int = 500):
    chunk = []
    for company in companies:
        chunk.append(company)
        if len(chunk) == size:
            if prefetch:
                prefetch_related_objects(chunk, "industry", *prefetch)
            yield chunk
            chunk = []
    if chunk:
        if prefetch:
            prefetch_related_objects(chunk, "industry", *prefetch)
        yield chunk


def members_xlsx(companies: Iterable[Company], *, term: Term | None = None) -> bytes:
    """An xlsx of ``companies`` in the template's columns, which imports back unchanged."""
    return xlsx_bytes(
        title="会员名单", headers=MEMBER_COLUMNS, rows=export_rows(companies, term=term)
    )


def members_template_xlsx() -> bytes:
    """The import template: the headers and one sample row."""
    segment = IndustrySegment.objects.first()
    sample = [
        "浙江示例仪表有限公司",
        "示例仪表",
        "Zhejiang Example Instruments Co., Ltd.",
        SAMPLE_CREDIT_CODE,
        "杭州市",
        segment.name if segment is not None else "",
        "杭州市滨江区示例路1号",
        "https://www.example.com",
        "0571-88886666",
        "info@example.com",
        date(2021, 6, 1),
        role_label(SeatRole.MEMBER),
        "张三",
        "办公室主任",
        "13800138000",
        "zhangsan@example.com",
    ]
    return xlsx_bytes(title="会员名单", headers=MEMBER_COLUMNS, rows=[sample])
