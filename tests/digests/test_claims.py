"""Two senders never hold the same row; a dead sender's rows are taken over after a while."""

import threading
from datetime import timedelta

import pytest
from django.db import connections, transaction
from django.utils import timezone

from digests import services
from digests.models import DigestDelivery, Frequency
from tests.digests.conftest import add_subscribers

pytestmark = pytest.mark.django_db(transaction=True)


def claim_in_another_thread(run_id: int, limit: int) -> list[int]:
    claimed = []

    def claim():
        try:
            claimed.extend(services.digest_deliveries_claim(run_id=run_id, limit=limit))
        finally:
            connections.close_all()

    thread = threading.Thread(target=claim)
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive(), "the second sender waited for the first one's lock"
    return claimed


def test_it_skips_rows_another_sender_is_claiming(world):
    add_subscribers(6, last_digest_at=world.start)
    run = services.digest_run_create(frequency=Frequency.WEEKLY, scheduled_for=world.today)

    with transaction.atomic():
        # The first sender's claim, its transaction still open (rows locked, not yet committed).
        first = services.digest_deliveries_claim(run_id=run.pk, limit=4)
        second = claim_in_another_thread(run.pk, limit=4)

    assert len(first) == 4
    assert len(second) == 2
    assert not set(first) & set(second)
    assert services.digest_deliveries_claim(run_id=run.pk, limit=4) == []


def test_it_takes_over_the_rows_of_a_sender_that_died(world, settings):
    settings.DIGEST_CLAIM_SECONDS = 600
    add_subscribers(2, last_digest_at=world.start)
    run = services.digest_run_create(frequency=Frequency.WEEKLY, scheduled_for=world.today)
    dead, alive = services.digest_deliveries_claim(run_id=run.pk, limit=2)
    DigestDelivery.objects.filter(pk=dead).update(
        claimed_at=timezone.now() - timedelta(seconds=601)
    )

    assert services.digest_deliveries_claim(run_id=run.pk, limit=2) == [dead]
    assert DigestDelivery.objects.get(pk=dead).attempts == 2
    assert DigestDelivery.objects.get(pk=alive).attempts == 1
