"""Celery tasks for notices: thin, by primary key; the digest's retry rules."""

from celery import shared_task
from django.conf import settings

from digests.tasks import backoff
from outbox.batches import SendDeferred, mailings_to_resume

from . import services
from .models import NoticeMailing

MAX_RETRIES = 8


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
    ignore_result=True,
)
def send_notice_mailing(self, mailing_id: int) -> str:
    """Send what is left of a mailing; safe to run twice, and alongside another worker."""
    try:
        counts = services.mailing_send(
            mailing_id=mailing_id, time_budget=settings.DIGEST_TASK_SECONDS
        )
    except SendDeferred as exc:
        return _retry(self, mailing_id, exc)
    if counts is None:
        return "not yet due"
    if counts.more:
        send_notice_mailing.delay(mailing_id)
    if counts.deferred:
        return _retry(self, mailing_id, SendDeferred(str(counts)))
    return str(counts)


def _retry(task, mailing_id: int, exc: Exception) -> str:
    if task.request.retries >= MAX_RETRIES:
        return "deferred"  # the rows stay queued: resume_notice_mailings hands them out later
    if task.request.is_eager:
        return task.apply(args=(mailing_id,), retries=task.request.retries + 1).result
    raise task.retry(exc=exc, countdown=backoff(task.request.retries))


@shared_task(ignore_result=True)
def start_notice_mailings() -> int:
    """Beat, every minute: list the recipients of mailings whose time has come, and send them."""
    due = services.mailings_due()
    for mailing_id in due:
        services.mailing_fill(mailing_id=mailing_id)
        send_notice_mailing.delay(mailing_id)
    return len(due)


@shared_task(ignore_result=True)
def resume_notice_mailings() -> int:
    """Beat, every few minutes: hand out again mailings left queued or abandoned by a sender."""
    waiting = mailings_to_resume(
        NoticeMailing.objects.filter(finished_at__isnull=True, filled_at__isnull=False),
        "deliveries",
    )
    for mailing_id in waiting:
        send_notice_mailing.delay(mailing_id)
    return len(waiting)
