"""A slow but healthy sender keeps its rows: two workers, a slow SMTP server, no digest twice.

Each batch takes longer than the claim time (20 messages at 0.2 s against a
2 s claim): without renewal the second sender takes over the first one's
rows and both send them.
"""

from collections import Counter
from datetime import timedelta

import pytest

from digests import services, tasks
from digests.models import DigestDelivery, DigestRun
from tests.brokers import KillableRedis, broker_at, wait_for, worker_on_current_broker
from tests.digests.conftest import add_article, add_subscribers

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def broker():
    server = KillableRedis().start()
    with broker_at(server.url):
        yield server
    server.stop()


def test_it_sends_each_digest_once_when_every_batch_outlasts_the_claim(
    world, smtp_server, broker, settings
):
    settings.DIGEST_CLAIM_SECONDS = 2
    settings.DIGEST_BATCH_SIZE = 20
    smtp_server.handler.delay = 0.2
    add_article(world.news, world.start + timedelta(hours=2))
    subscribers = add_subscribers(80, last_digest_at=world.start)
    run = services.digest_run_create(frequency="weekly", scheduled_for=world.today)

    with worker_on_current_broker(concurrency=2):
        tasks.send_digest_run.delay(run.pk)
        # A second sender a second later, as beat's resume: out of step with the first.
        tasks.send_digest_run.apply_async((run.pk,), countdown=1)
        wait_for(
            lambda: DigestRun.objects.filter(pk=run.pk, finished_at__isnull=False).exists(),
            "the run to finish",
            timeout=60,
        )

    received = Counter(smtp_server.handler.recipients())
    assert set(received) == {subscriber.email for subscriber in subscribers}
    twice = sorted(email for email, count in received.items() if count > 1)
    assert twice == [], f"{len(twice)} subscribers got the digest twice"
    assert DigestDelivery.objects.filter(run=run, status="sent").count() == 80
