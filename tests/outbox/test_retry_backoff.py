"""A mail waiting out its retry is not stale: beat's requeue leaves it to its backoff.

A greylisting SMTP server (4xx on every try), a real worker on a Redis
broker, and the requeue run every half second with a one-second claim time.
"""

import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from outbox import services, tasks
from outbox.models import OutgoingMail
from tests.brokers import KillableRedis, broker_at, wait_for, worker_on_current_broker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def broker():
    server = KillableRedis().start()
    with broker_at(server.url):
        yield server
    server.stop()


def test_it_leaves_a_greylisted_mail_to_its_backoff(broker, smtp_server, settings):
    settings.OUTBOX_CLAIM_SECONDS = 1
    smtp_server.handler.greylist.add("slow@example.com")
    with worker_on_current_broker() as worker:
        with transaction.atomic():
            row = services.mail_queue(
                template="subscription-confirm",
                to="slow@example.com",
                context={"subscriber": None, "confirm_url": "http://127.0.0.1:8000/"},
            )
        wait_for(lambda: smtp_server.handler.attempts["slow@example.com"] == 1, "the first try")
        wait_for(
            lambda: OutgoingMail.objects.filter(pk=row.pk, status="queued").exists(),
            "the row back in the queue for its retry",
        )
        requeued = []
        for _ in range(8):  # four seconds of beat, far more often than the real one
            time.sleep(0.5)
            requeued.append(tasks.requeue_stale_mail.delay().id)
        wait_for(lambda: set(requeued) <= worker.finished, "the requeues")

    # The backoff's first retry is 30 s away: one try so far, not one per requeue.
    assert smtp_server.handler.attempts["slow@example.com"] == 1
    row.refresh_from_db()
    assert row.status == OutgoingMail.Status.QUEUED
    assert row.attempts == 1
    assert row.next_attempt_at > timezone.now() + timedelta(seconds=20)
    assert services.outbox_requeue_stale() == []


def test_it_hands_out_a_retry_whose_task_was_lost(settings):
    settings.OUTBOX_CLAIM_SECONDS = 60
    now = timezone.now()
    with transaction.atomic():
        lost = OutgoingMail.objects.create(
            template="t",
            to="a@example.com",
            subject="s",
            body_text="t",
            next_attempt_at=now - timedelta(minutes=5),
        )
        waiting = OutgoingMail.objects.create(
            template="t",
            to="b@example.com",
            subject="s",
            body_text="t",
            next_attempt_at=now + timedelta(minutes=5),
        )
    assert services.outbox_requeue_stale() == [lost.pk]
    # An early task (a duplicate, a clock ahead) does not send a row before its time.
    assert services.outbox_send(waiting.pk) is services.Outcome.SKIPPED
    assert OutgoingMail.objects.get(pk=waiting.pk).attempts == 0
