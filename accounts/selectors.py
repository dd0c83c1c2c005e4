"""What a contact's dashboard shows, in a fixed number of queries."""

from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from digests.models import Subscriber
from events.models import Registration
from members import profile_fields
from members.models import Contact, CouncilSeat, ProfileChange

RECENT_CHANGES = 5
UPCOMING_REGISTRATIONS = 10


@dataclass
class Dashboard:
    contact: Contact
    current_seat: CouncilSeat | None
    profile_changes: list[ProfileChange]
    pending_changes: int
    registrations: list[Registration]
    more_registrations: bool
    colleagues: list[Contact]
    subscriber: Subscriber | None


def labelled(changes) -> list[ProfileChange]:
    """Profile changes, each with ``field_labels``: the names of the fields it changes."""
    changes = list(changes)
    for change in changes:
        change.field_labels = [profile_fields.field_label(name) for name in change.changes]
    return changes


def company_registrations(contact: Contact) -> QuerySet[Registration]:
    """The registrations of the contact's company, with their events, latest event first."""
    return (
        Registration.objects.filter(company_id=contact.company_id)
        .select_related("event", "registered_by__user")
        .order_by("-event__starts_at", "event_id", "created_at", "id")
    )


def subscriber_of(contact: Contact) -> Subscriber | None:
    """The contact's digest subscription (linked, or by the same address), if any."""
    return (
        Subscriber.objects.filter(Q(contact=contact) | Q(email=contact.user.email.lower()))
        .order_by(F("contact_id").asc(nulls_last=True))
        .first()
    )


def dashboard_for(contact: Contact) -> Dashboard:
    company = contact.company
    current_seat = (
        CouncilSeat.objects.filter(company=company, term__is_current=True)
        .select_related("term")
        .first()
    )
    changes = ProfileChange.objects.filter(company=company).select_related("submitted_by__user")
    upcoming = list(
        Registration.objects.filter(company=company, event__ends_at__gte=timezone.now())
        .exclude(status=Registration.Status.CANCELLED)
        .select_related("event")
        .order_by("event__starts_at", "event_id", "created_at", "id")[: UPCOMING_REGISTRATIONS + 1]
    )
    colleagues = list(
        Contact.objects.filter(company=company)
        .select_related("user")
        .order_by("-is_primary", "user__name", "id")
    )
    return Dashboard(
        contact=contact,
        current_seat=current_seat,
        profile_changes=labelled(changes.order_by("-submitted_at", "-id")[:RECENT_CHANGES]),
        pending_changes=changes.filter(status=ProfileChange.Status.PENDING).count(),
        registrations=upcoming[:UPCOMING_REGISTRATIONS],
        more_registrations=len(upcoming) > UPCOMING_REGISTRATIONS,
        colleagues=colleagues,
        subscriber=subscriber_of(contact),
    )
