"""An event's sign-in sheet (签到表): an .xlsx to work with, an A4 PDF to print.

One row per registration that is not cancelled, by company then name; the
waitlisted are on it (marked 候补), as they may yet get a seat. The PDF is
what the registration desk lays out: the event's title, time and venue at
the top of every page, then 序号/姓名/单位/职务/手机 and a wide empty 签到
column to sign in (who was checked in at the door has 已签到 and the time
there, a walk-in is marked 现场报名 under the name), the table's header row
repeated on every page, and "第 1 页 / 共 3 页" at the foot. Both are in Chinese (the association's
language) whatever the language of the page they were downloaded from.
"""

import re
from functools import partial
from io import BytesIO

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from portal.pdf_fonts import LATIN, SONG, draw_text, fit_size, markup, register_chinese_font
from portal.spreadsheets import xlsx_bytes

from .answers import answer, answer_text, question_columns
from .models import Event, Registration
from .views import _when

register_chinese_font()

PAGE_WIDTH, PAGE_HEIGHT = A4  # 210 × 297 mm
MARGIN = 15 * mm
HEADER = 24 * mm  # the event's title, time and venue, above the table on every page
FOOTER = 10 * mm  # the page number
# 序号, 姓名, 单位, 职务, 手机, 签到: 180 mm, the signature the widest but for the company.
COLUMN_WIDTHS = [11 * mm, 22 * mm, 54 * mm, 24 * mm, 25 * mm, 44 * mm]
ROW = 10 * mm  # room to sign by hand
PAD = 1.5 * mm
GREY = Color(0.35, 0.35, 0.35)
RULE = Color(0.82, 0.82, 0.82)

CELL = ParagraphStyle("cell", fontName=SONG, fontSize=10, leading=12.5, wordWrap="CJK")
NOTE = ParagraphStyle("note", parent=CELL, fontSize=8, leading=10, textColor=GREY)


def sign_in_registrations(event: Event) -> QuerySet[Registration]:
    """Who is on the sheet, in its order: not cancelled, by company, then by name."""
    return (
        event.registrations.exclude(status=Registration.Status.CANCELLED)
        .select_related("company")
        .order_by("company__name", "attendee_name", "id")
    )


def checked_in_mark(registration: Registration, *, tick: str = "") -> str:
    """What the 签到 column says of someone who came: the time they were checked in at the
    door (已签到 09:12), else that they came (marked in the back office), else nothing."""
    if registration.checked_in_at is None and registration.status != Registration.Status.ATTENDED:
        return ""
    came = tick or str(Registration.Status.ATTENDED.label)
    if registration.checked_in_at is None:
        return came
    return f"{came} {timezone.localtime(registration.checked_in_at):%H:%M}"


def sign_in_sheet_filename(event: Event, extension: str) -> str:
    """签到表-浙仪协工作联系人交流活动-20261210.pdf"""
    with translation.override(settings.LANGUAGE_CODE):
        label = _("sign-in sheet")
    title = re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]+', "", event.title).strip()[:60]
    day = timezone.localtime(event.starts_at).date()
    return f"{label}-{title}-{day:%Y%m%d}.{extension}"


def sign_in_sheet_xlsx(event: Event) -> bytes:
    """The sheet as a workbook: the PDF's rows, with the email address and the status,
    then a column per question of the event's (发票抬头, 用餐…) with each one's answer."""
    with translation.override(settings.LANGUAGE_CODE):
        questions = question_columns(event.questions.all())
        headers = [
            _("No."),
            _("Name"),
            _("company"),
            _("Job title"),
            _("Mobile"),
            _("email"),
            _("status"),
            _("Sign here"),
            *(label for label, _ids in questions),
        ]
        rows = (
            [
                number,
                registration.attendee_name,
                registration.company.name,
                registration.attendee_title,
                registration.attendee_phone,
                registration.attendee_email,
                str(registration.get_status_display()),
                checked_in_mark(registration, tick="✓"),
                *(answer_text(answer(registration, ids)) for _label, ids in questions),
            ]
            for number, registration in enumerate(sign_in_registrations(event), start=1)
        )
        return xlsx_bytes(title=_("sign-in sheet"), headers=headers, rows=rows)


def sign_in_sheet_pdf(event: Event) -> bytes:
    """The sheet to print: A4 portrait pages, as many as the registrations need."""
    with translation.override(settings.LANGUAGE_CODE):
        return _draw(event, list(sign_in_registrations(event)))


