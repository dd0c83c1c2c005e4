"""Name badges (胸牌) for an event: A4 sheets of ten 90 × 54 mm cards, to cut and sleeve.

Each card has the event's title across the top, the attendee's name in
large type, the company (its short name when it has one) and job title
below, and the ticket's QR code with its code on the right, to scan at the
door; the date and the association at the foot. The cards sit edge to edge,
two across and five down, in thin grey borders, with cut marks in the margin
on every cutting line. Chinese is set in the CID font ``STSong-Light``
(``portal.pdf_fonts``): nothing to install, the reader supplies the face.
The QR code is drawn from segno's matrix as filled squares, no image.
"""

import re
from collections.abc import Iterable
from io import BytesIO

import segno
from django.conf import settings
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from reportlab.lib.colors import Color, black, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from portal.pdf_fonts import LATIN, font_runs, register_chinese_font, text_width

from . import tickets
from .models import Event, Registration

register_chinese_font()

PAGE_WIDTH, PAGE_HEIGHT = A4  # 210 × 297 mm
WIDTH, HEIGHT = 90 * mm, 54 * mm  # a business card, the size of the common badge sleeves
COLUMNS, ROWS = 2, 5
PER_PAGE = COLUMNS * ROWS
LEFT = (PAGE_WIDTH - COLUMNS * WIDTH) / 2  # 15 mm
BOTTOM = (PAGE_HEIGHT - ROWS * HEIGHT) / 2  # 13.5 mm
PAD = 4 * mm
QR = 24 * mm
GUTTER = 3 * mm  # between the text and the QR code
TEXT_WIDTH = WIDTH - 2 * PAD - QR - GUTTER  # 55 mm
CUT_MARK = (1.5 * mm, 6 * mm)  # from, to: how far from the cards' edge

BLUE = Color(0.122, 0.373, 0.545)  # the site's #1f5f8b
GREY = Color(0.35, 0.35, 0.35)
BORDER = Color(0.78, 0.78, 0.78)

# Largest, on one line down to, smallest (on two lines).
TITLE_SIZES = (9, 8, 6)
NAME_SIZES = (32, 11)
COMPANY_SIZES = (13, 10, 7)
JOB_SIZES = (8, 6)
FOOT_SIZE = 6.5
CODE_SIZE = 6.5


def badge_registrations(event: Event):
    """Whom badges are printed for: confirmed or checked in, by company then name."""
    return (
        event.registrations.filter(status__in=tickets.VALID_STATUSES)
        .select_related("company")
        .order_by("company__name", "attendee_name", "id")
    )


def badges_filename(event: Event) -> str:
    """胸牌-浙仪协工作联系人交流活动-20261210.pdf"""
    with translation.override(settings.LANGUAGE_CODE):
        label = _("name badges")
    title = re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]+', "", event.title).strip()[:60]
    return f"{label}-{title}-{timezone.localtime(event.starts_at):%Y%m%d}.pdf"


def badges_pdf(event: Event, registrations: Iterable[Registration]) -> bytes:
    """The badges of ``registrations`` (with their companies), in the order given.

    Only registrations with a valid ticket (confirmed or checked in) get a
    badge: a waitlisted or cancelled one would carry a QR code the door
    refuses. Ten to a page; an empty list prints one page that says so.
    """
    people = [r for r in registrations if tickets.has_valid_ticket(r)]
    with translation.override(settings.LANGUAGE_CODE):
        buffer = BytesIO()
        canvas = Canvas(buffer, pagesize=A4, invariant=1)
        canvas.setTitle(f"{_('name badges')} · {event.title}")
        canvas.setAuthor(settings.SITE_NAME)
        footer = _footer(event)
        if not people:
            canvas.setFillColor(GREY)
            _text(
                canvas,
                PAGE_WIDTH / 2,
                PAGE_HEIGHT / 2,
                _("No one to print a badge for: no confirmed registration."),
                12,
                align="centre",
            )
            canvas.showPage()
        for start in range(0, len(people), PER_PAGE):
            _cut_marks(canvas)
            for index, registration in enumerate(people[start : start + PER_PAGE]):
                column, row = index % COLUMNS, index // COLUMNS
                x = LEFT + column * WIDTH
                y = BOTTOM + (ROWS - 1 - row) * HEIGHT
                _badge(canvas, x, y, event=event, registration=registration, footer=footer)
            canvas.showPage()
        canvas.save()
        return buffer.getvalue()


