"""The honours importer: a list of honours (xlsx or csv), like the government publishes, read,
previewed and applied with the member importer's machinery (``members.importing``).

The columns (``HONOUR_COLUMNS``): 奖项 (the award's name), 年份, 单位名称 (or
统一社会信用代码, or both), and optionally 等级 (一等奖), 文号
(国知发运函字〔2022〕160号) and 项目名称. The header row is found by its 奖项
column, after a title row or not; headers are compared as the member
importer compares them.

A row names a member company: by its credit code, else its exact name, else
a former name or its short name, as the member importer matches them; a
company that is not a member is an error: companies are never created here.
An award is matched by its exact name; an award name that is not yet known
makes a new award on apply, with its issuing body, level and kind left blank
(the model has no defaults for them) for the secretariat to set in the admin.

A row is new, or unchanged when an honour of the same award, year, company and
project is already recorded (an existing honour is never changed), or an error.
``honours_apply`` writes all the new honours in one transaction, and nothing
when any row has an error; whether they are verified is the caller's choice.
The queries are the same few for 10 rows or 10,000.
"""

import logging
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from members.credit_code import validate_credit_code
from members.importing import (
    CREDIT_CODE,
    HEADER_VARIANTS,
    NAME,
    ImportRefused,
    RawRow,
    RowError,
    RowStatus,
    _header_names,
    _match,
    _read,
)
from members.models import Company
from portal.audit import log_created

from .models import Award, Honour

logger = logging.getLogger(__name__)

AWARD = "奖项"
YEAR = "年份"
GRADE = "等级"
DOCUMENT_NUMBER = "文号"
PROJECT = "项目名称"

HONOUR_COLUMNS = (AWARD, YEAR, NAME, CREDIT_CODE, GRADE, DOCUMENT_NUMBER, PROJECT)

HONOUR_VARIANTS = {
    AWARD: ("奖项名称", "荣誉", "荣誉名称", "荣誉称号"),
    YEAR: ("年度", "获奖年份", "获奖年度"),
    NAME: HEADER_VARIANTS[NAME],
    CREDIT_CODE: HEADER_VARIANTS[CREDIT_CODE],
    GRADE: ("获奖等级", "奖项等级", "奖励等级"),
    DOCUMENT_NUMBER: ("发文文号", "文件号", "批准文号"),
    PROJECT: ("项目", "获奖项目", "产品名称", "项目(产品)名称"),
}
HONOUR_HEADERS = _header_names(HONOUR_COLUMNS, HONOUR_VARIANTS)

MAX_LENGTHS = {AWARD: 200, NAME: 200, GRADE: 50, DOCUMENT_NUMBER: 100, PROJECT: 200}
FIRST_YEAR = 1949
YEAR_TEXT = re.compile(r"(\d{4})\s*年?(?:度)?")


def read_honour_rows(file, *, sheet: str | None = None) -> list[RawRow]:
    """The rows of a list of honours: a path, bytes or an (uploaded) file, .xlsx or .csv.

    Raises members.importing.ImportFileError with one message when the file
    is not a spreadsheet, has no 奖项 column, or no rows.
    """
    return _read(file, columns=HONOUR_COLUMNS, headers=HONOUR_HEADERS, required=AWARD, sheet=sheet)


@dataclass
class HonourRow:
    """One row of the file and what importing it does (``status``, ``notes``) or why not."""

    row: int
    award_name: str
    year: int | None
    company_name: str
    project: str = ""
    grade: str = ""
    document_number: str = ""
    status: RowStatus = RowStatus.NEW
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    company: Company | None = None
    award: Award | None = None  # None for a new award, made on apply

    @property
    def company_id(self) -> int | None:
        return self.company.pk if self.company is not None else None


