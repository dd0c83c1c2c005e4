"""Registering colleagues for an event: capacity, waitlist, per-company limit, cancellation."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import Registration
from events.services import Attendee, RegistrationError
from outbox.models import OutgoingMail
from tests.accounts.builders import PASSWORD, make_company, make_contact, open_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def companies():
    a = make_company("浙江甲仪表有限公司", seed=1)
    b = make_company("浙江乙仪表有限公司", seed=2)
    c = make_company("浙江丙仪表有限公司", seed=3)
    return [
        make_contact(a, "a@example.com", primary=True),
        make_contact(b, "b@example.com", primary=True),
        make_contact(c, "c@example.com", primary=True),
    ]


def person(n: int) -> Attendee:
    return Attendee(
        name=f"参会人{n}", email=f"p{n}@example.com", title="工程师", phone=f"1380000{n:04d}"
    )


def statuses(event) -> list[tuple[str, str]]:
    return list(
        Registration.objects.filter(event=event)
        .order_by("created_at", "id")
        .values_list("attendee_name", "status")
    )


def mails(template: str) -> list[str]:
    return list(
        OutgoingMail.objects.filter(template=template).order_by("id").values_list("to", flat=True)
    )


def test_it_confirms_while_seats_last_then_waitlists_in_order(companies):
    event = open_event(capacity=2, per_company_limit=1)
    a, b, c = companies

    services.registration_create(event=event, contact=a, attendees=[person(1)])
    services.registration_create(event=event, contact=b, attendees=[person(2)])
    services.registration_create(event=event, contact=c, attendees=[person(3)])

    assert statuses(event) == [
        ("参会人1", "confirmed"),
        ("参会人2", "confirmed"),
        ("参会人3", "waitlisted"),
    ]
    assert mails("registration-confirmed") == ["p1@example.com", "p2@example.com"]
    assert mails("registration-waitlisted") == ["p3@example.com"]


def test_it_refuses_beyond_the_companys_places_rather_than_waitlisting(companies):
    event = open_event(capacity=10, per_company_limit=1)
    a = companies[0]
    services.registration_create(event=event, contact=a, attendees=[person(1)])

    with pytest.raises(RegistrationError, match="还可报名 0 人"):
        services.registration_create(event=event, contact=a, attendees=[person(2)])
    assert Registration.objects.filter(event=event).count() == 1


def test_it_counts_waitlisted_registrations_against_the_companys_places(companies):
    event = open_event(capacity=1, per_company_limit=2)
    a, b = companies[:2]
    services.registration_create(event=event, contact=b, attendees=[person(9)])
    services.registration_create(event=event, contact=a, attendees=[person(1), person(2)])

    with pytest.raises(RegistrationError):
        services.registration_create(event=event, contact=a, attendees=[person(3)])
    assert statuses(event)[1:] == [("参会人1", "waitlisted"), ("参会人2", "waitlisted")]


def test_it_registers_all_or_none(companies):
    event = open_event(capacity=10, per_company_limit=2)
    a = companies[0]

    with pytest.raises(RegistrationError):
        services.registration_create(
            event=event, contact=a, attendees=[person(1), person(2), person(3)]
        )
    assert Registration.objects.count() == 0
    assert OutgoingMail.objects.count() == 0


def test_it_registers_one_seat_left_as_one_confirmed_and_one_waitlisted(companies):
    event = open_event(capacity=2)
    services.registration_create(event=event, contact=companies[1], attendees=[person(9)])

    created = services.registration_create(
        event=event, contact=companies[0], attendees=[person(1), person(2)]
    )

    assert [r.status for r in created] == ["confirmed", "waitlisted"]


def test_it_promotes_the_first_waitlisted_when_a_seat_frees(companies):
    event = open_event(capacity=2, per_company_limit=1)
    a, b, c = companies
    first = services.registration_create(event=event, contact=a, attendees=[person(1)])[0]
    services.registration_create(event=event, contact=b, attendees=[person(2)])
    services.registration_create(event=event, contact=c, attendees=[person(3)])
    d = make_contact(make_company("浙江丁仪表有限公司", seed=4), "d@example.com", primary=True)
    services.registration_create(event=event, contact=d, attendees=[person(4)])

    promoted = services.registration_cancel(registration=first, by=a.user)

    assert [r.attendee_name for r in promoted] == ["参会人3"]
    assert statuses(event) == [
        ("参会人1", "cancelled"),
        ("参会人2", "confirmed"),
        ("参会人3", "confirmed"),
        ("参会人4", "waitlisted"),
    ]
    assert mails("registration-promoted") == ["p3@example.com"]
    assert mails("registration-cancelled") == ["p1@example.com"]


def test_it_sends_each_mail_once_however_often_it_is_cancelled(companies):
    event = open_event(capacity=1)
    a, b = companies[:2]
    first = services.registration_create(event=event, contact=a, attendees=[person(1)])[0]
    services.registration_create(event=event, contact=b, attendees=[person(2)])

    services.registration_cancel(registration=first, by=a.user)
    assert services.registration_cancel(registration=first, by=a.user) == []

    assert mails("registration-promoted") == ["p2@example.com"]
    assert mails("registration-cancelled") == ["p1@example.com"]
    assert mails("registration-confirmed") == ["p1@example.com"]
    assert mails("registration-waitlisted") == ["p2@example.com"]


def test_it_fills_seats_from_the_waitlist_after_the_capacity_was_raised(companies):
    event = open_event(capacity=2, per_company_limit=2)
    a, b = companies[:2]
    services.registration_create(event=event, contact=a, attendees=[person(1), person(2)])
    b_first = services.registration_create(event=event, contact=b, attendees=[person(3)])[0]
    assert b_first.status == "waitlisted"
    event.capacity = 3
    event.save()

    promoted = services.registrations_promote(event=event)

    assert [r.attendee_name for r in promoted] == ["参会人3"]


def test_it_passes_over_a_company_at_its_limit_when_promoting(companies):
    event = open_event(capacity=1, per_company_limit=2)
    a, b = companies[:2]
    services.registration_create(event=event, contact=a, attendees=[person(1), person(2)])
    services.registration_create(event=event, contact=b, attendees=[person(3)])
    event.per_company_limit = 1
    event.capacity = 2
    event.save()

    promoted = services.registrations_promote(event=event)

    # 参会人2 waits first, but company a already holds its one place.
    assert [r.attendee_name for r in promoted] == ["参会人3"]


def test_it_refuses_when_registration_is_closed(companies):
    event = open_event(capacity=10)
    event.registration_closes_at = timezone.now() - timedelta(minutes=1)
    event.registration_opens_at = timezone.now() - timedelta(days=2)
    event.save()

    with pytest.raises(RegistrationError, match="未开放报名"):
        services.registration_create(event=event, contact=companies[0], attendees=[person(1)])


def test_it_refuses_someone_registered_twice(companies):
    event = open_event(capacity=10)
    services.registration_create(event=event, contact=companies[0], attendees=[person(1)])

    # Another company's attendee: refused by the address typed, never by the name on file.
    with pytest.raises(RegistrationError, match="p1@example.com"):
        services.registration_create(
            event=event,
            contact=companies[1],
            attendees=[Attendee(name="参会人1", email="P1@Example.com")],
        )


def test_it_refuses_to_cancel_after_the_event_started(companies):
    event = open_event(capacity=10)
    registration = services.registration_create(
        event=event, contact=companies[0], attendees=[person(1)]
    )[0]
    event.starts_at = timezone.now() - timedelta(hours=1)
    event.save()

    with pytest.raises(RegistrationError):
        services.registration_cancel(registration=registration, by=companies[0].user)


def test_it_registers_two_colleagues_from_the_event_page(client, companies):
    event = open_event(capacity=2)
    client.force_login(companies[0].user)
    url = reverse("events:register", args=[event.pk])

    page = client.get(url)
    assert page.status_code == 200
    form = {
        "attendees-TOTAL_FORMS": "5",
        "attendees-INITIAL_FORMS": "0",
        "attendees-MIN_NUM_FORMS": "1",
        "attendees-MAX_NUM_FORMS": "5",
        "attendees-0-name": "王工",
        "attendees-0-email": "wang@example.com",
        "attendees-0-phone": "138 0000 0000",
        "attendees-1-name": "李工",
        "attendees-1-email": "li@example.com",
        "attendees-1-phone": "13800000002",
    }
    response = client.post(url, form, follow=True)

    assert response.redirect_chain[-1][0] == reverse("accounts:registrations")
    content = response.content.decode()
    assert "王工" in content and "李工" in content
    assert Registration.objects.filter(event=event, company=companies[0].company).count() == 2


def test_it_keeps_what_was_typed_when_a_row_is_wrong(client, companies):
    event = open_event(capacity=2)
    client.force_login(companies[0].user)
    url = reverse("events:register", args=[event.pk])
    form = {
        "attendees-TOTAL_FORMS": "5",
        "attendees-INITIAL_FORMS": "0",
        "attendees-MIN_NUM_FORMS": "1",
        "attendees-MAX_NUM_FORMS": "5",
        "attendees-0-name": "王工",
        "attendees-0-email": "not an address",
    }

    response = client.post(url, form)

    assert response.status_code == 200
    content = response.content.decode()
    assert 'value="王工"' in content
    assert 'role="alert"' in content
    assert Registration.objects.count() == 0


def test_it_sends_anonymous_visitors_to_sign_in(client, companies):
    event = open_event(capacity=2)
    url = reverse("events:register", args=[event.pk])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")


def test_it_shows_the_companys_registrations_on_the_event_page(client, companies):
    event = open_event(capacity=2)
    services.registration_create(event=event, contact=companies[0], attendees=[person(1)])
    services.registration_create(event=event, contact=companies[1], attendees=[person(2)])
    client.force_login(companies[0].user)

    content = client.get(reverse("events:event_detail", args=[event.pk])).content.decode()

    assert "参会人1" in content
    assert "参会人2" not in content
    assert reverse("events:register", args=[event.pk]) in content


def test_it_offers_anonymous_visitors_to_sign_in_to_register(client, companies):
    event = open_event(capacity=2)

    content = client.get(reverse("events:event_detail", args=[event.pk])).content.decode()

    assert reverse("accounts:login") + "?next=" in content
    assert PASSWORD not in content


def _register_one(client, event, name: str, email: str, phone: str = "13900000001"):
    return client.post(
        reverse("events:register", args=[event.pk]),
        {
            "attendees-TOTAL_FORMS": "1",
            "attendees-INITIAL_FORMS": "0",
            "attendees-MIN_NUM_FORMS": "1",
            "attendees-MAX_NUM_FORMS": "5",
            "attendees-0-name": name,
            "attendees-0-email": email,
            "attendees-0-phone": phone,
        },
    )


def test_it_never_tells_a_contact_whom_another_company_registered(client, companies):
    event = open_event(capacity=10)
    a, b = companies[:2]
    services.registration_create(
        event=event,
        contact=b,
        attendees=[Attendee(name="乙公司的张总", email="zhang@example.com", title="", phone="")],
    )
    client.force_login(a.user)

    response = _register_one(client, event, "张三", "Zhang@example.com")

    assert response.status_code == 200
    content = response.content.decode()
    assert "乙公司的张总" not in content
    assert "zhang@example.com" in content and "秘书处" in content
    assert Registration.objects.filter(event=event).count() == 1


def test_it_names_the_companys_own_attendee_already_registered(client, companies):
    event = open_event(capacity=10)
    a = companies[0]
    services.registration_create(
        event=event,
        contact=a,
        attendees=[Attendee(name="王工", email="wang@example.com", title="", phone="")],
    )
    client.force_login(a.user)

    response = _register_one(client, event, "王工程师", "wang@example.com")

    assert response.status_code == 200
    assert "以下人员已报名本活动：王工。" in response.content.decode()
    assert Registration.objects.filter(event=event).count() == 1
