"""An event's sign-in sheet as a printable A4 PDF and as a workbook: read back with
pdfminer and openpyxl."""

import io
import re

import openpyxl
import pytest
from django.urls import reverse
from pdfminer.high_level import extract_text
from pdfminer.pdfpage import PDFPage

from events import services
from events.models import Registration
from events.services import Attendee
from events.sign_in_sheets import sign_in_sheet_pdf, sign_in_sheet_xlsx
from tests.accounts.builders import make_company, make_contact, open_event

pytestmark = pytest.mark.django_db

TITLE = "浙仪协工作联系人交流活动"
HEADERS = ("序号", "姓名", "单位", "职务", "手机", "签到")
LONG_NAME = "浙江省杭州市余杭区未来科技城智能传感器与工业过程控制仪表研究院有限公司"


@pytest.fixture
def event():
    event = open_event(capacity=2, title=TITLE)
    a = make_contact(make_company("浙江甲仪表有限公司", seed=1), "a@example.com", primary=True)
    b = make_contact(make_company("浙江乙仪表有限公司", seed=2), "b@example.com", primary=True)
    services.registration_create(
        event=event,
        contact=a,
        attendees=[
            Attendee(name="王工", email="wang@example.com", title="总工程师", phone="13800000001"),
            Attendee(name="李工", email="li@example.com", title="销售经理", phone="+8613800"),
            Attendee(name="赵工", email="zhao@example.com"),
        ],
    )
    services.registration_create(
        event=event, contact=b, attendees=[Attendee(name="张工", email="zhang@example.com")]
    )
    Registration.objects.filter(attendee_name="赵工").update(status=Registration.Status.CANCELLED)
    return event


@pytest.fixture
def big_event():
    """120 attendees of 12 companies, one with a name too long for its column."""
    event = open_event(title=TITLE)
    registrations = []
    for c in range(12):
        company = make_company(LONG_NAME if c == 5 else f"浙江{c:02d}号仪表有限公司", seed=c + 1)
        registrations += [
            Registration(
                event=event,
                company=company,
                attendee_name=f"参会人{c * 10 + n:03d}",
                attendee_title="工程师",
                attendee_phone=f"1380000{c * 10 + n:04d}",
                attendee_email=f"p{c * 10 + n}@example.com",
            )
            for n in reversed(range(10))  # registered in another order than the sheet's
        ]
    Registration.objects.bulk_create(registrations)
    return event


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pages_of(pdf: bytes) -> list[str]:
    count = len(list(PDFPage.get_pages(io.BytesIO(pdf))))
    return [flat(extract_text(io.BytesIO(pdf), page_numbers=[n])) for n in range(count)]


def workbook_rows(xlsx: bytes) -> list[tuple]:
    return list(openpyxl.load_workbook(io.BytesIO(xlsx)).active.iter_rows(values_only=True))


def test_it_prints_the_attendees_on_an_a4_page(event):
    pdf = sign_in_sheet_pdf(event)

    assert pdf.startswith(b"%PDF-")
    (page,) = PDFPage.get_pages(io.BytesIO(pdf))
    assert [round(side) for side in page.mediabox] == [0, 0, 595, 842]  # 210 × 297 mm
    assert b"/STSong-Light" in pdf
    (text,) = pages_of(pdf)
    assert TITLE in text
    assert "签到表" in text
    assert "地点：杭州中控科技体验中心" in text
    assert "时间：" in text
    assert "共3人" in text
    for header in HEADERS:
        assert header in text
    for name in ("王工", "李工", "张工", "浙江甲仪表有限公司", "浙江乙仪表有限公司"):
        assert name in text
    assert "总工程师" in text
    assert "13800000001" in text
    assert "候补" in text  # 张工 is on the waitlist
    assert "赵工" not in text  # cancelled
    assert "第1页/共1页" in text


def test_a_long_list_spans_pages_with_the_header_on_each(big_event):
    pages = pages_of(sign_in_sheet_pdf(big_event))

    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert TITLE in text, number
        assert "地点：杭州中控科技体验中心" in text, number
        for header in HEADERS:
            assert header in text, (number, header)
        assert f"第{number}页/共{len(pages)}页" in text
    names = [re.findall(r"参会人\d{3}", text) for text in pages]
    assert sorted(name for page in names for name in page) == [f"参会人{n:03d}" for n in range(120)]
    assert LONG_NAME in "".join(pages)  # wrapped in its cell, not cut


def test_the_workbook_has_the_rows_of_the_pdf_in_its_order(big_event):
    rows = workbook_rows(sign_in_sheet_xlsx(big_event))
    pages = pages_of(sign_in_sheet_pdf(big_event))

    assert rows[0] == ("序号", "姓名", "单位", "职务", "手机", "电子邮箱", "状态", "签到")
    assert [row[0] for row in rows[1:]] == list(range(1, 121))
    # By company, then by name.
    assert [(row[2], row[1]) for row in rows[1:]] == sorted((row[2], row[1]) for row in rows[1:])
    assert {row[1] for row in rows[1:]} == {f"参会人{n:03d}" for n in range(120)}
    assert {row[2] for row in rows[1:]} >= {LONG_NAME, "浙江00号仪表有限公司"}
    # Each page holds the next rows of the workbook.
    order = {row[1]: index for index, row in enumerate(rows[1:])}
    seen = -1
    for text in pages:
        on_page = sorted(order[name] for name in re.findall(r"参会人\d{3}", text))
        assert on_page == list(range(seen + 1, seen + 1 + len(on_page)))
        seen = on_page[-1]
    assert seen == 119


def test_the_back_office_downloads_both_with_chinese_names(admin_client, event):
    for kind, content_type in (
        ("pdf", "application/pdf"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ):
        response = admin_client.get(
            reverse("admin:events_event_sign_in_sheet", args=[event.pk, kind])
        )

        assert response.status_code == 200
        assert response["Content-Type"] == content_type
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment;")
        # 签到表-浙仪协工作联系人交流活动-<date>.<kind>, encoded as RFC 5987 asks.
        assert "%E7%AD%BE%E5%88%B0%E8%A1%A8-" in disposition
        assert f".{kind}" in disposition


def test_the_event_pages_link_to_both(admin_client, event):
    change = admin_client.get(reverse("admin:events_event_change", args=[event.pk]))
    listing = admin_client.get(reverse("admin:events_event_changelist"))

    pdf = reverse("admin:events_event_sign_in_sheet", args=[event.pk, "pdf"])
    xlsx = reverse("admin:events_event_sign_in_sheet", args=[event.pk, "xlsx"])
    content = change.content.decode()
    assert f'<a href="{xlsx}">签到表（Excel）</a>' in content
    assert f'<a href="{pdf}">签到表（PDF）</a>' in content
    content = listing.content.decode()
    assert f'<a href="{xlsx}">Excel</a> · <a href="{pdf}">PDF</a>' in content


def test_an_event_without_registrations_prints_an_empty_sheet():
    event = open_event(title=TITLE)

    (text,) = pages_of(sign_in_sheet_pdf(event))
    assert "尚无人报名" in text
    assert workbook_rows(sign_in_sheet_xlsx(event))[1:] == []
