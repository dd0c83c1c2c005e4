"""Phone-first registration: a mobile number required, email optional, colleagues picked,
the event's own questions asked and exported."""

import io
from datetime import timedelta

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import Event, EventQuestion, Registration
from events.notices import event_change_notify, event_reminders_send
from events.services import Attendee, RegistrationError
from events.sign_in_sheets import sign_in_sheet_xlsx
from outbox.models import OutgoingMail
from portal.phones import mobile_number
from tests.accounts.builders import make_company, make_contact, open_event
from tests.queries import assert_fixed_and_few, page_queries

pytestmark = pytest.mark.django_db

ROWS = {
    "attendees-TOTAL_FORMS": "5",
    "attendees-INITIAL_FORMS": "0",
    "attendees-MIN_NUM_FORMS": "1",
    "attendees-MAX_NUM_FORMS": "5",
}


@pytest.fixture
def contact():
    company = make_company("浙江甲仪表有限公司", seed=1)
    return make_contact(company, "zhouli@example.com", name="周莉", primary=True)


@pytest.fixture
def other():
    return make_contact(make_company("浙江乙仪表有限公司", seed=2), "b@example.com", primary=True)


def register_url(event) -> str:
    return reverse("events:register", args=[event.pk])


def mails() -> list[tuple[str, str]]:
    return list(OutgoingMail.objects.order_by("id").values_list("template", "to"))


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13800000001", "13800000001"),
        ("138 0000 0001", "13800000001"),
        ("138-0000-0001", "13800000001"),
        ("+86 138 0000 0001", "13800000001"),
        ("+86-13800000001", "13800000001"),
        ("008613800000001", "13800000001"),
        ("（+86）13800000001", "13800000001"),
        ("１３８００００００01", "13800000001"),
        ("12800000001", None),  # no mobile network starts 12
        ("1380000000", None),  # ten digits
        ("138000000012", None),
        ("0571-88888888", None),  # a landline
        ("", None),
    ],
)
def test_it_reads_a_chinese_mobile_number_as_people_type_it(typed, stored):
    assert mobile_number(typed) == stored


# Registering with a mobile number and no email.


def test_a_mobile_and_no_email_registers_and_mails_the_contact(client, contact):
    event = open_event(capacity=10)
    client.force_login(contact.user)

    response = client.post(
        register_url(event),
        {**ROWS, "attendees-0-name": "王工", "attendees-0-phone": "+86 139-0000-0001"},
    )

    assert response.status_code == 302
    registration = Registration.objects.get(event=event)
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.attendee_phone == "13900000001"
    assert registration.attendee_email == ""
    assert registration.registered_by == contact
    assert mails() == [("registration-confirmed", "zhouli@example.com")]
    mail = OutgoingMail.objects.get()
    assert "请转告王工" in mail.subject
    assert mail.body_text.startswith("周莉，您好：")
    assert "王工（手机 13900000001）报名时没有留电子邮箱" in mail.body_text
    assert "王工，您好：" in mail.body_text  # the notice itself, to pass on
    assert "报名时没有留电子邮箱" in mail.body_html
    assert not OutgoingMail.objects.filter(to="").exists()


def test_an_attendee_with_an_email_is_mailed_themselves(contact):
    event = open_event(capacity=10)

    services.registration_create(
        event=event,
        contact=contact,
        attendees=[
            Attendee(name="王工", email="Wang@Example.com", phone="13900000001"),
            Attendee(name="李工", phone="13900000002"),
            # The contact registering themselves: one mail, to them, as the attendee.
            Attendee(name="周莉", email="zhouli@example.com", phone="13900000003"),
        ],
    )

    assert mails() == [
        ("registration-confirmed", "wang@example.com"),
        ("registration-confirmed", "zhouli@example.com"),
        ("registration-confirmed", "zhouli@example.com"),
    ]
    own = OutgoingMail.objects.filter(to="zhouli@example.com").order_by("id")
    assert [("请转告" in mail.subject) for mail in own] == [True, False]
    assert own[1].body_text.startswith("周莉，您好：\n\n您已成功报名")


