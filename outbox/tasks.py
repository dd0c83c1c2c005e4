"""Celery tasks for transactional mail: thin, by primary key; retries live here."""

from celery import shared_task

from . import services

MAX_RETRIES = 8


def backoff(retries: int) -> int:
    """Seconds before the next try: 30 s, 1 min, 2 min … capped at one hour."""
    return min(30 * 2**retries, 3600)


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True, ignore_result=True)
def send_outgoing_mail(self, pk: int) -> str:
    retry_in = 0 if self.request.is_eager else backoff(self.request.retries)
    outcome = services.outbox_send(
        pk, final_attempt=self.request.retries >= MAX_RETRIES, retry_in=retry_in
    )
    if outcome is services.Outcome.RETRY:
        if self.request.is_eager:
            # Running inline (the demo, tests): no worker comes back later, so try again now.
            return self.apply(args=(pk,), retries=self.request.retries + 1).result
        raise self.retry(countdown=retry_in)
    return outcome.value


@shared_task(ignore_result=True)
def requeue_stale_mail() -> int:
    """Beat, every minute: hand lost, abandoned or undispatched mail to a worker again."""
    return services.outbox_dispatch(services.outbox_requeue_stale())
