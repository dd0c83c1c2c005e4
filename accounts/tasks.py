"""Celery tasks of the accounts app: thin, by primary key."""

from celery import shared_task

from outbox.dispatch import dispatch

from . import services


@shared_task(acks_late=True, ignore_result=True)
def process_password_reset(request_id: int) -> int:
    return services.password_reset_process(request_id=request_id)


@shared_task(ignore_result=True)
def requeue_password_resets() -> int:
    """Beat, every minute: hand out again the resets whose task never reached a worker."""
    pending = services.password_resets_pending()
    return sum(dispatch(process_password_reset, pk) for pk in pending)