def _footer(event: Event) -> str:
    day = date_format(timezone.localtime(event.starts_at).date(), get_format("DATE_FORMAT"))
    return "　".join(part for part in (day, event.city, settings.SITE_NAME) if part)


def _badge(canvas: Canvas, x: float, y: float, *, event, registration, footer: str) -> None:
    """One card, its lower left corner at (x, y)."""
    canvas.saveState()
    canvas.setStrokeColor(BORDER)
    canvas.setLineWidth(0.3)
    canvas.rect(x, y, WIDTH, HEIGHT, stroke=1, fill=0)

    # The event's title across the top, a blue rule under it.
    inner = WIDTH - 2 * PAD
    size, lines = _fitted_lines(event.title, TITLE_SIZES, inner, max_lines=2)
    leading = size * 1.25
    baseline = y + HEIGHT - PAD - size * 0.88
    canvas.setFillColor(BLUE)
    for line in lines:
        _text(canvas, x + WIDTH / 2, baseline, line, size, align="centre")
        baseline -= leading
    rule = baseline + leading - size * 0.88 - 2 * mm
    canvas.setStrokeColor(BLUE)
    canvas.setLineWidth(0.8)
    canvas.line(x + PAD, rule, x + WIDTH - PAD, rule)

    # The QR code on the right, its code under it, in the space below the rule.
    body_top, body_bottom = rule - 1.5 * mm, y + PAD
    code = tickets.ticket_code(registration)
    qr_x = x + WIDTH - PAD - QR
    under = 3.5 * mm  # room for the code under the QR code
    qr_y = body_bottom + (body_top - body_bottom - QR - under) / 2 + under
    _qr(canvas, code, qr_x, qr_y, QR)
    canvas.setFillColor(GREY)
    canvas.setFont(LATIN, CODE_SIZE)
    canvas.drawCentredString(qr_x + QR / 2, qr_y - under + 0.6 * mm, code)

    # Name, company and job title on the left, centred between the rule and the foot.
    left = x + PAD
    name = registration.attendee_name.strip()
    company_size, company_lines = _fitted_lines(
        registration.company.display_name, COMPANY_SIZES, TEXT_WIDTH, max_lines=2
    )
    # (text, size, bold, colour, space above)
    lines = [(name, _fit(name, NAME_SIZES, TEXT_WIDTH), True, black, 0)]
    lines += [
        (line, company_size, False, black, 2.5 * mm if number == 0 else company_size * 0.2)
        for number, line in enumerate(company_lines)
    ]
    job_title = registration.attendee_title.strip()
    if job_title:
        lines.append((job_title, _fit(job_title, JOB_SIZES, TEXT_WIDTH), False, GREY, 1.5 * mm))
    block = sum(size + space for _line, size, _bold, _colour, space in lines)
    text_bottom = body_bottom + FOOT_SIZE + 1.5 * mm
    cursor = text_bottom + (body_top - text_bottom + block) / 2
    for text, size, bold, colour, space in lines:
        cursor -= space + size
        canvas.setFillColor(colour)
        _text(canvas, left, cursor + size * 0.12, text, size, bold=bold)

    canvas.setFillColor(GREY)
    _text(canvas, left, body_bottom, footer, _fit(footer, (FOOT_SIZE, 5), TEXT_WIDTH))
    canvas.restoreState()


