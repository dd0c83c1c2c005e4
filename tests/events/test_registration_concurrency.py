"""Parallel registrations against PostgreSQL: seats are never oversold.

Each thread has its own database connection and calls the service at the
same moment (a barrier); the event's row lock makes them take turns.
"""

import pytest

from events import services
from events.models import Registration
from events.services import Attendee, RegistrationError
from outbox.models import OutgoingMail
from tests.accounts.builders import make_company, make_contact, open_event
from tests.concurrency import run_at_once

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8


@pytest.fixture
def contacts():
    return [
        make_contact(
            make_company(f"浙江第{n}仪表有限公司", seed=n), f"contact{n}@example.com", primary=True
        )
        for n in range(THREADS)
    ]


def test_it_never_confirms_more_than_the_capacity(contacts, mailoutbox):
    event = open_event(capacity=2, per_company_limit=1)

    def register(n):
        return lambda: services.registration_create(
            event=event,
            contact=contacts[n],
            attendees=[Attendee(name=f"参会人{n}", email=f"p{n}@example.com")],
        )

    results = run_at_once([register(n) for n in range(THREADS)])

    assert not [r for r in results if isinstance(r, Exception)]
    rows = list(Registration.objects.filter(event=event).order_by("created_at", "id"))
    assert len(rows) == THREADS
    assert [row.status for row in rows] == ["confirmed"] * 2 + ["waitlisted"] * (THREADS - 2)
    confirmed = OutgoingMail.objects.filter(template="registration-confirmed").count()
    waitlisted = OutgoingMail.objects.filter(template="registration-waitlisted").count()
    assert (confirmed, waitlisted) == (2, THREADS - 2)
    # Sent after each transaction committed, once each.
    assert sorted(message.to[0] for message in mailoutbox) == sorted(
        f"p{n}@example.com" for n in range(THREADS)
    )


def test_it_never_gives_one_company_more_than_its_places(contacts):
    event = open_event(capacity=10, per_company_limit=1)
    contact = contacts[0]

    def register(n):
        return lambda: services.registration_create(
            event=event,
            contact=contact,
            attendees=[Attendee(name=f"同事{n}", email=f"colleague{n}@example.com")],
        )

    results = run_at_once([register(n) for n in range(THREADS)])

    assert sum(isinstance(r, list) for r in results) == 1
    assert sum(isinstance(r, RegistrationError) for r in results) == THREADS - 1
    assert Registration.objects.filter(event=event).count() == 1


def test_it_promotes_each_waitlisted_once_when_seats_free_at_once(contacts, mailoutbox):
    event = open_event(capacity=2, per_company_limit=1)
    for n in range(THREADS):
        services.registration_create(
            event=event,
            contact=contacts[n],
            attendees=[Attendee(name=f"参会人{n}", email=f"p{n}@example.com")],
        )
    confirmed = list(Registration.objects.filter(event=event, status="confirmed"))
    assert len(confirmed) == 2

    # Both seats are cancelled at once, each cancellation twice (a double click).
    calls = [
        (lambda r=registration: services.registration_cancel(registration=r, by=None))
        for registration in confirmed
        for _twice in range(2)
    ]
    results = run_at_once(calls)

    assert not [r for r in results if isinstance(r, Exception)]
    rows = list(Registration.objects.filter(event=event).order_by("created_at", "id"))
    assert [row.status for row in rows[:4]] == ["cancelled", "cancelled", "confirmed", "confirmed"]
    assert all(row.status == "waitlisted" for row in rows[4:])
    promoted = OutgoingMail.objects.filter(template="registration-promoted")
    assert sorted(promoted.values_list("to", flat=True)) == ["p2@example.com", "p3@example.com"]
    assert OutgoingMail.objects.filter(template="registration-cancelled").count() == 2
    promoted_sent = [m.to[0] for m in mailoutbox if "候补转正" in m.subject]
    assert sorted(promoted_sent) == ["p2@example.com", "p3@example.com"]
