"""Tickets shown: the QR code as a PNG by its code, in the confirmation and promotion mails,
and on the contact's registrations page (/account/registrations/)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events import services, tickets
from events.models import Registration
from events.services import Attendee
from outbox.models import OutgoingMail
from tests.accounts.builders import make_company, make_contact, open_event

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def contact():
    return make_contact(make_company("浙江甲仪表有限公司", seed=1), "a@example.com", primary=True)


@pytest.fixture
def event():
    return open_event(capacity=1)


@pytest.fixture
def registrations(event, contact):
    """王工 confirmed (the one seat), 李工 on the waitlist."""
    return services.registration_create(
        event=event,
        contact=contact,
        attendees=[
            Attendee(name="王工", email="wang@example.com", phone="13800000001"),
            Attendee(name="李工", email="li@example.com", phone="13800000002"),
        ],
    )


def png_url(code: str) -> str:
    return reverse("events:ticket_qr", args=[code])


def mail(template: str, to: str) -> OutgoingMail:
    return OutgoingMail.objects.get(template=template, to=to)


# ----------------------------------------------------------------------------- the PNG
def test_the_png_answers_for_a_confirmed_ticket_privately(client, registrations):
    wang, _li = registrations
    code = tickets.ticket_code(wang)

    response = client.get(png_url(code))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(PNG)
    cache_control = response["Cache-Control"]
    assert "private" in cache_control and "public" not in cache_control
    assert png_url(code) == f"/events/tickets/{code}.png"
    # Typed in lower case, still the ticket; and still one once checked in at the door.
    assert client.get(png_url(code.lower())).status_code == 200
    Registration.objects.filter(pk=wang.pk).update(
        status=Registration.Status.ATTENDED, checked_in_at=timezone.now()
    )
    assert client.get(png_url(code)).status_code == 200


def test_the_png_answers_404_for_a_forged_waitlisted_or_cancelled_ticket(client, registrations):
    wang, li = registrations
    code = tickets.ticket_code(wang)
    pk, signature = code.split("-")
    forged = f"{pk}-{'1' if signature[0] != '1' else '2'}{signature[1:]}"
    other = f"{li.pk}-{signature}"  # wang's signature on li's number

    for bad in (forged, other, "abc", "0-0000000000", f"{pk}-", "x" * 300):
        assert client.get(png_url(bad)).status_code == 404, bad
    assert client.get(png_url(tickets.ticket_code(li))).status_code == 404  # waitlisted
    Registration.objects.filter(pk=wang.pk).update(status=Registration.Status.CANCELLED)
    assert client.get(png_url(code)).status_code == 404


# ----------------------------------------------------------------------------- the mails
def test_the_confirmation_mail_carries_the_ticket(client, registrations):
    wang, li = registrations
    code = tickets.ticket_code(wang)
    confirmed = mail("registration-confirmed", "wang@example.com")

    image = f'<img src="{settings.SITE_URL}/events/tickets/{code}.png"'
    assert image in confirmed.body_html
    assert f'alt="电子票二维码 {code}"' in confirmed.body_html
    assert f"入场电子票号：{code}" in confirmed.body_text
    assert f"{settings.SITE_URL}{reverse('accounts:registrations')}" in confirmed.body_text
    assert "<img" not in confirmed.body_text
    # The image the mail shows is there to be fetched.
    assert client.get(png_url(code)).content.startswith(PNG)
    # The waitlisted get no ticket.
    waitlisted = mail("registration-waitlisted", "li@example.com")
    assert tickets.ticket_code(li) not in waitlisted.body_html + waitlisted.body_text
    assert "电子票" not in waitlisted.body_html + waitlisted.body_text


def test_the_promotion_mail_carries_the_ticket(registrations, contact):
    wang, li = registrations

    services.registration_cancel(registration=wang, by=contact.user)

    promoted = mail("registration-promoted", "li@example.com")
    code = tickets.ticket_code(li)
    assert f"/events/tickets/{code}.png" in promoted.body_html
    assert code in promoted.body_text
    cancelled = mail("registration-cancelled", "wang@example.com")
    assert tickets.ticket_code(wang) not in cancelled.body_html + cancelled.body_text


# ------------------------------------------------------------------ the registrations page
def test_the_registrations_page_shows_the_tickets_of_confirmed_registrations_only(
    client, event, contact, registrations
):
    wang, li = registrations
    past = open_event(title="上月的活动")
    past.starts_at, past.ends_at = (
        timezone.now() - timedelta(days=30),
        timezone.now() - timedelta(days=30, hours=-3),
    )
    past.save()
    gone = Registration.objects.create(
        event=past, company=contact.company, attendee_name="赵工", attendee_phone="13800000009"
    )
    cancelled = Registration.objects.create(
        event=event,
        company=contact.company,
        attendee_name="钱工",
        attendee_phone="13800000003",
        status=Registration.Status.CANCELLED,
    )
    client.force_login(contact.user)

    page = client.get(reverse("accounts:registrations")).content.decode()

    code = tickets.ticket_code(wang)
    assert page.count("<svg") == 1
    assert f"<title>{code}</title>" in page  # the QR code's own title: the code it holds
    assert f'<p class="ticket-code">{code}</p>' in page
    for other in (li, cancelled, gone):  # waitlisted, cancelled, over
        assert tickets.ticket_code(other) not in page


def test_the_registrations_page_shows_many_tickets_in_as_many_queries(client, contact):
    client.force_login(contact.user)

    def register(count: int, start: int) -> None:
        for n in range(start, start + count):
            services.registration_create(
                event=open_event(title=f"第{n}期交流活动"),
                contact=contact,
                attendees=[Attendee(name=f"甲{n}", email=f"a{n}@example.com")],
            )

    register(2, 0)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("accounts:registrations"))
    register(10, 2)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("accounts:registrations")).content.decode()

    assert page.count("<svg") == 12
    assert len(many) == len(few)
