"""The broker (Redis) down: requests that mail people succeed; the mail goes once it is back.

A real Redis of the test's own is stopped and started again on the same port;
mail reaches a real SMTP server through a real worker.
"""

from collections import Counter

import pytest
from django.urls import reverse

from digests.models import Subscriber
from events.models import Registration
from outbox import tasks
from outbox.models import OutgoingMail
from tests.accounts.builders import make_company, make_contact, open_event
from tests.brokers import KillableRedis, broker_at, wait_for, worker_on_current_broker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def broker():
    server = KillableRedis().start()
    with broker_at(server.url):
        yield server
    server.stop()


def register_two(client, event):
    return client.post(
        reverse("events:register", args=[event.pk]),
        {
            "attendees-TOTAL_FORMS": "2",
            "attendees-INITIAL_FORMS": "0",
            "attendees-MIN_NUM_FORMS": "1",
            "attendees-MAX_NUM_FORMS": "5",
            "attendees-0-name": "王工",
            "attendees-0-phone": "13800000001",
            "attendees-0-email": "wang@example.com",
            "attendees-1-name": "李工",
            "attendees-1-phone": "13800000002",
            "attendees-1-email": "li@example.com",
        },
    )


def test_it_answers_and_sends_the_mail_once_the_broker_is_back(client, broker, smtp_server):
    contact = make_contact(make_company("浙江甲仪表有限公司"), "a@example.com", primary=True)
    event = open_event(capacity=10)
    broker.stop()

    subscribed = client.post("/subscribe/", {"email": "visitor@example.com", "frequency": "weekly"})
    client.force_login(contact.user)
    registered = register_two(client, event)

    assert subscribed.status_code == 302
    assert registered.status_code == 302
    assert Subscriber.objects.filter(email="visitor@example.com").exists()
    # Two mails in one transaction: the second hook ran although the first met a dead broker.
    assert Registration.objects.filter(event=event).count() == 2
    rows = OutgoingMail.objects.all()
    assert sorted(rows.values_list("to", flat=True)) == [
        "li@example.com",
        "visitor@example.com",
        "wang@example.com",
    ]
    assert set(rows.values_list("status", "needs_dispatch")) == {("queued", True)}
    assert smtp_server.handler.recipients() == []

    broker.start()
    with worker_on_current_broker() as worker:
        result = tasks.requeue_stale_mail.delay()
        wait_for(lambda: result.id in worker.finished, "the requeue")
        wait_for(lambda: len(smtp_server.handler.recipients()) >= 3, "the three mails")
        # Beat's next run finds nothing left to hand out.
        again = tasks.requeue_stale_mail.delay()
        wait_for(lambda: again.id in worker.finished, "the second requeue")

    assert Counter(smtp_server.handler.recipients()) == {
        "visitor@example.com": 1,
        "wang@example.com": 1,
        "li@example.com": 1,
    }
    assert set(OutgoingMail.objects.values_list("status", "needs_dispatch")) == {("sent", False)}
