from celery import shared_task

from . import notices


@shared_task(ignore_result=True)
def send_event_reminders() -> int:
    """Beat, daily: remind tomorrow's attendees."""
    return notices.event_reminders_send()