def _qr(canvas: Canvas, code: str, x: float, y: float, side: float) -> None:
    """The QR code of ``code`` as black squares in a ``side`` square at (x, y), the runs of
    each row as one rectangle (no hairlines between the modules in any reader)."""
    matrix = segno.make_qr(code, error="m").matrix
    module = side / len(matrix)
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        top = y + side - (row_index + 1) * module
        column = 0
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            run = column
            while run < len(row) and row[run]:
                run += 1
            path.rect(x + column * module, top, (run - column) * module, module)
            column = run
    canvas.saveState()
    canvas.setFillColor(white)
    canvas.rect(x, y, side, side, stroke=0, fill=1)
    canvas.setFillColor(black)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def _cut_marks(canvas: Canvas) -> None:
    """Short black lines in the margin, on the line of every cut."""
    near, far = CUT_MARK
    right, top = LEFT + COLUMNS * WIDTH, BOTTOM + ROWS * HEIGHT
    canvas.saveState()
    canvas.setStrokeColor(black)
    canvas.setLineWidth(0.3)
    for column in range(COLUMNS + 1):
        x = LEFT + column * WIDTH
        canvas.line(x, top + near, x, top + far)
        canvas.line(x, BOTTOM - near, x, BOTTOM - far)
    for row in range(ROWS + 1):
        y = BOTTOM + row * HEIGHT
        canvas.line(LEFT - near, y, LEFT - far, y)
        canvas.line(right + near, y, right + far, y)
    canvas.restoreState()


def _fit(text: str, sizes: tuple[float, float], width: float) -> float:
    size, smallest = sizes
    while size > smallest and text_width(text, size) > width:
        size -= 0.5
    return size


def _fitted_lines(
    text: str, sizes: tuple[float, float, float], width: float, *, max_lines: int
) -> tuple[float, list[str]]:
    """``text`` on one line if it fits at a size down to the second of ``sizes`` (largest,
    one line down to, smallest), else on up to ``max_lines`` lines at the largest size at
    which they fit, broken between characters (Chinese has no spaces to break at); past
    the smallest size the last line is cut with …"""
    largest, one_line, smallest = sizes
    size = _fit(text, (largest, one_line), width)
    if text_width(text, size) <= width:
        return size, [text]
    size = largest
    while True:
        lines = _break(text, size, width)
        if len(lines) <= max_lines or size <= smallest:
            break
        size -= 0.5
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and text_width(last + "…", size) > width:
            last = last[:-1]
        lines[-1] = last + "…"
    return size, lines


def _break(text: str, size: float, width: float) -> list[str]:
    """``text`` broken into lines no wider than ``width``: after a space when there is one
    on the line, else between any two characters."""
    lines, line = [], ""
    for char in text:
        if line and text_width(line + char, size) > width:
            head, space, tail = line.rpartition(" ")
            if space and head and char != " ":
                lines.append(head)
                line = tail
            else:
                lines.append(line.rstrip())
                line = ""
            if char == " ":
                continue
        line += char
    if line.strip():
        lines.append(line.strip())
    return lines


def _text(
    canvas: Canvas,
    x: float,
    y: float,
    text: str,
    size: float,
    *,
    align: str = "left",
    bold: bool = False,
) -> None:
    """``text`` in its fonts' runs (``portal.pdf_fonts``); ``bold`` strokes the glyphs'
    outlines too, as Song has no bold."""
    x -= {"left": 0, "centre": text_width(text, size) / 2}[align]
    canvas.saveState()
    if bold:
        canvas.setLineWidth(size * 0.035)
        canvas.setStrokeColor(black)  # only names are bold, and they are black
    for run, font in font_runs(text):
        canvas.setFont(font, size)
        canvas.drawString(x, y, run, mode=2 if bold else 0)
        x += pdfmetrics.stringWidth(run, font, size)
    canvas.restoreState()
