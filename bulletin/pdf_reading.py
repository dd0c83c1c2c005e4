"""Reading a bulletin issue's PDF: checking the upload, its text, its cover.

The text is what ``bulletin.parsing`` expects (the demo's
``zjiia-bulletin-2022-11.txt`` is such a text): each printed line on a line of
its own, the columns of a page one after the other, left to right. pdfminer's
layout analysis does that with ``LAPARAMS``: ``line_margin`` 1.5 (the
default 0.5 cuts a column into a box per line and then reads the boxes of
both columns in turns; the lines of one column, a title with the space above
it included, are less than 1.5 line heights apart, and lines of the other
column never overlap them sideways, so each column comes out whole, headings
in place). Characters and words are joined as by default (char_margin 2,
word_margin 0.1): a justified line's wide gaps come out as spaces, which the
parser removes next to Chinese text.

The cover is the first page rendered by PDFium (pypdfium2), as a JPEG. PDFium
is not thread-safe (and gunicorn runs threads): every call holds ``_PDFIUM``.
"""

import io
import logging
import threading
import uuid

import pypdfium2
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from pdfminer.high_level import extract_text
from pdfminer.layout import LAParams

logger = logging.getLogger(__name__)

PDF_MAX_BYTES = 50 * 1024 * 1024
PDF_MAX_PAGES = 300
PDF_TAIL_BYTES = 2048
LAPARAMS = LAParams(line_margin=1.5)
COVER_WIDTH = 800  # pixels
COVER_MAX_HEIGHT = 2000
COVER_QUALITY = 85

_PDFIUM = threading.Lock()


class PdfTextError(Exception):
    """The PDF's text cannot be read (a scan, or a file pdfminer cannot parse)."""


def pdf_checked(upload: UploadedFile) -> bytes:
    """The bytes of an uploaded PDF of at most 50 MB, or ValidationError saying why not.

    Checked by content: the ``%PDF-`` header, the end-of-file marker and
    cross-reference pointer near the end, and PDFium opening it (which
    refuses damaged and password-protected files) with 1 to 300 pages.
    """
    if upload.size is not None and upload.size > PDF_MAX_BYTES:
        raise ValidationError(
            _("The file is too large (%(size)s): the limit is %(limit)s."),
            code="too_large",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(PDF_MAX_BYTES)},
        )
    upload.seek(0)
    data = upload.read(PDF_MAX_BYTES + 1)
    if len(data) > PDF_MAX_BYTES:
        raise ValidationError(
            _("The file is too large: the limit is %(limit)s."),
            code="too_large",
            params={"limit": filesizeformat(PDF_MAX_BYTES)},
        )
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    if not data.startswith(b"%PDF-"):
        raise ValidationError(
            _("This file is not a PDF: upload the issue's PDF as the printer made it."),
            code="not_pdf",
        )
    tail = data[-PDF_TAIL_BYTES:]
    damaged = ValidationError(
        _("This PDF file is damaged or incomplete; please save it again and upload it."),
        code="pdf",
    )
    if b"%%EOF" not in tail or b"startxref" not in tail:
        raise damaged
    try:
        with _PDFIUM:
            document = pypdfium2.PdfDocument(data)
            try:
                pages = len(document)
            finally:
                document.close()
    except pypdfium2.PdfiumError:
        raise damaged from None
    if not 1 <= pages <= PDF_MAX_PAGES:
        raise ValidationError(
            _("The PDF has %(pages)d pages; an issue has 1 to %(limit)d."),
            code="pages",
            params={"pages": pages, "limit": PDF_MAX_PAGES},
        )
    return data


def pdf_text(data: bytes) -> str:
    """The PDF's text, line by line as printed (see the module docstring).

    Raises PdfTextError when pdfminer cannot read it or it has no text.
    """
    try:
        text = extract_text(io.BytesIO(data), laparams=LAPARAMS)
    except Exception as error:  # pdfminer raises many kinds on a malformed file
        logger.warning("pdfminer could not read a bulletin PDF: %r", error)
        raise PdfTextError(
            _("The text of this PDF cannot be read; please save it again and upload it.")
        ) from error
    if not text.strip():
        raise PdfTextError(
            _(
                "This PDF has no text to read (it may be a scan): upload the PDF the "
                "bulletin was printed from."
            )
        )
    return text


def pdf_cover(data: bytes) -> ContentFile | None:
    """The first page as a JPEG about 800 pixels wide, or None when PDFium cannot render it."""
    try:
        with _PDFIUM:
            document = pypdfium2.PdfDocument(data)
            try:
                page = document[0]
                width, height = page.get_size()
                scale = min(COVER_WIDTH / width, COVER_MAX_HEIGHT / height)
                image = page.render(scale=scale).to_pil()
                page.close()
            finally:
                document.close()
    except (pypdfium2.PdfiumError, ValueError, ZeroDivisionError, IndexError) as error:
        logger.warning("PDFium could not render a bulletin cover: %r", error)
        return None
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=COVER_QUALITY, optimize=True)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")
