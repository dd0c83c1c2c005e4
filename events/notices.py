"""Telling registrants about their event: a changed date, a cancellation, tomorrow's reminder.

Each notice is one outbox mail per registration (to the attendee, or to the
contact who registered one without an email: events.mailing), with a key
that names the change, so saving the same change twice, or running the
reminder twice, mails nobody twice, while a second postponement is
announced again.
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.tokens import site_url

from .mailing import registrant_mail
from .models import Event, Registration

NOTIFIED = (Registration.Status.CONFIRMED, Registration.Status.WAITLISTED)


def _event_url(event: Event) -> str:
    return settings.SITE_URL + reverse("events:event_detail", args=[event.pk])


def _registrations_url() -> str:
    """Where a contact cancels a registration (the mails tell others whom to ask)."""
    return site_url("accounts:registrations")


@transaction.atomic
def event_change_notify(*, event: Event, previous_starts_at: datetime, previous_status: str) -> int:
    """Mail the registrants of ``event`` when its date moved or it was cancelled.

    Call it after saving the event with what the event was before. Drafts
    have no registrants to tell. Returns how many mails were queued.
    """
    if event.status == Event.Status.DRAFT:
        return 0
    if event.status == Event.Status.CANCELLED and previous_status != Event.Status.CANCELLED:
        template, change = "event-cancelled", "cancelled"
    elif event.starts_at != previous_starts_at and event.status != Event.Status.CANCELLED:
        template, change = "event-rescheduled", f"moved:{event.starts_at.isoformat()}"
    else:
        return 0
    queued = 0
    registrations = event.registrations.filter(status__in=NOTIFIED).select_related(
        "company", "registered_by__user"
    )
    for registration in registrations:
        mail = registrant_mail(
            template=template,
            registration=registration,
            context={
                "event": event,
                "previous_starts_at": previous_starts_at,
                "event_url": _event_url(event),
                "registrations_url": _registrations_url(),
            },
            key=f"event-{change}:{event.pk}:{registration.pk}",
        )
        queued += mail is not None
    return queued


@transaction.atomic
def event_reminders_send(*, day: date | None = None) -> int:
    """Remind the confirmed attendees of the events that start on ``day`` (default: tomorrow).

    Returns how many reminders were queued; running it again queues none.
    """
    day = day or timezone.localdate() + timedelta(days=1)
    registrations = (
        Registration.objects.filter(
            status=Registration.Status.CONFIRMED,
            event__starts_at__date=day,
            event__status__in=[Event.Status.PUBLISHED, Event.Status.POSTPONED],
        )
        .select_related("event", "company", "registered_by__user")
        .order_by("event_id", "id")
    )
    queued = 0
    for registration in registrations:
        mail = registrant_mail(
            template="event-reminder",
            registration=registration,
            context={
                "event": registration.event,
                "event_url": _event_url(registration.event),
                "registrations_url": _registrations_url(),
            },
            key=f"event-reminder:{registration.pk}:{day.isoformat()}",
        )
        queued += mail is not None
    return queued
