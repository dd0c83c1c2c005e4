"""The secretariat's side of registrations: counts, sign-in sheet, attendance, cancellations."""

import io

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.models import User
from events import services
from events.models import Registration
from events.services import Attendee
from outbox.models import OutgoingMail
from tests.accounts.builders import make_company, make_contact, open_event

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:events_registration_changelist"


@pytest.fixture
def event():
    event = open_event(capacity=2, title="浙仪协工作联系人交流活动")
    a = make_contact(make_company("浙江甲仪表有限公司", seed=1), "a@example.com", primary=True)
    b = make_contact(make_company("浙江乙仪表有限公司", seed=2), "b@example.com", primary=True)
    services.registration_create(
        event=event,
        contact=a,
        attendees=[
            Attendee(name="王工", email="wang@example.com", title="总工程师", phone="13800000001"),
            Attendee(name="李工", email="li@example.com", title="=HYPERLINK(1)", phone="+8613800"),
        ],
    )
    services.registration_create(
        event=event, contact=b, attendees=[Attendee(name="张工", email="zhang@example.com")]
    )
    return event


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sheet_url(event, kind: str = "xlsx") -> str:
    return reverse("admin:events_event_sign_in_sheet", args=[event.pk, kind])


def cells_of(response) -> list[list]:
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows()]


def rows_of(response) -> list[list]:
    return [
        ["" if cell.value is None else cell.value for cell in row] for row in cells_of(response)
    ]


def test_it_exports_a_sign_in_sheet_excel_opens(admin_client, event):
    response = admin_client.get(sheet_url(event))

    assert "attachment" in response["Content-Disposition"]
    cells = cells_of(response)
    rows = rows_of(response)
    assert rows[0] == ["序号", "姓名", "单位", "职务", "手机", "电子邮箱", "状态", "签到"]
    # By company, then by name (in the database's order: by code point); the waitlisted
    # too, marked as such.
    assert rows[1:] == [
        [1, "张工", "浙江乙仪表有限公司", "", "", "zhang@example.com", "候补", ""],
        [
            2,
            "李工",
            "浙江甲仪表有限公司",
            "=HYPERLINK(1)",
            "+8613800",
            "li@example.com",
            "已确认",
            "",
        ],
        [
            3,
            "王工",
            "浙江甲仪表有限公司",
            "总工程师",
            "13800000001",
            "wang@example.com",
            "已确认",
            "",
        ],
    ]
    # Values a spreadsheet would run as formulas are text.
    assert cells[2][3].data_type == "s"
    assert cells[2][4].data_type == "s"


def test_it_exports_the_selected_registrations_as_an_action(admin_client, event):
    chosen = Registration.objects.filter(attendee_name="张工")

    response = admin_client.post(
        reverse(CHANGELIST),
        {"action": "export_xlsx", "_selected_action": [r.pk for r in chosen]},
    )

    assert [row[1] for row in rows_of(response)] == ["参会人", "张工"]


def test_it_marks_attendance(admin_client, event):
    wang = Registration.objects.get(attendee_name="王工")

    admin_client.post(
        reverse(CHANGELIST), {"action": "mark_attended", "_selected_action": [wang.pk]}
    )

    wang.refresh_from_db()
    assert wang.status == Registration.Status.ATTENDED
    rows = rows_of(admin_client.get(sheet_url(event)))
    assert ["王工", "已签到", "✓"] in [[row[1], row[6], row[7]] for row in rows]


def test_it_counts_an_events_registrations_by_status(admin_client, event):
    response = admin_client.get(reverse(CHANGELIST), {"event__id__exact": event.pk})

    counts = {item["status"]: item["count"] for item in response.context["event_summary"]["counts"]}
    assert counts == {"confirmed": 2, "waitlisted": 1, "cancelled": 0, "attended": 0}
    content = response.content.decode()
    assert "已确认：2 · 候补：1" in content
    assert f'<a href="{sheet_url(event)}">签到表（Excel）</a>' in content
    assert f'<a href="{sheet_url(event, "pdf")}">签到表（PDF）</a>' in content


def test_cancelling_in_the_back_office_moves_the_waitlist_up(admin_client, event):
    wang = Registration.objects.get(attendee_name="王工")

    admin_client.post(
        reverse(CHANGELIST), {"action": "cancel_registrations", "_selected_action": [wang.pk]}
    )

    assert Registration.objects.get(attendee_name="张工").status == "confirmed"
    assert OutgoingMail.objects.filter(template="registration-promoted").count() == 1


def test_raising_the_capacity_and_filling_from_the_waitlist(admin_client, event):
    event.capacity = 3
    event.save()

    admin_client.post(
        reverse("admin:events_event_changelist"),
        {"action": "promote_waitlist", "_selected_action": [event.pk]},
    )

    assert Registration.objects.get(attendee_name="张工").status == "confirmed"


def test_the_sign_in_sheet_is_for_staff_only(client, event):
    for kind in ("xlsx", "pdf"):
        assert client.get(sheet_url(event, kind)).status_code == 302

    editor = User.objects.create_user("editor@example.com", "x", is_staff=True)
    editor.user_permissions.set(Permission.objects.filter(codename="view_event"))
    client.force_login(editor)
    for kind in ("xlsx", "pdf"):
        assert client.get(sheet_url(event, kind)).status_code == 403, kind
    assert client.get(sheet_url(event, "csv")).status_code == 404
