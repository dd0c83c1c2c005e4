"""The real pieces: Redis as the broker, a Celery worker started here, an SMTP server in process.

Rows are counted at the SMTP server: whatever the tasks do (run twice, retry,
find rows abandoned by a sender that died), each subscriber gets one message
per run.
"""

import os
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connections
from django.utils import timezone

from config.celery import app
from digests import services, tasks
from digests.models import DigestDelivery, DigestRun, Subscriber
from digests.selectors import run_cutoff
from tests.digests.conftest import add_article, add_subscribers

pytestmark = pytest.mark.django_db(transaction=True)


# A queue of this test run's own: another run sharing the Redis server (and its
# worker) never takes these tasks, and purging it touches no one else's.
QUEUE = f"xiehui-test-digests-{os.getpid()}"


def _route_digest_tasks(routes) -> None:
    app.conf.task_routes = routes
    app.amqp.flush_routes()
    # The router and the queues to consume from were built from the old settings.
    for cached in ("router", "queues", "default_queue"):
        app.amqp.__dict__.pop(cached, None)


@pytest.fixture
def worker(settings):
    """A worker thread consuming from the broker in settings; tasks are not eager meanwhile."""
    settings.DIGEST_RETRY_SECONDS = 1
    finished: set[str] = set()
    lock = threading.Lock()
    test_thread = threading.current_thread()

    def after_task(task_id=None, **kwargs):
        assert threading.current_thread() is not test_thread, "the task ran eagerly"
        with lock:
            finished.add(task_id)
        # The worker thread's own connections, so the test database can be flushed.
        connections.close_all()

    was_eager, routes = app.conf.task_always_eager, app.conf.task_routes
    app.conf.task_always_eager = False
    _route_digest_tasks({"digests.tasks.*": {"queue": QUEUE}})
    task_postrun.connect(after_task, weak=False)
    try:
        with start_worker(
            app,
            pool="solo",
            concurrency=1,
            queues=[QUEUE],
            perform_ping_check=False,
            loglevel="WARNING",
            shutdown_timeout=30,
        ) as started:
            started.finished = finished
            yield started
    finally:
        task_postrun.disconnect(after_task)
        with app.connection_for_write() as conn:
            conn.default_channel.queue_delete(QUEUE)
        _route_digest_tasks(routes)
        app.conf.task_always_eager = was_eager


def wait_for(condition, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def run_through_broker(worker, task, *args) -> None:
    """Queue ``task`` on Redis and wait until the worker has run it (and any retry)."""
    result = task.delay(*args)
    wait_for(lambda: result.id in worker.finished, f"{task.name}{args}")


def test_it_sends_each_subscriber_once_per_run_whatever_happens(world, smtp_server, worker):
    yesterday = world.today - timedelta(days=1)
    first_cutoff, second_cutoff = run_cutoff(yesterday), run_cutoff(world.today)
    add_article(world.news, first_cutoff - timedelta(hours=2), title="第一期的新闻")
    add_article(world.achievements, second_cutoff - timedelta(hours=2), title="第二期的新闻")
    subscribers = add_subscribers(200, last_digest_at=first_cutoff - timedelta(days=7))
    emails = {subscriber.email for subscriber in subscribers}
    received = smtp_server.handler.recipients

    # 200 subscribers: 200 messages.
    first = services.digest_run_create(frequency="weekly", scheduled_for=yesterday)
    run_through_broker(worker, tasks.send_digest_run, first.pk)
    assert len(received()) == 200
    assert set(received()) == emails
    first.refresh_from_db()
    assert first.finished_at is not None

    # The same run again, twice, and created again: nothing more.
    services.digest_run_create(frequency="weekly", scheduled_for=yesterday)
    run_through_broker(worker, tasks.send_digest_run, first.pk)
    run_through_broker(worker, tasks.send_digest_run, first.pk)
    assert len(received()) == 200

    # Today's run: a sender claims a batch and dies before sending it.
    second = services.digest_run_create(frequency="weekly", scheduled_for=world.today)
    abandoned = services.digest_deliveries_claim(run_id=second.pk, limit=50)
    assert len(abandoned) == 50
    run_through_broker(worker, tasks.send_digest_run, second.pk)
    # Rows in flight are left to their sender until its claim is stale.
    assert len(received()) == 350
    assert DigestDelivery.objects.filter(run=second, status="sending").count() == 50
    DigestDelivery.objects.filter(pk__in=abandoned).update(
        claimed_at=timezone.now() - timedelta(hours=1)
    )
    run_through_broker(worker, tasks.resume_digest_runs)
    wait_for(lambda: len(received()) >= 400, "the abandoned rows")
    wait_for(
        lambda: DigestRun.objects.filter(pk=second.pk, finished_at__isnull=False).exists(),
        "the run to finish",
    )
    # The beat's task for today finds today's run done.
    run_through_broker(worker, tasks.start_digest, "weekly")
    assert DigestRun.objects.count() == 2

    per_run = Counter(
        (recipient, message["Subject"])
        for recipients, message in smtp_server.handler.messages
        for recipient in recipients
    )
    assert len(received()) == 400
    assert set(per_run.values()) == {1}, "a subscriber got the same digest twice"
    per_subject = Counter(subject for _recipient, subject in per_run)
    assert sorted(per_subject.values()) == [200, 200], per_subject  # two runs, two date ranges
    assert DigestDelivery.objects.exclude(status="sent").count() == 0


def test_it_retries_later_and_records_bounces(world, smtp_server, worker):
    add_article(world.news, world.start + timedelta(hours=2))
    subscribers = add_subscribers(5, last_digest_at=world.start)
    later, never = subscribers[1], subscribers[3]
    smtp_server.handler.defer_once.add(later.email)
    smtp_server.handler.reject.add(never.email)
    run = services.digest_run_create(frequency="weekly", scheduled_for=world.today)

    tasks.send_digest_run.delay(run.pk)
    wait_for(
        lambda: DigestRun.objects.filter(pk=run.pk, finished_at__isnull=False).exists(),
        "the run to finish after its retry",
        timeout=30,
    )

    received = Counter(smtp_server.handler.recipients())
    assert received == Counter({s.email: 1 for s in subscribers if s != never})
    assert smtp_server.handler.deferred == {later.email}
    assert DigestDelivery.objects.get(subscriber=later).attempts == 2
    failed = DigestDelivery.objects.get(subscriber=never)
    assert failed.status == DigestDelivery.Status.FAILED
    never.refresh_from_db()
    assert never.hard_bounces == 1
    assert never.status == Subscriber.Status.ACTIVE
