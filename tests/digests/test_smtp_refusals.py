"""A real SMTP server that says "later" (4xx) or "never" (5xx); tasks run eagerly."""

from datetime import timedelta

import pytest

from digests import services, tasks
from digests.models import DigestDelivery, DigestRun, Frequency, Subscriber
from tests.digests.conftest import add_article, add_subscribers
from tests.smtp_server import free_port

pytestmark = pytest.mark.django_db(transaction=True)


def run_for(world, days_ago: int) -> DigestRun:
    return services.digest_run_create(
        frequency=Frequency.WEEKLY, scheduled_for=world.today - timedelta(days=days_ago)
    )


@pytest.fixture
def news(world):
    # Published before the earliest run's cutoff, so that every run below has it.
    add_article(world.news, world.start - timedelta(days=20), title="一条新闻")
    return world


def test_it_retries_a_temporary_refusal_and_delivers_once(news, smtp_server, settings):
    settings.DIGEST_RETRY_SECONDS = 0
    subscribers = add_subscribers(3, last_digest_at=news.start - timedelta(days=21))
    smtp_server.handler.defer_once.add(subscribers[1].email)
    run = run_for(news, 0)

    tasks.send_digest_run.delay(run.pk)  # eager: the retry runs at once

    assert sorted(smtp_server.handler.recipients()) == sorted(s.email for s in subscribers)
    assert smtp_server.handler.deferred == {subscribers[1].email}
    deferred = DigestDelivery.objects.get(subscriber=subscribers[1])
    assert deferred.status == DigestDelivery.Status.SENT
    assert deferred.attempts == 2
    assert DigestDelivery.objects.filter(status="sent").count() == 3
    run.refresh_from_db()
    assert run.finished_at is not None


def test_it_sends_the_others_when_one_address_is_refused_for_now(news, smtp_server):
    subscribers = add_subscribers(3, last_digest_at=news.start - timedelta(days=21))
    smtp_server.handler.defer_once.add(subscribers[1].email)
    run = run_for(news, 0)

    counts = services.digest_run_send(run_id=run.pk)

    assert (counts.sent, counts.deferred) == (2, 1)
    statuses = dict(DigestDelivery.objects.values_list("subscriber__email", "status"))
    assert statuses == {
        subscribers[0].email: "sent",
        subscribers[1].email: "queued",
        subscribers[2].email: "sent",
    }
    assert "451" in DigestDelivery.objects.get(subscriber=subscribers[1]).error
    run.refresh_from_db()
    assert run.finished_at is None
    # The later try.
    assert services.digest_run_send(run_id=run.pk).sent == 1
    assert sorted(smtp_server.handler.recipients()) == sorted(s.email for s in subscribers)
    run.refresh_from_db()
    assert run.finished_at is not None


def test_it_gives_up_on_an_address_refused_for_now_too_often(news, smtp_server, settings):
    settings.DIGEST_MAX_ATTEMPTS = 2
    (greylisted,) = add_subscribers(1, last_digest_at=news.start - timedelta(days=21))
    run = run_for(news, 0)

    smtp_server.handler.defer_once.add(greylisted.email)
    assert services.digest_run_send(run_id=run.pk).deferred == 1
    smtp_server.handler.deferred.clear()  # refused again
    assert services.digest_run_send(run_id=run.pk).failed == 1

    delivery = DigestDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 2)
    greylisted.refresh_from_db()
    assert greylisted.hard_bounces == 0  # not a bounce


def test_it_queues_the_batch_again_when_the_server_cannot_be_reached(news, settings):
    subscribers = add_subscribers(3, last_digest_at=news.start - timedelta(days=21))
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }
    run = run_for(news, 0)

    with pytest.raises(services.DigestSendDeferred):
        services.digest_run_send(run_id=run.pk)

    assert set(DigestDelivery.objects.values_list("status", flat=True)) == {"queued"}
    assert all(
        delivery.claimed_at is None and "Connection" in delivery.error
        for delivery in DigestDelivery.objects.all()
    )
    assert Subscriber.objects.filter(hard_bounces=0).count() == len(subscribers)


def test_it_counts_a_permanent_refusal_as_a_bounce(news, smtp_server):
    bouncing, fine = add_subscribers(2, last_digest_at=news.start - timedelta(days=21))
    smtp_server.handler.reject.add(bouncing.email)
    run = run_for(news, 0)

    tasks.send_digest_run.delay(run.pk)

    assert smtp_server.handler.recipients() == [fine.email]
    failed = DigestDelivery.objects.get(subscriber=bouncing)
    assert failed.status == DigestDelivery.Status.FAILED
    assert "550" in failed.error
    bouncing.refresh_from_db()
    assert bouncing.hard_bounces == 1
    assert bouncing.status == Subscriber.Status.ACTIVE
    # A failed row did not move the window: the next digest still has the news.
    assert bouncing.last_digest_at == news.start - timedelta(days=21)


def test_it_suppresses_an_address_after_three_bounces(news, smtp_server):
    (bouncing,) = add_subscribers(1, last_digest_at=news.start - timedelta(days=21))
    smtp_server.handler.reject.add(bouncing.email)

    for days_ago in (3, 2, 1):
        run = run_for(news, days_ago)
        services.digest_run_send(run_id=run.pk)

    bouncing.refresh_from_db()
    assert bouncing.hard_bounces == 3
    assert bouncing.status == Subscriber.Status.SUPPRESSED
    assert DigestDelivery.objects.filter(status="failed").count() == 3
    next_run = run_for(news, 0)
    assert not next_run.deliveries.exists()
    assert smtp_server.handler.recipients() == []


def test_it_sends_again_the_failed_rows_an_admin_requeues(news, smtp_server):
    (subscriber,) = add_subscribers(1, last_digest_at=news.start - timedelta(days=21))
    smtp_server.handler.reject.add(subscriber.email)
    run = run_for(news, 0)
    services.digest_run_send(run_id=run.pk)
    smtp_server.handler.reject.clear()  # the mailbox exists again

    assert services.digest_deliveries_resend(run_ids=[run.pk]) == 1  # sent after commit

    assert smtp_server.handler.recipients() == [subscriber.email]
    assert DigestDelivery.objects.get().status == DigestDelivery.Status.SENT
