"""Name badges (胸牌): the A4 PDF read back with pdfminer, the admin's button and action,
and the check-in marks of the sign-in sheet."""

import io
import re
from datetime import timedelta

import openpyxl
import pypdfium2
import pytest
import segno
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone
from pdfminer.high_level import extract_text
from pdfminer.pdfpage import PDFPage
from reportlab.lib.units import mm

from accounts.models import User
from events import badges, tickets
from events.badges import _fitted_lines, badge_registrations, badges_pdf
from events.models import Registration
from events.sign_in_sheets import sign_in_sheet_pdf, sign_in_sheet_xlsx
from portal.pdf_fonts import text_width
from tests.accounts.builders import make_company, open_event

pytestmark = pytest.mark.django_db

TITLE = "浙仪协工作联系人交流活动"
LONG_NAME = "浙江省杭州市余杭区未来科技城智能传感器与工业过程控制仪表研究院有限公司"
CHANGELIST = "admin:events_registration_changelist"


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pages_of(pdf: bytes) -> list[str]:
    count = len(list(PDFPage.get_pages(io.BytesIO(pdf))))
    return [flat(extract_text(io.BytesIO(pdf), page_numbers=[n])) for n in range(count)]


@pytest.fixture
def event():
    event = open_event(title=TITLE)
    jia = make_company("浙江甲仪表有限公司", short_name="甲仪表", seed=1)
    yi = make_company("浙江乙仪表有限公司", short_name="", seed=2)
    long = make_company(LONG_NAME, short_name="", seed=3)
    now = timezone.now()
    for name, company, phone, fields in (
        ("王建国", jia, "13800000001", {"attendee_title": "总工程师"}),
        ("李娜", yi, "13800000002", {}),
        ("欧阳晓雯", long, "13800000003", {"attendee_title": "研发中心主任"}),
        (
            "张伟",
            jia,
            "13800000004",
            {"status": Registration.Status.ATTENDED, "checked_in_at": now},
        ),
        (
            "现场来宾",
            yi,
            "13800000005",
            {"status": Registration.Status.ATTENDED, "checked_in_at": now, "walk_in": True},
        ),
        ("候补甲", jia, "13800000006", {"status": Registration.Status.WAITLISTED}),
        ("已取消乙", yi, "13800000007", {"status": Registration.Status.CANCELLED}),
    ):
        Registration.objects.create(
            event=event, company=company, attendee_name=name, attendee_phone=phone, **fields
        )
    return event


def test_it_prints_a_badge_for_each_confirmed_or_checked_in_attendee(event):
    registrations = list(badge_registrations(event))
    pdf = badges_pdf(event, registrations)

    assert pdf.startswith(b"%PDF-")
    (page,) = PDFPage.get_pages(io.BytesIO(pdf))
    assert [round(side) for side in page.mediabox] == [0, 0, 595, 842]  # A4
    assert b"/STSong-Light" in pdf
    (text,) = pages_of(pdf)
    # By company, then name (in the database's order of names).
    assert [(r.company.name, r.attendee_name) for r in registrations] == sorted(
        (r.company.name, r.attendee_name) for r in registrations
    )
    assert sorted(r.attendee_name for r in registrations) == sorted(
        ["王建国", "张伟", "李娜", "现场来宾", "欧阳晓雯"]
    )
    for name in ("王建国", "张伟", "李娜", "现场来宾", "欧阳晓雯"):
        assert name in text
    assert "甲仪表" in text  # the short name
    assert "浙江乙仪表有限公司" in text  # no short name: the name
    assert LONG_NAME in text  # on two lines, not cut
    assert "总工程师" in text and "研发中心主任" in text
    assert text.count(TITLE) == 5
    for registration in registrations:
        assert tickets.ticket_code(registration) in text
    assert "候补甲" not in text and "已取消乙" not in text


def test_it_leaves_out_whom_the_door_would_refuse(event):
    everyone = list(event.registrations.select_related("company"))

    (text,) = pages_of(badges_pdf(event, everyone))

    assert "王建国" in text
    assert "候补甲" not in text and "已取消乙" not in text


def test_ten_badges_go_on_a_page(event):
    company = make_company("浙江丙仪表有限公司", seed=4)
    for n in range(20):
        Registration.objects.create(
            event=event,
            company=company,
            attendee_name=f"参会人{n:02d}",
            attendee_phone=f"1390000{n:04d}",
        )

    pages = pages_of(badges_pdf(event, badge_registrations(event)))

    assert len(pages) == 3  # 25 badges
    assert [page.count(TITLE) for page in pages] == [10, 10, 5]
    names = sorted(re.findall(r"参会人\d\d", "".join(pages)))
    assert names == [f"参会人{n:02d}" for n in range(20)]


def test_the_qr_code_reads_as_the_tickets_matrix(event):
    """Rendered (pypdfium2), the first badge's QR code has the ticket's modules, dark and light."""
    registration = badge_registrations(event).first()
    pdf = badges_pdf(event, [registration])
    matrix = segno.make_qr(tickets.ticket_code(registration), error="m").matrix

    scale = 6  # pixels a point
    image = pypdfium2.PdfDocument(pdf)[0].render(scale=scale).to_pil().convert("L")
    module = badges.QR / len(matrix)
    left = badges.LEFT + badges.WIDTH - badges.PAD - badges.QR  # the first card's QR code
    card_top = (badges.PAGE_HEIGHT - badges.BOTTOM - badges.ROWS * badges.HEIGHT) * scale
    column = int((left + module / 2) * scale)
    # Down the first column of modules from the rule under the title: the finder's top.
    top = next(
        y
        for y in range(int(card_top + 15 * mm * scale), image.height)
        if image.getpixel((column, y)) < 128
    )
    read = [
        [
            image.getpixel(
                (int((left + (c + 0.5) * module) * scale), int(top + (r + 0.5) * module * scale))
            )
            < 128
            for c in range(len(matrix))
        ]
        for r in range(len(matrix))
    ]
    assert read == [[bool(cell) for cell in row] for row in matrix]


