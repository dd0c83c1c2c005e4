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

``table_rows`` reads the whole table into a list. ``StreamedTable`` reads the
same table row by row, from its file each time it is iterated, for a caller
that goes over a long list more than once without keeping it (the member
importer): the file is checked once, its encoding (CSV: decoded in pieces,
nothing kept), separator and sheet chosen once, then each pass reads it again.
"""

import codecs
import csv
import io
import os
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from datetime import date, datetime, timedelta
from itertools import islice
from pathlib import Path
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


# Streaming -----------------------------------------------------------------------------------

BLOCK_BYTES = 64 * 1024
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
WEB_PAGE = ("<html", "<!doctype", "<table", "<?xml")


class _Reader(io.RawIOBase):
    """A binary file object as the raw stream io.TextIOWrapper wants; closing it leaves the file."""

    def __init__(self, file):
        self._file = file

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._file.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _opener(source):
    """A function opening ``source`` (a path, bytes or a seekable binary file) at its start."""
    if isinstance(source, str | Path):
        return lambda: open(source, "rb")
    if isinstance(source, bytes | bytearray | memoryview):
        return lambda: io.BytesIO(source)

    def rewound():
        source.seek(0)
        return nullcontext(source)  # the caller's file: left open

    return rewound


def _size(file) -> int:
    file.seek(0, os.SEEK_END)
    size = file.tell()
    file.seek(0)
    return size


def _only_blanks(file) -> bool:
    """Whether the file has nothing but ASCII whitespace (read in pieces, from its start)."""
    file.seek(0)
    while block := file.read(BLOCK_BYTES):
        if block.strip():
            return False
    return True


def text_encoding(file) -> str:
    """The encoding of a CSV file as ``decode_text`` finds it, decoding it in pieces."""
    file.seek(0)
    head = file.read(4)
    if head.startswith(codecs.BOM_UTF8):
        encodings = ["utf-8-sig"]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8", "gb18030"]
    for encoding in encodings:
        file.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        start, binary = "", False
        try:
            while True:
                block = file.read(BLOCK_BYTES)
                text = decoder.decode(block, final=not block)
                if CONTROL_CHARACTERS.search(text):
                    binary = True  # binary data that happens to decode
                    break
                if len(start) < 20:
                    start = (start + text).lstrip()[:20]
                if not block:
                    break
        except UnicodeDecodeError:
            continue
        if binary or start.lower().startswith(WEB_PAGE):
            break  # a web page saved as .xls: Excel opens it, csv does not
        return encoding
    raise UnreadableFile(UnreadableFile.NOT_A_SPREADSHEET)


class StreamedTable:
    """The rows of an uploaded CSV or XLSX file, read from the file at each iteration.

    ``source`` is a path, bytes or a seekable binary file (an upload, a file
    from a storage), which is left open and must stay open while the table is
    read. On creation the file is checked as ``read_upload`` and
    ``table_rows`` check it (``max_bytes``, the signatures, the CSV's
    encoding, the sheet), and the CSV's separator and the workbook's sheet are
    chosen as ``table_rows`` chooses them; UnreadableFile says what is wrong.
    Iterating yields the rows (lists of raw cell values) and may raise
    UnreadableFile too (a CSV line csv cannot read, a broken sheet). Unlike
    ``table_rows`` it does not read on to tell an empty table: a caller that
    finds no header row asks ``has_values()``, and refuses a table too long.
    """

    def __init__(
        self,
        source,
        *,
        score: Callable[[Sequence], int],
        is_header: Callable[[Sequence], bool],
        max_bytes: int | None = None,
        sheet: str | None = None,
    ):
        self._open = _opener(source)
        self.sheet = sheet
        with self._open() as file:
            if max_bytes is not None and _size(file) > max_bytes:
                raise UnreadableFile(UnreadableFile.TOO_LARGE)
            if _only_blanks(file):
                raise UnreadableFile(UnreadableFile.EMPTY)
            file.seek(0)
            head = file.read(len(OLE))
            if head.startswith(OLE):
                raise UnreadableFile(UnreadableFile.OLD_EXCEL)
            if head.startswith(NOT_TEXT):
                raise UnreadableFile(UnreadableFile.NOT_A_SPREADSHEET)
            self.is_xlsx = head.startswith(ZIP)
            if self.is_xlsx:
                self.sheet = self._choose_sheet(file, is_header, sheet)
            else:
                self.encoding = text_encoding(file)
                self.delimiter = self._choose_delimiter(file, score)

    def __iter__(self) -> Iterator[list]:
        with self._open() as file:
            if self.is_xlsx:
                yield from self._xlsx_rows(file, self.sheet)
            else:
                yield from self._csv_rows(file, self.delimiter)

    def has_values(self) -> bool:
        """Whether any cell has a value (``table_rows`` raises EMPTY when none has)."""
        return any(cell_text(value) for row in self for value in row)

    def _csv_rows(self, file, delimiter: str) -> Iterator[list[str]]:
        file.seek(0)
        with io.TextIOWrapper(io.BufferedReader(_Reader(file)), self.encoding, newline="") as text:
            try:
                yield from csv.reader(text, delimiter=delimiter)
            except csv.Error:
                raise UnreadableFile(UnreadableFile.NOT_A_SPREADSHEET) from None

    def _choose_delimiter(self, file, score: Callable[[Sequence], int]) -> str:
        best = (-1, ",")
        for delimiter in (",", "\t", ";"):
            rows = islice(self._csv_rows(file, delimiter), HEADER_SEARCH_ROWS)
            found = max((score(row) for row in rows), default=0)
            if found > best[0]:
                best = (found, delimiter)
        return best[1]

    @staticmethod
    @contextmanager
    def _workbook(file):
        file.seek(0)
        try:
            workbook = load_workbook(file, read_only=True, data_only=True)
        except _XLSX_ERRORS:
            raise UnreadableFile(UnreadableFile.NOT_A_SPREADSHEET) from None
        try:
            yield workbook
        except UnreadableFile:
            raise
        except _XLSX_ERRORS:
            raise UnreadableFile(UnreadableFile.NOT_A_SPREADSHEET) from None
        finally:
            workbook.close()

    def _choose_sheet(self, file, is_header, sheet: str | None) -> str:
        with self._workbook(file) as workbook:
            if sheet is not None:
                if sheet not in workbook.sheetnames:
                    raise UnreadableFile(UnreadableFile.NO_SUCH_SHEET)
                return sheet
            for worksheet in workbook.worksheets:
                worksheet.reset_dimensions()  # some programs write a wrong <dimension>
                rows = worksheet.iter_rows(values_only=True, max_row=HEADER_SEARCH_ROWS)
                if any(is_header(list(row)) for row in rows):
                    return worksheet.title
            if not workbook.worksheets:
                raise UnreadableFile(UnreadableFile.EMPTY)
            return workbook.worksheets[0].title

    def _xlsx_rows(self, file, sheet: str) -> Iterator[list]:
        with self._workbook(file) as workbook:
            worksheet = workbook[sheet]
            worksheet.reset_dimensions()
            for row in worksheet.iter_rows(values_only=True):
                yield list(row)
