"""Reads of events that are more than one QuerySet method."""

import enum
from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import ExtractYear

from bulletin.models import Article
from members.models import Company

from .models import AgendaItem, Event, Registration

# Registrations that hold a seat; waitlisted and cancelled ones do not.
SEAT_HOLDING = (Registration.Status.CONFIRMED, Registration.Status.ATTENDED)


def _co_organisers() -> Prefetch:
    companies = (
        Company.objects.annotate(
            is_listed=ExpressionWrapper(
                Q(status=Company.Status.ACTIVE, listed=True), output_field=BooleanField()
            )
        )
        .only("id", "name", "short_name")
        .order_by("name")
    )
    return Prefetch("co_organisers", queryset=companies)


def events_upcoming_then_past(*, now: datetime) -> QuerySet[Event]:
    """Visible events: those not yet over (soonest first), then past ones (latest first).

    Each event carries ``is_past`` and its co-organisers (``is_listed`` on each).
    """
    return (
        Event.objects.visible()
        .annotate(
            is_past=ExpressionWrapper(Q(ends_at__lt=now), output_field=BooleanField()),
            upcoming_starts_at=Case(When(ends_at__gte=now, then=F("starts_at"))),
        )
        .order_by("is_past", F("upcoming_starts_at").asc(nulls_last=True), "-starts_at", "-id")
        .defer("description")
        .prefetch_related(_co_organisers())
    )


def event_years() -> list[int]:
    """Years (in the site's time zone) in which visible events start, latest first."""
    return list(
        Event.objects.visible()
        .annotate(year=ExtractYear("starts_at"))
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


def events_for_page() -> QuerySet[Event]:
    """Visible events with what their page shows, in a fixed number of queries.

    Each event carries ``seats_taken`` (confirmed or attended registrations),
    ``report_title`` (None unless the report article is published), its agenda
    in order and its co-organisers (``is_listed`` on each).
    """
    report_title = Article.objects.published().filter(pk=OuterRef("report_id")).values("title")
    return (
        Event.objects.visible()
        .annotate(
            seats_taken=Count("registrations", filter=Q(registrations__status__in=SEAT_HOLDING)),
            report_title=Subquery(report_title[:1]),
        )
        .prefetch_related(
            Prefetch(
                "agenda_items", queryset=AgendaItem.objects.order_by("order", "starts_at", "id")
            ),
            _co_organisers(),
        )
    )


class RegistrationStatus(enum.StrEnum):
    NOT_OFFERED = "not_offered"  # no registration window was set for an upcoming event
    NOT_OPEN_YET = "not_open_yet"
    OPEN = "open"
    FULL = "full"  # open, every seat taken: new registrations join the waitlist
    CLOSED = "closed"


@dataclass(frozen=True)
class RegistrationState:
    status: RegistrationStatus
    opens_at: datetime | None
    # When registration ends: the window's close, else the start of the event.
    closes_at: datetime
    # None when the event has no capacity limit.
    seats_left: int | None


def registration_state(event: Event, *, now: datetime) -> RegistrationState:
    """Where registration for ``event`` stands at ``now``.

    ``event`` needs ``seats_taken`` (see ``events_for_page``). Registration
    closes when the window closes or, without a close, when the event starts;
    it is closed for cancelled and past events.
    """
    seats_left = None
    if event.capacity is not None:
        seats_left = max(event.capacity - event.seats_taken, 0)
    opens_at = event.registration_opens_at
    closes_at = event.registration_closes_at or event.starts_at

    if event.status == Event.Status.CANCELLED or now > closes_at or now > event.ends_at:
        status = RegistrationStatus.CLOSED
    elif opens_at is None and event.registration_closes_at is None:
        status = RegistrationStatus.NOT_OFFERED
    elif opens_at is not None and now < opens_at:
        status = RegistrationStatus.NOT_OPEN_YET
    elif seats_left == 0:
        status = RegistrationStatus.FULL
    else:
        status = RegistrationStatus.OPEN
    return RegistrationState(
        status=status, opens_at=opens_at, closes_at=closes_at, seats_left=seats_left
    )