class _NumberedCanvas(Canvas):
    """A canvas that writes 第 n 页 / 共 N 页 at the foot of every page once N is known:
    the pages are kept until the document is saved."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages = []

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        pages = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFillColor(GREY)
            label = _("Page %(page)d of %(pages)d") % {
                "page": self.getPageNumber(),
                "pages": pages,
            }
            draw_text(self, PAGE_WIDTH / 2, MARGIN, label, 9, align="centre")
            super().showPage()
        super().save()


def _when_text(event: Event) -> str:
    when = _when(event)
    return f"{when.start}{when.separator}{when.end}" if when.end else when.start


def _page_header(canvas: Canvas, document, *, event: Event, count: int):
    """The event's title, time, venue and head count, above the table on every page."""
    canvas.saveState()
    top = PAGE_HEIGHT - MARGIN
    width = PAGE_WIDTH - 2 * MARGIN
    canvas.setFillColor(GREY)
    draw_text(canvas, MARGIN, top, settings.SITE_NAME, 8)
    draw_text(canvas, PAGE_WIDTH - MARGIN, top, _("sign-in sheet"), 8, align="right")
    canvas.setFillColor(black)
    title_size = fit_size(event.title, 16, width, smallest=10)
    draw_text(canvas, PAGE_WIDTH / 2, top - 9 * mm, event.title, title_size, align="centre")
    details = [_("Time: %(when)s") % {"when": _when_text(event)}]
    venue = " ".join(part for part in (event.city, event.venue) if part)
    if venue:
        details.append(_("Venue: %(venue)s") % {"venue": venue})
    details.append(ngettext("%(count)d attendee", "%(count)d attendees", count) % {"count": count})
    line = "　".join(details)
    draw_text(
        canvas, PAGE_WIDTH / 2, top - 16 * mm, line, fit_size(line, 10, width), align="centre"
    )
    canvas.restoreState()


def _cell(text: str, style: ParagraphStyle = CELL) -> Paragraph:
    return Paragraph(markup(text), style)


def _draw(event: Event, registrations: list[Registration]) -> bytes:
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + HEADER,
        bottomMargin=MARGIN + FOOTER,
        title=f"{_('sign-in sheet')} · {event.title}",
        author=settings.SITE_NAME,
        invariant=True,
    )
    header = [_("No."), _("Name"), _("company"), _("Job title"), _("Mobile"), _("Sign here")]
    waitlisted, walk_in = _("Waitlisted"), _("walk-in")
    rows, heights = [header], [8 * mm]
    for number, registration in enumerate(registrations, start=1):
        name = [_cell(registration.attendee_name)]
        if registration.status == Registration.Status.WAITLISTED:
            name.append(_cell(waitlisted, NOTE))
        if registration.walk_in:
            name.append(_cell(walk_in, NOTE))
        mark = checked_in_mark(registration)
        signed = _cell(mark, NOTE) if mark else ""
        row = [
            str(number),
            name,
            _cell(registration.company.name),
            _cell(registration.attendee_title),
            _cell(registration.attendee_phone),
            signed,
        ]
        rows.append(row)
        heights.append(max(ROW, _height(row) + 2 * PAD))
    if not registrations:
        rows.append(["", _cell(_("No one has registered yet.")), "", "", "", ""])
        heights.append(ROW)
    table = Table(rows, colWidths=COLUMN_WIDTHS, rowHeights=heights, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), SONG, 10),
                ("FONT", (0, 1), (0, -1), LATIN, 9),
                ("ALIGN", (0, 0), (-1, 0), "CENTER"),
                ("ALIGN", (0, 1), (0, -1), "CENTER"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (-1, 0), RULE),
                ("GRID", (0, 0), (-1, -1), 0.5, black),
                ("BOX", (0, 0), (-1, -1), 1, black),
                ("LEFTPADDING", (0, 0), (-1, -1), PAD),
                ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
                ("TOPPADDING", (0, 0), (-1, -1), PAD),
                ("BOTTOMPADDING", (0, 0), (-1, -1), PAD),
            ]
        )
    )
    on_page = partial(_page_header, event=event, count=len(registrations))
    document.build([table], onFirstPage=on_page, onLaterPages=on_page, canvasmaker=_NumberedCanvas)
    return buffer.getvalue()


def _height(row) -> float:
    """The height of the tallest cell of ``row`` in its column."""
    tallest = 0.0
    for cell, width in zip(row, COLUMN_WIDTHS, strict=True):
        paragraphs = cell if isinstance(cell, list) else [cell]
        height = sum(
            paragraph.wrap(width - 2 * PAD, PAGE_HEIGHT)[1]
            for paragraph in paragraphs
            if isinstance(paragraph, Paragraph)
        )
        tallest = max(tallest, height)
    return tallest
