"""Celery tasks for the digest: thin, by primary key; retries live here."""

import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import selectors, services

logger = logging.getLogger(__name__)

MAX_RETRIES = 8


def backoff(retries: int) -> int:
    """Seconds before the next try: DIGEST_RETRY_SECONDS, doubled each time, at most an hour."""
    return min(settings.DIGEST_RETRY_SECONDS * 2**retries, 3600)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
    ignore_result=True,
)
def send_digest_run(self, run_id: int) -> str:
    """Send what is left of a run; safe to run twice, and alongside another worker.

    Tries again later, with exponential backoff, when the mail server could
    not take mail or refused some addresses for now (4xx).
    """
    try:
        counts = services.digest_run_send(run_id=run_id, time_budget=settings.DIGEST_TASK_SECONDS)
    except services.DigestSendDeferred as exc:
        return _retry(self, run_id, exc)
    if counts.more:
        send_digest_run.delay(run_id)
    if counts.deferred:
        return _retry(self, run_id, services.DigestSendDeferred(str(counts)))
    return str(counts)


def _retry(task, run_id: int, exc: Exception) -> str:
    if task.request.retries >= MAX_RETRIES:
        # The rows stay queued: resume_digest_runs hands them out again later.
        logger.error("digest run %s: mail server still refusing, giving up for now", run_id)
        return "deferred"
    if task.request.is_eager:
        # Running inline (the demo, tests): no worker comes back later, so try again now.
        return task.apply(args=(run_id,), retries=task.request.retries + 1).result
    raise task.retry(exc=exc, countdown=backoff(task.request.retries))


@shared_task(ignore_result=True)
def start_digest(frequency: str) -> int:
    """Beat: create today's run of ``frequency`` (Asia/Shanghai) and send it after commit."""
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    run = services.digest_run_create(frequency=frequency, scheduled_for=today)
    send_digest_run.delay_on_commit(run.pk)
    return run.pk


@shared_task(ignore_result=True)
def resume_digest_runs() -> int:
    """Beat, every few minutes: hand out again runs whose rows were left queued or abandoned."""
    run_ids = selectors.digest_runs_to_resume()
    for run_id in run_ids:
        send_digest_run.delay(run_id)
    return len(run_ids)
