"""Checking in at the door: one POST per scan, idempotent, and one check-in at any concurrency."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.db import connections
from django.test import Client, override_settings
from django.utils import timezone

from accounts.models import User
from events import services, tickets
from events.models import Registration
from events.services import Attendee
from tests.accounts.builders import PASSWORD, make_company, make_contact, open_event
from tests.concurrency import run_at_once

SCANS = 200
# PostgreSQL's 100 connections cap the threads: 40 at once, 5 scans each, all released together.
THREADS = 40


def door_staff(email="menkou@example.com") -> User:
    user = User.objects.create_user(email, PASSWORD, name="门口工作人员", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_registration"))
    return user


def registered(event, n=1, contact=None):
    contact = contact or make_contact(
        make_company(f"浙江签到{n}仪表有限公司", seed=100 + n), f"c{n}@example.com", primary=True
    )
    return services.registration_create(
        event=event,
        contact=contact,
        attendees=[Attendee(name=f"参会人{n}", email=f"p{n}@example.com", phone=f"1390000{n:04d}")],
    )[0]


def scan(client, event, code):
    response = client.post(f"/events/{event.pk}/check-in/", {"code": code})
    assert response.status_code == 200
    return json.loads(response.content)


@pytest.mark.django_db(transaction=True)
def test_two_hundred_scans_of_one_ticket_record_one_check_in():
    event = open_event()
    registration = registered(event)
    code = tickets.ticket_code(registration)
    signed_in = Client()
    signed_in.force_login(door_staff())
    cookies = signed_in.cookies

    def phone():
        client = Client()
        client.cookies = cookies
        answers = [scan(client, event, code)["result"] for _ in range(SCANS // THREADS)]
        return answers

    answers = [a for batch in run_at_once([phone for _ in range(THREADS)]) for a in batch]
    assert answers.count("checked_in") == 1, answers
    assert answers.count("already") == SCANS - 1
    registration.refresh_from_db()
    assert registration.status == Registration.Status.ATTENDED
    assert registration.checked_in_at is not None
    connections.close_all()


@pytest.mark.django_db
def test_each_wrong_ticket_says_why_and_records_nothing(client):
    event, other_event = open_event(title="交流日"), open_event(title="另一场活动")
    ok = registered(event, 1)
    foreign = registered(other_event, 2)
    cancelled = registered(event, 3)
    services.registration_cancel(registration=cancelled, by=cancelled.registered_by.user)
    client.force_login(door_staff())

    code = tickets.ticket_code(ok)
    forged = code[:-1] + ("A" if code[-1] != "A" else "B")
    assert scan(client, event, forged)["result"] == "invalid"
    assert scan(client, event, "not a ticket")["result"] == "invalid"
    assert scan(client, event, "")["result"] == "invalid"
    wrong = scan(client, event, tickets.ticket_code(foreign))
    assert (wrong["result"], wrong["event"]) == ("wrong_event", "另一场活动")
    assert scan(client, event, tickets.ticket_code(cancelled))["result"] == "cancelled"
    assert not Registration.objects.filter(checked_in_at__isnull=False).exists()

    # Typed by hand: lower case, spaces, O for 0 are forgiven.
    typed = code.lower().replace("-", " - ").replace("0", "o")
    first = scan(client, event, typed)
    assert (first["result"], first["name"]) == ("checked_in", "参会人1")
    again = scan(client, event, code)
    assert again["result"] == "already"
    assert again["checked_in_at"] == timezone.localtime(
        Registration.objects.get(pk=ok.pk).checked_in_at
    ).strftime("%H:%M")
    assert again["counts"] == {"confirmed": 1, "checked_in": 1, "walk_ins": 0}


@pytest.mark.django_db
def test_a_waitlisted_ticket_is_not_checked_in(client):
    event = open_event(capacity=1)
    registered(event, 1)
    waiting = registered(event, 2)
    assert waiting.status == Registration.Status.WAITLISTED
    client.force_login(door_staff())
    assert scan(client, event, tickets.ticket_code(waiting))["result"] == "waitlisted"
    assert Registration.objects.get(pk=waiting.pk).checked_in_at is None


@pytest.mark.django_db
def test_only_event_staff_may_check_in(client):
    event = open_event()
    code = tickets.ticket_code(registered(event))
    url = f"/events/{event.pk}/check-in/"
    anonymous = client.post(url, {"code": code})
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    contact = make_contact(make_company("浙江无权仪表有限公司", seed=9), "x@example.com")
    client.force_login(contact.user)
    assert client.post(url, {"code": code}).status_code == 403
    staff = User.objects.create_user("s@example.com", PASSWORD, is_staff=True)
    client.force_login(staff)
    assert client.post(url, {"code": code}).status_code == 403
    assert client.get(url).status_code == 403
    client.force_login(door_staff())
    page = client.get(url)
    assert page.status_code == 200
    assert "签到" in page.content.decode()
    assert not Registration.objects.filter(checked_in_at__isnull=False).exists()


@pytest.mark.django_db
def test_name_search_and_walk_in(client):
    event = open_event()
    registration = registered(event, 7)
    company = registration.company
    client.force_login(door_staff())
    found = json.loads(client.get(f"/events/{event.pk}/check-in/search/?q=参会人7").content)
    assert [r["name"] for r in found["results"]] == ["参会人7"]
    assert scan(client, event, found["results"][0]["code"])["result"] == "checked_in"

    refused = client.post(f"/events/{event.pk}/check-in/walk-in/", {"name": "临时来宾"})
    assert refused.status_code == 400
    assert "company" in json.loads(refused.content)["errors"]
    walked = client.post(
        f"/events/{event.pk}/check-in/walk-in/",
        {"name": "临时来宾", "company": company.name, "phone": "13912345678"},
    )
    answer = json.loads(walked.content)
    assert (answer["result"], answer["name"]) == ("checked_in", "临时来宾")
    assert answer["counts"] == {"confirmed": 1, "checked_in": 2, "walk_ins": 1}


@pytest.mark.django_db
def test_ticket_code_contract():
    event = open_event()
    registration = registered(event)
    code = tickets.ticket_code(registration)
    assert tickets.registration_for_code(code) == registration
    assert tickets.registration_for_code(code.lower()) == registration
    for bad in ("", "1-", code + "X", "0-" + code.split("-")[1], "abc-def", "9" * 30, None):
        assert tickets.registration_for_code(bad) is None
    with override_settings(SECRET_KEY="another site's secret key, long enough to be one"):
        assert tickets.registration_for_code(code) is None  # a foreign code
        assert tickets.ticket_code(registration) != code


def test_a_typed_code_forgives_look_alike_letters_in_the_number_too():
    # The registration's number as well as the signature: 1O0 read as 100.
    assert tickets.normalise(" 1o0 - ab0defghjk ") == "100-AB0DEFGHJK"
    assert tickets.normalise("l0I-oooooooooo") == "101-0000000000"
    assert tickets.normalise("100abcdefghjk") == "100-ABCDEFGHJK"