def test_the_contact_hears_of_the_waitlist_a_promotion_a_cancellation_and_the_event(contact, other):
    event = open_event(capacity=1)
    first = services.registration_create(
        event=event, contact=other, attendees=[Attendee(name="张工", phone="13900000009")]
    )[0]
    waiting = services.registration_create(
        event=event, contact=contact, attendees=[Attendee(name="王工", phone="13900000001")]
    )[0]
    assert waiting.status == Registration.Status.WAITLISTED

    services.registration_cancel(registration=first, by=other.user)
    event.refresh_from_db()
    event_reminders_send(day=timezone.localdate(event.starts_at))
    previous = event.starts_at
    event.status = Event.Status.CANCELLED
    event.save()
    event_change_notify(
        event=event, previous_starts_at=previous, previous_status=Event.Status.PUBLISHED
    )

    assert mails() == [
        ("registration-confirmed", "b@example.com"),
        ("registration-waitlisted", "zhouli@example.com"),
        ("registration-cancelled", "b@example.com"),
        ("registration-promoted", "zhouli@example.com"),
        ("event-reminder", "zhouli@example.com"),
        ("event-cancelled", "zhouli@example.com"),
    ]
    for mail in OutgoingMail.objects.filter(to="zhouli@example.com"):
        assert "请转告王工" in mail.subject, mail.template
        assert mail.body_text.startswith("周莉，您好："), mail.template


def test_without_the_registering_contact_the_primary_contact_is_mailed_or_nobody(contact):
    event = open_event(capacity=10)
    colleague = make_contact(contact.company, "liu@example.com", name="刘洋")
    services.registration_create(
        event=event, contact=colleague, attendees=[Attendee(name="王工", phone="13900000001")]
    )
    colleague.user.is_active = False  # left the company
    colleague.user.save()
    # A company without contacts (a registration the secretariat typed in): nobody to mail.
    Registration.objects.create(
        event=event,
        company=make_company("浙江丙仪表有限公司", seed=3),
        attendee_name="赵工",
        attendee_phone="13900000002",
    )
    OutgoingMail.objects.all().delete()

    event_reminders_send(day=timezone.localdate(event.starts_at))

    assert mails() == [("event-reminder", "zhouli@example.com")]  # the primary contact
    assert "请转告王工" in OutgoingMail.objects.get().subject


# Refusals.