@dataclass
class HonoursPreview:
    """The rows and what importing them would do; counts are of rows (one honour each)."""

    rows: list[HonourRow]
    raw_rows: list[RawRow]
    created: int = 0
    unchanged: int = 0
    new_awards: list[str] = field(default_factory=list)  # award names made on apply

    @property
    def errors(self) -> list[RowError]:
        return [error for row in self.rows for error in row.errors]

    @property
    def has_errors(self) -> bool:
        return any(row.errors for row in self.rows)

    def summary(self) -> list[tuple]:
        """What the preview would do, to tell whether the data changed since it was made."""
        return [
            (row.row, row.status, row.award.pk if row.award else None, row.company_id)
            for row in self.rows
        ]


@dataclass(frozen=True)
class HonoursResult:
    """Honours created and left unchanged by ``honours_apply``; awards it created."""

    created: int
    unchanged: int
    awards_created: int


def _year(text: str, row: HonourRow) -> int | None:
    last = timezone.localdate().year + 1
    found = YEAR_TEXT.fullmatch(text)
    year = int(found.group(1)) if found else None
    if year is None or not FIRST_YEAR <= year <= last:
        row.errors.append(
            RowError(
                row.row,
                YEAR,
                _(
                    "“%(value)s” is not a year: write a year from %(first)d to %(last)d, "
                    "such as 2022."
                )
                % {"value": text, "first": FIRST_YEAR, "last": last},
            )
        )
        return None
    return year


def _parse(raw: RawRow) -> tuple[HonourRow, dict]:
    """The row as previewed, and its company columns as ``members.importing._match`` takes them."""
    row = HonourRow(
        row=raw.row,
        award_name=raw.text(AWARD),
        year=None,
        company_name=raw.text(NAME),
        project=raw.text(PROJECT),
        grade=raw.text(GRADE),
        document_number=raw.text(DOCUMENT_NUMBER),
    )

    def error(column: str, message: str) -> None:
        row.errors.append(RowError(raw.row, column, message))

    for column, limit in MAX_LENGTHS.items():
        if len(raw.text(column)) > limit:
            error(
                column,
                _("%(column)s is longer than %(limit)d characters.")
                % {"column": column, "limit": limit},
            )
    if not row.award_name:
        error(AWARD, _("Give the award's name."))
    if year := raw.text(YEAR):
        row.year = _year(year, row)
    else:
        error(YEAR, _("Give the year."))
    parsed = {NAME: row.company_name}
    if code := raw.text(CREDIT_CODE):
        code = "".join(code.split()).upper()
        try:
            validate_credit_code(code)
        except ValidationError as invalid:
            error(CREDIT_CODE, " ".join(invalid.messages))
        parsed[CREDIT_CODE] = code
    if not row.company_name and not code:
        error(NAME, _("Give the company's name or its credit code."))
    return row, parsed


def _companies(parsed_rows: list[dict]) -> dict:
    """The companies the rows may name, in the lookups ``_match`` takes: one query."""
    codes = {p[CREDIT_CODE] for p in parsed_rows if p.get(CREDIT_CODE)}
    names = {p[NAME] for p in parsed_rows if p.get(NAME)}
    companies = list(
        Company.objects.filter(
            Q(credit_code__in=codes)
            | Q(name__in=names)
            | Q(short_name__in=names)
            | Q(aliases__overlap=list(names))
        )
    )
    by_other: dict[str, list[Company]] = defaultdict(list)
    for company in companies:
        for spelling in {company.short_name, *company.aliases} - {"", company.name}:
            by_other[spelling].append(company)
    return {
        "by_code": {c.credit_code: c for c in companies if c.credit_code},
        "by_name": {c.name: c for c in companies},
        "by_other": by_other,
    }


