"""Who came: an event's confirmed registrations, check-ins, walk-ins and attendance rate.

The counts are those of the door (``events.check_in.door_counts``): confirmed
are the registrations booked beforehand (confirmed or checked in, not
walk-ins); checked in are those checked in at the door, or marked as
attended in the back office; walk-ins registered at the door. The
attendance rate is the share of the confirmed who were checked in, walk-ins
left out (they would take it past 100 %), and is given for past events only.
"""

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .models import Event, Registration
from .tickets import VALID_STATUSES

CAME = Q(registrations__checked_in_at__isnull=False) | Q(
    registrations__status=Registration.Status.ATTENDED
)
BOOKED = Q(registrations__status__in=VALID_STATUSES, registrations__walk_in=False)


def with_attendance(events: QuerySet[Event]) -> QuerySet[Event]:
    """``events``, each with ``confirmed_count``, ``checked_in_count``, ``walk_in_count`` and
    ``booked_checked_in_count`` (the confirmed who were checked in): one query for all."""
    return events.annotate(
        confirmed_count=Count("registrations", filter=BOOKED),
        checked_in_count=Count("registrations", filter=CAME),
        walk_in_count=Count(
            "registrations",
            filter=Q(registrations__walk_in=True)
            & ~Q(registrations__status=Registration.Status.CANCELLED),
        ),
        booked_checked_in_count=Count("registrations", filter=BOOKED & CAME),
    )


def attendance_rate(event: Event, *, now=None) -> float | None:
    """The confirmed who came ÷ the confirmed, for a past event with confirmed registrations
    (``event`` from ``with_attendance``); None otherwise."""
    if event.ends_at >= (now or timezone.now()) or not event.confirmed_count:
        return None
    return event.booked_checked_in_count / event.confirmed_count
