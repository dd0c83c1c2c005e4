"""The receipt (收据) of a payment as a PDF: one A5 landscape page, drawn with reportlab.

The Chinese text is set in reportlab's built-in CID font ``STSong-Light``
(Adobe-GB1), not in a TrueType font of our own:

- no maintained Chinese font is packaged on PyPI (the few packages that
  carry one are unmaintained repackagings, e.g. ``cvttf-notosanscjk-*`` of
  2019), so a machine with only Python (``make demo``, ``make test``) would
  need one downloaded or shipped in the repository — a 10–20 MB file, with
  its licence, for one page;
- a CID font needs no file at all: the PDF names the font and the
  Adobe-GB1 character collection, and PDF readers substitute a Song (serif)
  typeface for it — Acrobat its Asian font pack, WPS, Preview and the
  browsers' viewers their own or the system's, poppler the system's through
  fontconfig (Noto Serif CJK SC on Debian);
- the trade-off: the font is not embedded, so the glyphs are the reader's
  Song typeface and a receipt looks slightly different from one reader to the
  next (it is not PDF/A, and a reader on a machine with no Chinese font at
  all would show boxes). The text and its layout are the same everywhere, and
  figures, the ¥ amount and the receipt number are set in Helvetica, one of
  the 14 standard fonts, so they look the same too.

The receipt is always in Chinese (the association's language), whatever the
language of the page it was downloaded from. It is the second copy (第二联,
交款单位收执) of a paper receipt book: the payer's; the secretariat stamps it
with its 财务专用章 in the seal box and signs it as 收款人. The 经办人 is the
staff member who recorded the payment.
"""

from io import BytesIO

from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A5, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from members.models import SeatRole
from portal.pdf_fonts import LATIN, LATIN_BOLD, SONG, font_runs, register_chinese_font

from .models import Payment
from .money import rmb_upper

register_chinese_font()

PAGE_WIDTH, PAGE_HEIGHT = landscape(A5)  # 210 × 148 mm
MARGIN = 12 * mm
STUB = 9 * mm  # the right-hand strip with 第二联 in vertical text
INK = Color(0.70, 0.10, 0.10)  # the form's printing: receipt books are printed in red
FAINT = Color(0.70, 0.10, 0.10, alpha=0.35)


def yuan(amount) -> str:
    """¥3,000.00"""
    return f"¥{amount:,.2f}"


def _runs(text: str, font: str) -> list[tuple[str, str]]:
    """``text`` cut into runs of one font: with Song, Latin letters and figures (2026-00001,
    ¥) go in Helvetica, as the reader's CID Song sets them narrow and uneven."""
    return font_runs(text) if font == SONG else [(text, font)]


def _width(text: str, font: str, size: float) -> float:
    return sum(pdfmetrics.stringWidth(run, run_font, size) for run, run_font in _runs(text, font))


def _fit(text: str, font: str, size: float, width: float, smallest: float = 7) -> float:
    """The largest font size up to ``size`` at which ``text`` fits in ``width``."""
    while size > smallest and _width(text, font, size) > width:
        size -= 0.5
    return size


