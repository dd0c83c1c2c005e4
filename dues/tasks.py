"""Celery tasks of the dues app: thin."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, ignore_result=True)
def send_dues_reminders() -> int:
    """Beat, daily: the reminders due today (each once per bill and offset)."""
    return services.dues_reminders_send()