def test_a_bad_mobile_is_a_form_error_and_nothing_is_written(client, contact):
    event = open_event(capacity=10)
    client.force_login(contact.user)

    response = client.post(
        register_url(event),
        {**ROWS, "attendees-0-name": "王工", "attendees-0-phone": "12345678901"},
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "请填写中国大陆手机号" in content
    assert 'value="王工"' in content
    assert Registration.objects.count() == 0
    assert OutgoingMail.objects.count() == 0


def test_a_row_without_a_mobile_is_refused(client, contact):
    event = open_event(capacity=10)
    client.force_login(contact.user)

    response = client.post(
        register_url(event),
        {**ROWS, "attendees-0-name": "王工", "attendees-0-email": "wang@example.com"},
    )

    assert response.status_code == 200
    assert Registration.objects.count() == 0


def test_the_same_mobile_twice_in_one_form_is_refused(client, contact):
    event = open_event(capacity=10)
    client.force_login(contact.user)

    response = client.post(
        register_url(event),
        {
            **ROWS,
            "attendees-0-name": "王工",
            "attendees-0-phone": "13900000001",
            "attendees-1-name": "王工程师",
            "attendees-1-phone": "+86 139 0000 0001",
        },
    )

    assert response.status_code == 200
    assert "这个手机号已填在另一行中" in response.content.decode()
    assert Registration.objects.count() == 0


def test_the_service_refuses_one_mobile_for_two_attendees(contact):
    event = open_event(capacity=10)

    with pytest.raises(RegistrationError, match="每位参会人需要各自的手机号"):
        services.registration_create(
            event=event,
            contact=contact,
            attendees=[
                Attendee(name="王工", phone="13900000001"),
                Attendee(name="李工", phone="139 0000 0001"),
            ],
        )
    with pytest.raises(RegistrationError):
        services.registration_create(
            event=event, contact=contact, attendees=[Attendee(name="无联系方式")]
        )
    assert Registration.objects.count() == 0


def test_an_already_registered_mobile_is_refused(client, contact, other):
    event = open_event(capacity=10)
    services.registration_create(
        event=event, contact=other, attendees=[Attendee(name="乙公司的张总", phone="13900000001")]
    )
    services.registration_create(
        event=event, contact=contact, attendees=[Attendee(name="王工", phone="13900000002")]
    )
    client.force_login(contact.user)

    taken_by_other = client.post(
        register_url(event),
        {**ROWS, "attendees-0-name": "张三", "attendees-0-phone": "139-0000-0001"},
    )
    taken_by_own = client.post(
        register_url(event),
        {**ROWS, "attendees-0-name": "王工程师", "attendees-0-phone": "13900000002"},
    )

    content = taken_by_other.content.decode()
    assert "以下手机号无法报名本活动：13900000001" in content
    assert "乙公司的张总" not in content
    assert "以下人员已报名本活动：王工。" in taken_by_own.content.decode()
    assert Registration.objects.filter(event=event).count() == 2


def test_a_mobile_registered_meanwhile_is_refused_not_an_error(contact, other, monkeypatch):
    event = open_event(capacity=10)
    Registration.objects.create(  # e.g. a walk-in at the door, which takes no lock
        event=event, company=other.company, attendee_name="张工", attendee_phone="13900000001"
    )
    monkeypatch.setattr(services, "_refuse_taken", lambda *args: None)  # checked, then taken

    with pytest.raises(RegistrationError, match="以下手机号无法报名本活动：13900000001"):
        services.registration_create(
            event=event, contact=contact, attendees=[Attendee(name="王工", phone="13900000001")]
        )
    assert Registration.objects.filter(event=event).count() == 1


def test_a_cancelled_mobile_may_register_again(contact):
    event = open_event(capacity=10)
    first = services.registration_create(
        event=event, contact=contact, attendees=[Attendee(name="王工", phone="13900000001")]
    )[0]
    services.registration_cancel(registration=first, by=contact.user)

    again = services.registration_create(
        event=event, contact=contact, attendees=[Attendee(name="王工", phone="13900000001")]
    )

    assert again[0].status == Registration.Status.CONFIRMED


# The event's own questions.


@pytest.fixture
def asking_event():
    event = open_event(capacity=10, title="年会")
    invoice = EventQuestion.objects.create(event=event, label="发票抬头", order=1)
    meal = EventQuestion.objects.create(
        event=event,
        label="用餐",
        kind=EventQuestion.Kind.CHOICE,
        choices="午餐、晚餐、不用餐",
        required=True,
        order=2,
    )
    lodging = EventQuestion.objects.create(
        event=event, label="住宿", kind=EventQuestion.Kind.YES_NO, order=3
    )
    note = EventQuestion.objects.create(
        event=event, label="备注", kind=EventQuestion.Kind.LONG_TEXT, order=4
    )
    return event, invoice, meal, lodging, note


def test_the_form_asks_each_question_of_each_attendee(client, contact, asking_event):
    event, invoice, meal, lodging, note = asking_event
    client.force_login(contact.user)

    content = client.get(register_url(event)).content.decode()

    for n in range(5):
        assert f'name="attendees-{n}-question_{invoice.pk}"' in content
        assert f'<select name="attendees-{n}-question_{meal.pk}"' in content
        assert f'type="radio" name="attendees-{n}-question_{lodging.pk}" value="yes"' in content
        assert f'<textarea name="attendees-{n}-question_{note.pk}"' in content
    assert '<option value="晚餐">晚餐</option>' in content


def test_answers_are_stored_and_a_required_question_must_be_answered(client, contact, asking_event):
    event, invoice, meal, lodging, note = asking_event
    client.force_login(contact.user)
    row = {
        **ROWS,
        "attendees-0-name": "王工",
        "attendees-0-phone": "13900000001",
        f"attendees-0-question_{invoice.pk}": "浙江甲仪表有限公司",
        f"attendees-0-question_{lodging.pk}": "yes",
    }

    unanswered = client.post(register_url(event), row)
    assert unanswered.status_code == 200
    assert Registration.objects.count() == 0

    response = client.post(register_url(event), {**row, f"attendees-0-question_{meal.pk}": "午餐"})

    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.answers == {
        str(invoice.pk): "浙江甲仪表有限公司",
        str(meal.pk): "午餐",
        str(lodging.pk): True,
    }


def test_the_service_keeps_answers_to_the_events_own_questions_only(contact, asking_event):
    event, invoice, *_rest = asking_event
    other_event = open_event(title="另一个活动")
    elsewhere = EventQuestion.objects.create(event=other_event, label="发票抬头")

    (registration,) = services.registration_create(
        event=event,
        contact=contact,
        attendees=[
            Attendee(
                name="王工",
                phone="13900000001",
                answers={str(invoice.pk): "甲公司", str(elsewhere.pk): "不是这个活动的"},
            )
        ],
    )

    assert registration.answers == {str(invoice.pk): "甲公司"}


def register_many(event, contact, count: int, answers, *, first: int = 0) -> None:
    registrations = [
        Registration(
            event=event,
            company=contact.company,
            registered_by=contact,
            attendee_name=f"参会人{n:03d}",
            attendee_phone=f"1390000{n:04d}",
            answers=answers(n),
        )
        for n in range(first, first + count)
    ]
    Registration.objects.bulk_create(registrations)


def export(admin_client, event):
    url = reverse("admin:events_registration_export") + f"?event__id__exact={event.pk}"
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(url)
    assert response.status_code == 200
    rows = list(
        openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    )
    return rows, [query["sql"] for query in queries.captured_queries]


def test_the_answers_are_columns_of_the_registrations_export(admin_client, contact, asking_event):
    event, invoice, meal, lodging, note = asking_event

    def answers(n):
        return {str(invoice.pk): f"抬头{n}", str(meal.pk): "晚餐", str(lodging.pk): n % 2 == 0}

    register_many(event, contact, 2, answers)
    small_rows, small = export(admin_client, event)
    register_many(event, contact, 60, answers, first=100)
    large_rows, large = export(admin_client, event)

    header = list(small_rows[0])
    assert header[-4:] == ["发票抬头", "用餐", "住宿", "备注"]
    by_name = {row[1]: row for row in small_rows[1:]}
    assert list(by_name["参会人000"][-4:]) == ["抬头0", "晚餐", "是", None]
    assert list(by_name["参会人001"][-4:]) == ["抬头1", "晚餐", "否", None]
    assert len(large_rows) == 63
    assert_fixed_and_few(small, large, limit=12)


def test_an_event_without_questions_exports_as_before(admin_client, contact):
    event = open_event(capacity=10)
    register_many(event, contact, 1, lambda n: {})

    rows, _queries = export(admin_client, event)

    assert rows[0][-1] == "报名提交人"  # the last of the columns of before


def test_the_answers_are_on_the_sign_in_sheet_workbook(contact, asking_event):
    event, invoice, meal, lodging, note = asking_event
    register_many(
        event,
        contact,
        1,
        lambda n: {str(meal.pk): "不用餐", str(lodging.pk): False, str(note.pk): "素食"},
    )

    rows = list(
        openpyxl.load_workbook(io.BytesIO(sign_in_sheet_xlsx(event))).active.iter_rows(
            values_only=True
        )
    )

    assert list(rows[0][-5:]) == ["签到", "发票抬头", "用餐", "住宿", "备注"]
    assert list(rows[1][-4:]) == [None, "不用餐", "否", "素食"]


def test_the_registration_admin_shows_the_answers(admin_client, contact, asking_event):
    event, invoice, meal, *_rest = asking_event
    register_many(event, contact, 1, lambda n: {str(meal.pk): "午餐"})
    registration = Registration.objects.get()

    page = admin_client.get(
        reverse("admin:events_registration_change", args=[registration.pk])
    ).content.decode()

    assert "<strong>用餐</strong>：午餐" in page
    assert "<strong>发票抬头</strong>：—" in page


def test_the_secretariat_sets_the_questions_on_the_event(admin_client, asking_event):
    event, *_questions = asking_event

    page = admin_client.get(reverse("admin:events_event_change", args=[event.pk]))

    assert page.status_code == 200
    content = page.content.decode()
    assert 'name="questions-0-label"' in content
    assert 'value="发票抬头"' in content


# The colleague picker.


def earlier_event(days_ago: int) -> Event:
    now = timezone.now()
    return Event.objects.create(
        title=f"往期活动{days_ago}",
        starts_at=now - timedelta(days=days_ago),
        ends_at=now - timedelta(days=days_ago) + timedelta(hours=3),
        status=Event.Status.PUBLISHED,
    )


def history(contact, count: int) -> None:
    """``count`` earlier registrations of the company, one a past event, latest last."""
    Registration.objects.bulk_create(
        Registration(
            event=earlier_event(400 - n),
            company=contact.company,
            registered_by=contact,
            attendee_name=f"老同事{n:02d}",
            attendee_title="工程师",
            attendee_phone=f"1370000{n:04d}",
            created_at=timezone.now() - timedelta(days=400 - n),
        )
        for n in range(count)
    )


def test_the_picker_lists_the_companys_contacts_and_earlier_attendees(client, contact, other):
    event = open_event(capacity=10)
    colleague = make_contact(contact.company, "liu@example.com", name="刘洋")
    colleague.phone = "+86 137 0000 0099"
    colleague.save()
    past = earlier_event(30)
    for name, phone, days in [("王工", "139 0000 0001", 20), ("王工（新职务）", "13900000001", 10)]:
        Registration.objects.create(
            event=past if days == 20 else earlier_event(days),
            company=contact.company,
            attendee_name=name,
            attendee_title="总工程师",
            attendee_phone=phone,
            created_at=timezone.now() - timedelta(days=days),
        )
    Registration.objects.create(
        event=past, company=other.company, attendee_name="乙公司的人", attendee_phone="13900000008"
    )
    client.force_login(contact.user)

    content = client.get(register_url(event)).content.decode()

    picker = content.split('class="colleague-picker"')[1].split("</fieldset>")[0]
    assert "周莉" in picker and "刘洋" in picker
    assert 'data-phone="13700000099"' in picker  # a contact's phone, as 11 digits
    assert picker.count('data-phone="13900000001"') == 1  # one per mobile: the latest
    assert "王工（新职务）" in picker
    assert "乙公司的人" not in picker
    assert picker.index("周莉") < picker.index("刘洋") < picker.index("王工")


def test_the_picker_marks_who_is_registered_already(client, contact):
    event = open_event(capacity=10)
    history(contact, 2)
    services.registration_create(
        event=event, contact=contact, attendees=[Attendee(name="老同事01", phone="13700000001")]
    )
    client.force_login(contact.user)

    content = client.get(register_url(event)).content.decode()

    assert 'value="m13700000001" data-name="老同事01"' in content
    box = content.split('value="m13700000001"')[1].split(">")[0]
    assert " disabled" in box
    assert "已报名" in content


def test_the_picker_takes_the_same_queries_for_a_long_history(client, contact):
    event = open_event(capacity=10)
    client.force_login(contact.user)
    history(contact, 2)
    small = page_queries(client, register_url(event))
    Registration.objects.filter(company=contact.company).delete()
    history(contact, 45)

    large = page_queries(client, register_url(event))

    assert_fixed_and_few(small, large, limit=20)
    content = client.get(register_url(event)).content.decode()
    assert content.count('name="pick"') == 1 + 30  # the contact and the 30 latest
    assert "老同事44" in content and "老同事15" in content and "老同事14" not in content


def test_ticked_colleagues_fill_the_empty_rows_without_javascript(client, contact):
    event = open_event(capacity=10)
    history(contact, 3)
    client.force_login(contact.user)
    typed = {**ROWS, "attendees-0-name": "新同事", "attendees-0-phone": "13600000001"}

    response = client.post(
        register_url(event), {**typed, "pick": ["m13700000002", "m13700000000"], "add": "1"}
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="attendees-0-name" value="新同事"' in content
    # In the picker's order: the latest first.
    assert 'name="attendees-1-name" value="老同事02"' in content
    assert 'name="attendees-1-phone" value="13700000002"' in content
    assert 'name="attendees-2-name" value="老同事00"' in content
    assert "2 位同事已加入报名表" in content
    assert Registration.objects.filter(event=event).count() == 0

    # Ticked and sent with "Register" at once: added to the form to check, not lost.
    response = client.post(register_url(event), {**typed, "pick": ["m13700000001"]})
    assert response.status_code == 200
    assert 'name="attendees-1-name" value="老同事01"' in response.content.decode()
    assert Registration.objects.filter(event=event).count() == 0

    registered = client.post(
        register_url(event),
        {
            **typed,
            "attendees-1-name": "老同事01",
            "attendees-1-phone": "13700000001",
            "pick": ["m13700000001"],  # ticked, and in a row: registered once
        },
    )
    assert registered.status_code == 302
    assert sorted(
        Registration.objects.filter(event=event).values_list("attendee_phone", flat=True)
    ) == ["13600000001", "13700000001"]


def test_another_companys_person_cannot_be_picked(client, contact, other):
    event = open_event(capacity=10)
    history(other, 1)
    client.force_login(contact.user)

    response = client.post(
        register_url(event), {**ROWS, "pick": ["m13700000000", f"c{other.pk}"], "add": "1"}
    )

    assert "老同事00" not in response.content.decode()
    assert "b@example.com" not in response.content.decode()