def _clip(text: str, font: str, size: float, width: float) -> str:
    """``text`` shortened with … when it does not fit ``width`` even at ``size``."""
    if _width(text, font, size) <= width:
        return text
    while text and _width(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _value(canvas: Canvas, text: str, x: float, y: float, width: float, *, font=SONG, size=11):
    """A filled-in value, left-aligned at ``x`` on the baseline ``y``, shrunk to ``width``."""
    size = _fit(text, font, size, width)
    canvas.setFillColor(black)
    for run, run_font in _runs(_clip(text, font, size, width), font):
        canvas.setFont(run_font, size)
        canvas.drawString(x, y, run)
        x += pdfmetrics.stringWidth(run, run_font, size)


def _label(canvas: Canvas, text: str, x0: float, x1: float, y: float, size: float = 10):
    """A printed label, centred between ``x0`` and ``x1`` on the baseline ``y``."""
    canvas.setFont(SONG, _fit(text, SONG, size, x1 - x0 - 2 * mm))
    canvas.setFillColor(INK)
    canvas.drawCentredString((x0 + x1) / 2, y, text)


def _spaced(canvas: Canvas, text: str, x: float, y: float, size: float, gap: float):
    """``text`` centred on ``x`` with ``gap`` between its characters (收　据)."""
    widths = [pdfmetrics.stringWidth(char, SONG, size) for char in text]
    left = x - (sum(widths) + gap * (len(text) - 1)) / 2
    canvas.setFont(SONG, size)
    for char, width in zip(text, widths, strict=True):
        canvas.drawString(left, y, char)
        left += width + gap


def _purpose(payment: Payment) -> str:
    bill = payment.bill
    purpose = _("%(year)s membership dues") % {"year": bill.year}
    if bill.role:
        purpose += _("(%(role)s)") % {"role": SeatRole(bill.role).label}
    return purpose


def _note(payment: Payment) -> str:
    bill = payment.bill
    note = _("Dues bill %(number)s") % {"number": bill.number}
    if payment.amount < bill.amount:
        note += _("; amount of the bill %(amount)s, this payment is part of it") % {
            "amount": yuan(bill.amount)
        }
    return note


def receipt_pdf(payment: Payment) -> bytes:
    """The receipt of ``payment`` as a PDF (one A5 landscape page), in Chinese."""
    with translation.override(settings.LANGUAGE_CODE):
        return _draw(payment)


def _draw(payment: Payment) -> bytes:
    bill = payment.bill
    company = bill.company
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=True)
    title = _("Receipt")
    canvas.setTitle(f"{title} {payment.receipt_number} · {company.name}")
    canvas.setAuthor(settings.SITE_NAME)
    canvas.setSubject(_purpose(payment))

    left, right = MARGIN, PAGE_WIDTH - MARGIN - STUB
    centre = (left + right) / 2

    # The heading: the association, 收据 with its double rule, the number and the date.
    top = PAGE_HEIGHT - MARGIN
    canvas.setFillColor(INK)
    canvas.setFont(SONG, 14)
    canvas.drawCentredString(centre, top - 5 * mm, settings.SITE_NAME)
    _spaced(canvas, title, centre, top - 16 * mm, 24, 8 * mm)
    canvas.setStrokeColor(INK)
    rule = 26 * mm
    canvas.setLineWidth(1.2)
    canvas.line(centre - rule, top - 18.5 * mm, centre + rule, top - 18.5 * mm)
    canvas.setLineWidth(0.5)
    canvas.line(centre - rule, top - 19.6 * mm, centre + rule, top - 19.6 * mm)

    info = top - 26 * mm
    canvas.setFont(SONG, 10)
    canvas.drawString(left, info, _("Date:"))
    date_label = pdfmetrics.stringWidth(_("Date:"), SONG, 10)
    _value(canvas, date_format(payment.paid_on), left + date_label + 1 * mm, info, 50 * mm)
    canvas.setFillColor(INK)
    canvas.setFont(SONG, 10)
    number_width = pdfmetrics.stringWidth(payment.receipt_number, LATIN_BOLD, 13)
    canvas.drawRightString(right - number_width - 1.5 * mm, info, "No.")
    canvas.setFont(LATIN_BOLD, 13)
    canvas.drawRightString(right, info, payment.receipt_number)

    # The ruled table.
    rows = 6
    row_height = 11.5 * mm
    table_top = info - 4 * mm
    table_bottom = table_top - rows * row_height
    label_right = left + 34 * mm
    baselines = [table_top - (index + 1) * row_height + 3.6 * mm for index in range(rows)]
    width = right - label_right - 6 * mm
    pad = 3 * mm

    canvas.setStrokeColor(INK)
    canvas.setLineWidth(0.5)
    for index in range(1, rows):
        y = table_top - index * row_height
        canvas.line(left, y, right, y)
    canvas.line(label_right, table_top, label_right, table_bottom)
    # Row 4 (amount) and row 5 (method) are split in two halves.
    split = label_right + (right - label_right) * 0.62
    split_label = split + 22 * mm
    for index in (3, 4):
        y0, y1 = table_top - index * row_height, table_top - (index + 1) * row_height
        canvas.line(split, y0, split, y1)
        canvas.line(split_label, y0, split_label, y1)
    canvas.setLineWidth(1.4)
    canvas.rect(left, table_bottom, right - left, table_top - table_bottom)

    labels = [
        _("Received from"),
        _("Unified social credit code"),
        _("Paid for"),
        _("Amount in words"),
        _("Method of payment"),
        _("Note"),
    ]
    for label, baseline in zip(labels, baselines, strict=True):
        _label(canvas, label, left, label_right, baseline)
    _label(canvas, _("In figures"), split, split_label, baselines[3])
    _label(canvas, _("Bank reference"), split, split_label, baselines[4])

    x = label_right + pad
    _value(canvas, company.name, x, baselines[0], width, size=12)
    _value(canvas, company.credit_code or "—", x, baselines[1], width, font=LATIN, size=11.5)
    _value(canvas, _purpose(payment), x, baselines[2], width)
    half = split - x - pad
    _value(canvas, rmb_upper(payment.amount), x, baselines[3], half, size=12.5)
    _value(
        canvas,
        yuan(payment.amount),
        split_label + pad,
        baselines[3],
        right - split_label - 2 * pad,
        font=LATIN_BOLD,
        size=12.5,
    )
    _value(canvas, payment.get_method_display(), x, baselines[4], half)
    _value(
        canvas,
        payment.reference or "—",
        split_label + pad,
        baselines[4],
        right - split_label - 2 * pad,
        font=LATIN,
        size=10,
    )
    _value(canvas, _note(payment), x, baselines[5], width, size=9.5)

    # The seal box (盖章) and the signature lines.
    seal_width, seal_height = 42 * mm, 21 * mm
    seal_x, seal_y = right - seal_width, table_bottom - 3 * mm - seal_height
    canvas.setStrokeColor(FAINT)
    canvas.setLineWidth(0.6)
    canvas.setDash(2, 2)
    canvas.roundRect(seal_x, seal_y, seal_width, seal_height, 2 * mm)
    canvas.setDash()
    canvas.setFillColor(FAINT)
    canvas.setFont(SONG, 11)
    canvas.drawCentredString(seal_x + seal_width / 2, seal_y + 11 * mm, _("Finance seal"))
    canvas.setFont(SONG, 9)
    canvas.drawCentredString(seal_x + seal_width / 2, seal_y + 5 * mm, _("(Seal)"))

    sign_y = table_bottom - 12 * mm
    canvas.setFillColor(INK)
    canvas.setFont(SONG, 10)
    payee = _("Received by:")
    canvas.drawString(left, sign_y, payee)
    payee_x = left + pdfmetrics.stringWidth(payee, SONG, 10) + 1 * mm
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(0.5)
    canvas.line(payee_x, sign_y - 1.2 * mm, payee_x + 30 * mm, sign_y - 1.2 * mm)
    handler_left = payee_x + 38 * mm
    canvas.setFillColor(INK)
    canvas.setFont(SONG, 10)
    handler = _("Handled by:")
    canvas.drawString(handler_left, sign_y, handler)
    handler_x = handler_left + pdfmetrics.stringWidth(handler, SONG, 10) + 1 * mm
    canvas.line(handler_x, sign_y - 1.2 * mm, handler_x + 30 * mm, sign_y - 1.2 * mm)
    recorder = payment.recorded_by
    _value(
        canvas,
        recorder.name or recorder.email,
        handler_x + 2 * mm,
        sign_y,
        28 * mm,
        size=10.5,
    )
    canvas.setFillColor(INK)
    canvas.setFont(SONG, 7.5)
    canvas.drawString(
        left,
        sign_y - 9 * mm,
        _("Valid with the association's finance seal. Issued by %(site)s.")
        % {"site": settings.SITE_NAME},
    )

    # The stub: which copy this is, in vertical text, past a perforation.
    canvas.setStrokeColor(FAINT)
    canvas.setLineWidth(0.5)
    canvas.setDash(1, 2)
    canvas.line(right + 3.5 * mm, MARGIN - 4 * mm, right + 3.5 * mm, PAGE_HEIGHT - MARGIN + 4 * mm)
    canvas.setDash()
    stub_x = right + 7.5 * mm
    canvas.setFillColor(INK)
    canvas.setFont(SONG, 9)
    copy = _("Second copy: for the payer")
    y = table_top - 2 * mm
    for char in copy:
        if char in " ：:":
            y -= 2.5 * mm
            continue
        canvas.drawCentredString(stub_x, y - 9, char)
        y -= 4.2 * mm

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