def honours_preview(rows: Sequence[RawRow]) -> HonoursPreview:
    """What importing ``rows`` would do, row by row; writes nothing. Three queries."""
    parsed = [_parse(raw) for raw in rows]
    found = _companies([p for _row, p in parsed])
    awards: dict[str, list[Award]] = defaultdict(list)
    for award in Award.objects.filter(name__in={row.award_name for row, _p in parsed}):
        awards[award.name].append(award)

    for row, company_columns in parsed:
        row.company = _match(company_columns, row, found, row.row)
        if row.company is None and not row.errors:
            if row.company_name:
                message = _("There is no member company named %(name)s.") % {
                    "name": row.company_name
                }
            else:
                message = _("There is no member company with the credit code %(code)s.") % {
                    "code": company_columns[CREDIT_CODE]
                }
            row.errors.append(RowError(row.row, NAME, message))
        candidates = awards.get(row.award_name, [])
        if len(candidates) > 1:
            row.errors.append(
                RowError(
                    row.row,
                    AWARD,
                    _(
                        "Several awards are named %(name)s (given by %(issuers)s): enter this "
                        "honour in the admin."
                    )
                    % {
                        "name": row.award_name,
                        "issuers": "、".join(sorted(a.issuer or "—" for a in candidates)),
                    },
                )
            )
        elif candidates:
            row.award = candidates[0]

    existing = set(
        Honour.objects.filter(
            award__in=[a for named in awards.values() for a in named],
            company__in=[row.company for row, _p in parsed if row.company is not None],
        ).values_list("award_id", "year", "company_id", "project")
    )
    preview = HonoursPreview(rows=[row for row, _p in parsed], raw_rows=list(rows))
    by_key: dict[tuple, list[HonourRow]] = defaultdict(list)
    for row in preview.rows:
        if row.award_name and row.year and row.company is not None:
            by_key[(row.award_name, row.year, row.company.pk, row.project)].append(row)
    for same in by_key.values():
        if len(same) < 2:
            continue
        for row in same:
            others = "、".join(str(other.row) for other in same if other is not row)
            row.errors.append(
                RowError(
                    row.row,
                    AWARD,
                    _("The same honour as row %(rows)s: give each honour one row.")
                    % {"rows": others},
                )
            )

    for row in preview.rows:
        if row.errors:
            row.status = RowStatus.ERROR
        elif row.award is not None and (
            (row.award.pk, row.year, row.company.pk, row.project) in existing
        ):
            row.status = RowStatus.UNCHANGED
            preview.unchanged += 1
        else:
            row.status = RowStatus.NEW
            preview.created += 1
            if row.award is None:
                row.notes.append(
                    _(
                        "A new award: its issuing body, level and kind are left blank; set "
                        "them in the admin after the import."
                    )
                )
                if row.award_name not in preview.new_awards:
                    preview.new_awards.append(row.award_name)
    return preview


def honours_apply(
    preview: HonoursPreview, *, by: User | None, verified: bool = False
) -> HonoursResult:
    """Write the new honours of ``preview`` in one transaction: all of them or nothing.

    Refuses (members.importing.ImportRefused) a preview with errors, and one
    the honours changed under since it was made. ``verified`` marks the new
    honours verified (shown to the public): the secretariat's decision, for an
    official list.
    """
    if preview.has_errors:
        raise ImportRefused(_("The list has errors: correct the file and preview it again."))
    with transaction.atomic():
        fresh = honours_preview(preview.raw_rows)
        if fresh.has_errors or fresh.summary() != preview.summary():
            raise ImportRefused(_("The honours changed since the preview: preview the file again."))
        new_awards = {name: Award(name=name) for name in fresh.new_awards}
        Award.objects.bulk_create(new_awards.values())
        honours = Honour.objects.bulk_create(
            Honour(
                award=row.award or new_awards[row.award_name],
                year=row.year,
                company=row.company,
                project=row.project,
                grade=row.grade,
                document_number=row.document_number,
                verified=verified,
            )
            for row in fresh.rows
            if row.status == RowStatus.NEW
        )
        log_created(honours)  # bulk_create sends no signals for the audit log
    logger.info(
        "honours import by %s: %d created, %d unchanged, %d awards created",
        by,
        fresh.created,
        fresh.unchanged,
        len(new_awards),
    )
    return HonoursResult(
        created=fresh.created, unchanged=fresh.unchanged, awards_created=len(new_awards)
    )
