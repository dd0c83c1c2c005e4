"""Checking people in at the door: by ticket code, by name search, and walk-ins.

A check-in is one conditional UPDATE (``checked_in_at IS NULL``): PostgreSQL
takes the row's lock, and of any number of scans of one ticket at the same
moment — a double scan, a retry after a lost answer, two phones — exactly
one finds the row not yet checked in; every other one answers "already".
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from members.models import Company

from . import tickets
from .models import Event, Registration

CHECKED_IN = "checked_in"
ALREADY = "already"
WRONG_EVENT = "wrong_event"
CANCELLED = "cancelled"
WAITLISTED = "waitlisted"
INVALID = "invalid"


@dataclass
class CheckIn:
    result: str
    registration: Registration | None = None
    checked_in_at: datetime | None = None

    def as_json(self) -> dict:
        registration = self.registration
        at = self.checked_in_at
        return {
            "result": self.result,
            "name": registration.attendee_name if registration else "",
            "company": registration.company.display_name if registration else "",
            "event": registration.event.title if registration else "",
            "checked_in_at": timezone.localtime(at).strftime("%H:%M") if at else "",
        }


def check_in(*, event: Event, code: str, by) -> CheckIn:
    """Check in the ticket ``code`` at ``event``; idempotent, and safe at any concurrency."""
    registration = tickets.registration_for_code(code)
    if registration is None:
        return CheckIn(INVALID)
    if registration.event_id != event.pk:
        return CheckIn(WRONG_EVENT, registration)
    if registration.status == Registration.Status.CANCELLED:
        return CheckIn(CANCELLED, registration)
    if registration.status == Registration.Status.WAITLISTED:
        return CheckIn(WAITLISTED, registration)
    now = timezone.now()
    marked = Registration.objects.filter(
        pk=registration.pk,
        checked_in_at__isnull=True,
        status__in=tickets.VALID_STATUSES,
    ).update(
        status=Registration.Status.ATTENDED,
        checked_in_at=now,
        checked_in_by=by,
        updated_at=now,
    )
    if marked:
        return CheckIn(CHECKED_IN, registration, now)
    registration.refresh_from_db(fields=["status", "checked_in_at"])
    if registration.status == Registration.Status.CANCELLED:  # cancelled a moment ago
        return CheckIn(CANCELLED, registration)
    return CheckIn(ALREADY, registration, registration.checked_in_at)


def walk_in(*, event: Event, company: Company, name: str, phone: str, title: str, by) -> CheckIn:
    """Register someone who came without registering, and check them in at once."""
    now = timezone.now()
    with transaction.atomic():
        registration = Registration.objects.create(
            event=event,
            company=company,
            attendee_name=name.strip(),
            attendee_title=title.strip(),
            attendee_phone=phone.strip(),
            status=Registration.Status.ATTENDED,
            walk_in=True,
            checked_in_at=now,
            checked_in_by=by,
            created_at=now,
        )
    registration.event = event
    registration.company = company
    return CheckIn(CHECKED_IN, registration, now)


def door_counts(event: Event) -> dict:
    """Confirmed (booked, not walk-ins), checked in, and walk-ins: one query."""
    return Registration.objects.filter(event=event).aggregate(
        confirmed=Count(
            "pk",
            filter=Q(status__in=tickets.VALID_STATUSES, walk_in=False),
        ),
        checked_in=Count("pk", filter=Q(checked_in_at__isnull=False)),
        walk_ins=Count("pk", filter=Q(walk_in=True)),
    )


def door_search(event: Event, text: str, *, limit: int = 10) -> list[dict]:
    """Registrations of ``event`` by the attendee's name, mobile or company: for the door."""
    text = text.strip()
    if not text:
        return []
    found = (
        Registration.objects.filter(event=event)
        .filter(
            Q(attendee_name__icontains=text)
            | Q(attendee_phone__contains=text)
            | Q(company__name__icontains=text)
            | Q(company__short_name__icontains=text)
        )
        .select_related("company")
        .order_by("attendee_name", "pk")[:limit]
    )
    return [
        {
            "code": tickets.ticket_code(registration),
            "name": registration.attendee_name,
            "company": registration.company.display_name,
            "status": registration.status,
            "checked_in_at": (
                timezone.localtime(registration.checked_in_at).strftime("%H:%M")
                if registration.checked_in_at
                else ""
            ),
        }
        for registration in found
    ]
