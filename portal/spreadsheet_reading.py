"""Reading the spreadsheets people upload: CSV as Excel and banks write it, or an XLSX workbook.

Shared by the bank statements (``dues.statements``) and the member importer
(``members.importing``): each says what a header row looks like, this module
finds the table and hands back its rows of raw cell values.

CSV may be UTF-8 (with or without a byte-order mark), GBK/GB18030 or UTF-16
("Unicode text"), separated by commas, tabs or semicolons (the separator
that finds the most known headers wins). XLSX is read with openpyxl in
read-only mode with the values of formulas (``data_only``): the sheet asked
for, else the first sheet with a header row, else the first sheet.

A file that cannot be read raises ``UnreadableFile`` whose ``reason`` is one
of its constants; callers turn it into their own message for the person
uploading.
"""

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from xml.etree.ElementTree import ParseError

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

HEADER_SEARCH_ROWS = 30
# Signatures of files that are certainly no spreadsheet.
NOT_TEXT = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"Rar!\x1a", b"7z\xbc\xaf")
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an old Excel (.xls) or Word file
ZIP = b"PK\x03\x04"


class UnreadableFile(ValueError):
    """The upload is no table this module can read; ``reason`` says which way."""

    EMPTY = "empty"
    TOO_LARGE = "too_large"
    OLD_EXCEL = "old_excel"
    NOT_A_SPREADSHEET = "not_a_spreadsheet"
    NO_SUCH_SHEET = "no_such_sheet"

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


# Cells ---------------------------------------------------------------------------------------


def cell_text(value) -> str:
    """A cell as text: None as "", 3.0 as "3", dates in ISO form, text trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def header_key(value) -> str:
    """A header as compared: full-width folded, a unit in brackets, spaces, ``:`` and ``*`` gone."""
    text = unicodedata.normalize("NFKC", cell_text(value))
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】", "", text)
    return re.sub(r"[\s:*]", "", text)


EXCEL_EPOCH = date(1899, 12, 30)
DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\D|$)")
DATE_DIGITS = re.compile(r"(\d{4})(\d{2})(\d{2})(?:\d{6})?(?:\D|$)")
SERIAL = re.compile(r"\d{5}(?:\.\d+)?$")
THIS_CENTURY = (36526, 73051)  # the serials of 2000-01-01 … 2099-12-31


def excel_serial(number: float, *, serials: tuple[int, int] = THIS_CENTURY) -> date:
    """The date of an Excel date serial within ``serials`` (lowest, past the highest)."""
    if not serials[0] <= number < serials[1]:
        raise ValueError(number)
    return EXCEL_EPOCH + timedelta(days=int(number))


def parse_date(value, *, serials: tuple[int, int] = THIS_CENTURY) -> date | None:
    """The cell's date, None for an empty cell; ValueError when it is not one.

    Dates and datetimes as openpyxl gives them; 2027-03-05, 2027/3/5, 2027.3.5,
    2027年3月5日, 20270305 (a time after them or not); an Excel serial, as a
    number or as text.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return excel_serial(value, serials=serials)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text:
        return None
    for pattern in (DATE_TEXT, DATE_DIGITS):
        found = pattern.match(text)
        if found:
            year, month, day = (int(part) for part in found.groups())
            return date(year, month, day)
    if SERIAL.match(text):
        return excel_serial(float(text), serials=serials)
    raise ValueError(value)


# Files ---------------------------------------------------------------------------------------


def read_upload(file, *, max_bytes: int) -> bytes:
    """The bytes of an uploaded file (read from its start, left rewound)."""
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(max_bytes + 1)
    if hasattr(file, "seek"):
        file.seek(0)
    if len(data) > max_bytes:
        raise UnreadableFile(UnreadableFile.TOO_LARGE)
    if not data.strip():
        raise UnreadableFile(UnreadableFile.EMPTY)
    return data


def decode_text(data: bytes) -> str:
    """The text of a CSV file in the encodings Excel writes; UnreadableFile if it is none."""
    if data.startswith(codecs.BOM_UTF8):
        encodings = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8", "gb18030"]
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", text):
            break  # binary data that happens to decode
        if text.lstrip()[:20].lower().startswith(("<html", "<!doctype", "<table", "<?xml")):
            break  # a web page saved as .xls: Excel opens it, csv does not
        return text
    raise UnreadableFile(UnreadableFile.NOT_A_SPREADSHEET)


def csv_rows(data: bytes, *, score: Callable[[Sequence], int]) -> list[list[str]]:
    """The rows split at the separator (comma, tab or semicolon) whose rows ``score`` best."""
    text = decode_text(data)
    best: tuple[int, list[list[str]]] = (-1, [])
    for delimiter in (",", "\t", ";"):
        try:
            rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        except csv.Error:
            raise UnreadableFile(UnreadableFile.NOT_A_SPREADSHEET) from None
        found = max((score(row) for row in rows[:HEADER_SEARCH_ROWS]), default=0)
        if found > best[0]:
            best = (found, rows)
    return best[1]


_XLSX_ERRORS = (
    InvalidFileException,
    zipfile.BadZipFile,
    KeyError,
    OSError,
    ValueError,
    TypeError,
    ParseError,
)


def xlsx_rows(
    data: bytes,
    *,
    is_header: Callable[[Sequence], bool],
    max_rows: int,
    sheet: str | None = None,
) -> list[list]:
    """The rows of the sheet named ``sheet``, else of the first sheet with a header row.

    At most ``max_rows`` + 1 rows are read, so a caller can tell a file is too long.
    """
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _XLSX_ERRORS:
        raise UnreadableFile(UnreadableFile.NOT_A_SPREADSHEET) from None
    try:
        if sheet is not None:
            if sheet not in workbook.sheetnames:
                raise UnreadableFile(UnreadableFile.NO_SUCH_SHEET)
            sheets = [workbook[sheet]]
        else:
            sheets = workbook.worksheets
        first: list[list] = []
        for worksheet in sheets:
            worksheet.reset_dimensions()  # some programs write a wrong <dimension>
            rows = []
            for row in worksheet.iter_rows(values_only=True):
                rows.append(list(row))
                if len(rows) > max_rows:
                    break
            if any(is_header(row) for row in rows[:HEADER_SEARCH_ROWS]):
                return rows
            first = first or rows
        return first
    except UnreadableFile:
        raise
    except _XLSX_ERRORS:
        raise UnreadableFile(UnreadableFile.NOT_A_SPREADSHEET) from None
    finally:
        workbook.close()


def table_rows(
    data: bytes,
    *,
    score: Callable[[Sequence], int],
    is_header: Callable[[Sequence], bool],
    max_rows: int,
    sheet: str | None = None,
) -> list[list]:
    """The rows of an uploaded CSV or XLSX file, whichever it is; UnreadableFile if neither.

    ``score`` rates a row as a header (how many known headers it has), to
    choose a CSV's separator; ``is_header`` says whether a row is the header
    row, to choose a workbook's sheet. Raises UnreadableFile(EMPTY) when no
    cell has a value.
    """
    if data.startswith(OLE):
        raise UnreadableFile(UnreadableFile.OLD_EXCEL)
    if data.startswith(NOT_TEXT):
        raise UnreadableFile(UnreadableFile.NOT_A_SPREADSHEET)
    if data.startswith(ZIP):
        rows = xlsx_rows(data, is_header=is_header, max_rows=max_rows, sheet=sheet)
    else:
        rows = csv_rows(data, score=score)
    if not any(cell_text(value) for row in rows for value in row):
        raise UnreadableFile(UnreadableFile.EMPTY)
    return rows