def test_an_empty_list_prints_a_page_that_says_so(event):
    (text,) = pages_of(badges_pdf(event, []))
    assert "没有可打印胸牌的报名" in text


def test_a_long_title_shrinks_to_two_lines_then_is_cut():
    width = 82 * 72 / 25.4
    size, lines = _fitted_lines("仪" * 30, (9, 9, 6), width, max_lines=2)
    assert (size, len(lines)) == (9, 2)
    assert "".join(lines) == "仪" * 30
    size, lines = _fitted_lines("仪" * 200, (9, 9, 6), width, max_lines=2)
    assert size == 6 and len(lines) == 2 and lines[-1].endswith("…")
    assert all(text_width(line, size) <= width for line in lines)
    size, lines = _fitted_lines("Annual Liaison Meeting", (9, 9, 6), width, max_lines=2)
    assert (size, lines) == (9, ["Annual Liaison Meeting"])


# ------------------------------------------------------------------------------ the admin
def test_the_event_page_has_the_badges_button_next_to_the_sign_in_sheets(admin_client, event):
    page = admin_client.get(reverse("admin:events_event_change", args=[event.pk])).content
    page = page.decode()

    badges = reverse("admin:events_event_badges", args=[event.pk])
    pdf = reverse("admin:events_event_sign_in_sheet", args=[event.pk, "pdf"])
    assert f'<li><a href="{pdf}">签到表（PDF）</a></li>' in page
    assert f'<li><a href="{badges}">打印胸牌</a></li>' in page
    assert page.index(pdf) < page.index(badges)

    response = admin_client.get(badges)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "%E8%83%B8%E7%89%8C-" in response["Content-Disposition"]  # 胸牌-
    (text,) = pages_of(response.content)
    assert "王建国" in text and "现场来宾" in text and "候补甲" not in text


def test_the_badges_are_for_staff_who_see_registrations(client, event):
    url = reverse("admin:events_event_badges", args=[event.pk])
    assert client.get(url).status_code == 302

    editor = User.objects.create_user("editor@example.com", "x", is_staff=True)
    editor.user_permissions.set(Permission.objects.filter(codename="view_event"))
    client.force_login(editor)
    assert client.get(url).status_code == 403
    editor.user_permissions.add(Permission.objects.get(codename="view_registration"))
    assert client.get(url).status_code == 200
    assert client.get(reverse("admin:events_event_badges", args=[999999])).status_code in (
        302,
        404,
    )


def test_the_registrations_action_prints_the_chosen_badges(admin_client, event):
    chosen = Registration.objects.filter(attendee_name__in=["李娜", "候补甲", "张伟"])

    response = admin_client.post(
        reverse(CHANGELIST),
        {"action": "print_badges", "_selected_action": [r.pk for r in chosen]},
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    (text,) = pages_of(response.content)
    assert "李娜" in text and "张伟" in text
    assert "候补甲" not in text and "王建国" not in text


def test_the_action_refuses_registrations_of_two_events(admin_client, event):
    other = open_event(title="另一个活动")
    Registration.objects.create(
        event=other,
        company=make_company("浙江丁仪表有限公司", seed=5),
        attendee_name="丁工",
        attendee_phone="13800000099",
    )

    response = admin_client.post(
        reverse(CHANGELIST),
        {
            "action": "print_badges",
            "_selected_action": list(Registration.objects.values_list("pk", flat=True)),
        },
        follow=True,
    )

    assert response["Content-Type"].startswith("text/html")
    assert "请只选择同一活动的报名" in response.content.decode()


def test_the_registrations_summary_links_to_the_badges(admin_client, event):
    page = admin_client.get(reverse(CHANGELIST), {"event__id__exact": event.pk}).content.decode()

    assert reverse("admin:events_event_badges", args=[event.pk]) in page


# ------------------------------------------------------------------------ the sign-in sheet
def test_the_sign_in_sheet_marks_who_was_checked_in_and_the_walk_ins(event):
    checked_in = timezone.localtime(timezone.now() - timedelta(minutes=5)).replace(
        hour=9, minute=12
    )
    Registration.objects.filter(attendee_name="张伟").update(checked_in_at=checked_in)
    Registration.objects.filter(attendee_name="李娜").update(status=Registration.Status.ATTENDED)

    (text,) = pages_of(sign_in_sheet_pdf(event))

    assert "已签到09:12" in text  # 张伟, at the door
    assert text.count("已签到") == 3  # 张伟 and 现场来宾 at the door, 李娜 in the back office
    assert "现场来宾现场报名" in text  # a walk-in, marked under the name
    for name in ("王建国", "李娜", "欧阳晓雯", "张伟", "现场来宾", "候补甲"):
        assert name in text
    assert "已取消乙" not in text

    sheet = openpyxl.load_workbook(io.BytesIO(sign_in_sheet_xlsx(event))).active
    marks = {row[1]: row[7] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert marks["张伟"] == "✓ 09:12"
    assert marks["李娜"] == "✓"
    assert marks["王建国"] is None
