"""Spreadsheets for people: .xlsx downloads with Chinese headers, safe cells, fixed widths.

One writer for every export (dues bills and payments today; members, honours,
registrations later): openpyxl in write-only mode, so memory stays flat in
the number of rows, and every text cell is plain text that Excel never runs
as a formula.
"""

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(sheet, value):
    if isinstance(value, datetime):
        # Excel has no time zones: the association's local time, without the offset.
        value = (
            timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
        )
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = "#,##0.00"
        return cell
    if value is None:
        return WriteOnlyCell(sheet, "")
    if isinstance(value, bool | int | float):
        return WriteOnlyCell(sheet, value)
    text = str(value)
    cell = WriteOnlyCell(sheet, text)
    if text.startswith(FORMULA_STARTS):
        cell.data_type = "s"  # stored as text: shown as typed, never evaluated
        cell.quotePrefix = True
    return cell


def xlsx_bytes(*, title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, header in enumerate(headers):
        sheet.column_dimensions[get_column_letter(index + 1)].width = max(
            10, min(40, len(header) * 3)
        )
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(*, filename: str, title: str, headers, rows) -> HttpResponse:
    """A download of ``rows`` under ``headers`` as ``filename`` (a Chinese name is kept)."""
    response = HttpResponse(xlsx_bytes(title=title, headers=headers, rows=rows), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    return response
