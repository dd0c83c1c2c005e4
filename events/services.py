"""Writes of event registrations: register, cancel, move the waitlist up, mark attendance.

Seats are never oversold: every function that gives or frees a seat first
locks the event's row (SELECT … FOR UPDATE), so registrations for one
event are decided one after another, each seeing the ones before.

The per-company limit ("places per company") counts every registration of
the company that is not cancelled, waitlisted ones included: a company that
has used its places is refused further registrations, with a message, rather
than put on the waitlist. So one company cannot fill the waitlist, and a
waitlisted registration always fits its company's limit when a seat frees
(it is checked again on promotion, in case the secretariat lowered the limit).
Beyond the capacity, registrations join the waitlist in the order they were
made (``created_at``, then ``id``).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from members.models import Company, Contact
from outbox.messages import reply_to_headers
from portal.phones import stored_phone

from .mailing import registrant_mail
from .models import Event, Registration
from .selectors import SEAT_HOLDING, RegistrationStatus, registration_state

# Registrations that count against a company's places.
ACTIVE = (*SEAT_HOLDING, Registration.Status.WAITLISTED)


class RegistrationError(Exception):
    """A registration or cancellation that cannot be made; the message says why."""


@dataclass(frozen=True)
class Attendee:
    name: str
    email: str = ""
    title: str = ""
    phone: str = ""  # a mobile number is stored as its 11 digits (portal.phones)
    answers: dict = field(default_factory=dict)  # EventQuestion id (str) → answer


def _event_url(event: Event) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return settings.SITE_URL + reverse("events:event_detail", args=[event.pk])


def _registrations_url() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return settings.SITE_URL + reverse("accounts:registrations")


# Mails that ask for an answer: Reply-To the secretariat (outbox.messages.reply_to_headers).
ASKING_FOR_REPLY = {"registration-cancelled"}


def _mail(template: str, registration: Registration) -> None:
    """Mail the attendee, or the contact who registered them when they gave no email."""
    registrant_mail(
        template=template,
        registration=registration,
        context={
            "event": registration.event,
            "company": registration.company,
            "event_url": _event_url(registration.event),
            "registrations_url": _registrations_url(),
        },
        key=f"{template}:{registration.pk}",
        headers=reply_to_headers() if template in ASKING_FOR_REPLY else None,
    )


def _locked_event(event: Event) -> Event:
    """The event's row, locked until the transaction ends, with its seats taken."""
    locked = Event.objects.select_for_update().get(pk=event.pk)
    locked.seats_taken = locked.registrations.filter(status__in=SEAT_HOLDING).count()
    return locked


def _unavailable(emails: list[str], mobiles: list[str] = ()) -> str:
    refusals = []
    if emails:
        refusals.append(
            _(
                "These email addresses cannot be registered for this event: %(emails)s. "
                "Please check them, or ask the secretariat."
            )
            % {"emails": "、".join(emails)}
        )
    if mobiles:
        refusals.append(
            _(
                "These mobile numbers cannot be registered for this event: %(mobiles)s. "
                "Please check them, or ask the secretariat."
            )
            % {"mobiles": "、".join(mobiles)}
        )
    return " ".join(refusals)


def _refuse_taken(
    event: Event, company: Company, emails: list[str], mobiles: list[str] = ()
) -> None:
    """Refuse attendees already registered (by email or mobile); name them only to their
    own company.

    Who another company registered is that company's business: an address or a
    number it registered is refused without a name, as any that cannot be used.
    """
    emails = [email for email in emails if email]
    mobiles = [mobile for mobile in mobiles if mobile]
    taken = list(
        event.registrations.exclude(status=Registration.Status.CANCELLED)
        .annotate(email_lower=Lower("attendee_email"))
        .filter(Q(email_lower__in=emails) | Q(attendee_phone__in=mobiles))
        .values_list("company_id", "attendee_name", "email_lower", "attendee_phone")
        .order_by("id")
    )
    own = [row[1] for row in taken if row[0] == company.pk]
    if own:
        raise RegistrationError(
            _("Already registered for this event: %(names)s.") % {"names": "、".join(own)}
        )
    if taken:
        taken_emails = [email for _id, _name, email, _mobile in taken if email in emails]
        taken_mobiles = dict.fromkeys(  # those not refused by their email already
            mobile
            for _id, _name, email, mobile in taken
            if mobile in mobiles and email not in emails
        )
        raise RegistrationError(_unavailable(taken_emails, list(taken_mobiles)))


def _constraint(error: IntegrityError) -> str:
    """The name of the constraint PostgreSQL reports ``error`` broke, if any."""
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None) or ""


def registration_create(
    *, event: Event, contact: Contact, attendees: Iterable[Attendee]
) -> list[Registration]:
    """Register ``attendees`` for ``event`` on behalf of ``contact``'s company; all or none.

    Each attendee is confirmed while seats are left, else waitlisted, in the
    order given, and is mailed the outcome (one without an email address: the
    contact is, see events.mailing). An attendee needs a mobile number or an
    email address, each their own; a mobile number is stored as its 11 digits.
    Raises RegistrationError when registration is not open, the company is not
    an active member, the company's places would be exceeded, or someone (by
    email or mobile) is already registered.
    """
    attendees = list(attendees)
    if not attendees:
        raise RegistrationError(_("Enter at least one attendee."))
    emails = [attendee.email.strip().lower() for attendee in attendees]
    mobiles = [stored_phone(attendee.phone) for attendee in attendees]
    if not all(email or mobile for email, mobile in zip(emails, mobiles, strict=True)):
        raise RegistrationError(_("Give each attendee's mobile number or email."))
    given = [email for email in emails if email]
    if len(set(given)) != len(given):
        raise RegistrationError(_("Each attendee needs their own email address."))
    given = [mobile for mobile in mobiles if mobile]
    if len(set(given)) != len(given):
        raise RegistrationError(_("Each attendee needs their own mobile number."))
    with transaction.atomic():
        event = _locked_event(event)
        company = Company.objects.get(pk=contact.company_id)
        if company.status != Company.Status.ACTIVE:
            raise RegistrationError(_("Only active member companies can register."))
        state = registration_state(event, now=timezone.now())
        if event.status != Event.Status.PUBLISHED or state.status not in (
            RegistrationStatus.OPEN,
            RegistrationStatus.FULL,
        ):
            raise RegistrationError(_("Registration for this event is not open."))

        if event.per_company_limit is not None:
            used = event.registrations.filter(company=company, status__in=ACTIVE).count()
            left = max(event.per_company_limit - used, 0)
            if len(attendees) > left:
                raise RegistrationError(
                    ngettext(
                        "Each company has %(limit)d place for this event; "
                        "your company can register %(left)d more person.",
                        "Each company has %(limit)d places for this event; "
                        "your company can register %(left)d more people.",
                        event.per_company_limit,
                    )
                    % {"limit": event.per_company_limit, "left": left}
                )
        _refuse_taken(event, company, emails, mobiles)
        asked = (
            {str(pk) for pk in event.questions.values_list("pk", flat=True)}
            if any(attendee.answers for attendee in attendees)
            else set()
        )

        seats_left = None if event.capacity is None else max(event.capacity - event.seats_taken, 0)
        registrations = []
        now = timezone.now()
        for attendee, email, mobile in zip(attendees, emails, mobiles, strict=True):
            if seats_left is None or seats_left > 0:
                status = Registration.Status.CONFIRMED
                if seats_left is not None:
                    seats_left -= 1
            else:
                status = Registration.Status.WAITLISTED
            registration = Registration(
                event=event,
                company=company,
                registered_by=contact,
                attendee_name=attendee.name.strip(),
                attendee_title=attendee.title.strip(),
                attendee_phone=mobile,
                attendee_email=email,
                answers={key: value for key, value in attendee.answers.items() if key in asked},
                status=status,
                created_at=now,
            )
            try:
                with transaction.atomic():
                    registration.save()
            except IntegrityError as error:  # a unique constraint: registered meanwhile
                if mobile and (
                    _constraint(error) == "events_registration_one_per_mobile" or not email
                ):
                    raise RegistrationError(_unavailable([], [mobile])) from None
                raise RegistrationError(_unavailable([email])) from None
            registrations.append(registration)
        for registration in registrations:
            template = (
                "registration-confirmed"
                if registration.status == Registration.Status.CONFIRMED
                else "registration-waitlisted"
            )
            _mail(template, registration)
    return registrations


def _promote_waitlisted(event: Event) -> list[Registration]:
    """Confirm waitlisted registrations, first come first served, while seats are free.

    ``event`` must be locked. A registration whose company already holds
    its places is passed over for the next one.
    """
    free = None if event.capacity is None else event.capacity - event.seats_taken
    if free is not None and free <= 0:
        return []
    held = dict(
        event.registrations.filter(status__in=SEAT_HOLDING)
        .values("company_id")
        .annotate(count=Count("id"))
        .values_list("company_id", "count")
    )
    promoted = []
    waitlist = (
        event.registrations.filter(status=Registration.Status.WAITLISTED)
        .select_for_update()
        .order_by("created_at", "id")
    )
    for registration in waitlist:
        if free is not None and free <= 0:
            break
        company_held = held.get(registration.company_id, 0)
        if event.per_company_limit is not None and company_held >= event.per_company_limit:
            continue
        registration.status = Registration.Status.CONFIRMED
        registration.save(update_fields=["status", "updated_at"])
        held[registration.company_id] = company_held + 1
        event.seats_taken += 1
        if free is not None:
            free -= 1
        promoted.append(registration)
    for registration in promoted:
        registration.event = event
        _mail("registration-promoted", registration)
    return promoted


def registration_cancel(*, registration: Registration, by: User) -> list[Registration]:
    """Cancel ``registration``; a freed seat goes to the waitlist at once.

    Returns the registrations promoted from the waitlist (each is mailed).
    Cancelling a cancelled registration does nothing; after the event has
    started, or once attendance is marked, it cannot be cancelled.
    """
    with transaction.atomic():
        event = _locked_event(registration.event)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status == Registration.Status.CANCELLED:
            return []
        if registration.status == Registration.Status.ATTENDED or event.starts_at <= timezone.now():
            raise RegistrationError(_("This registration can no longer be cancelled."))
        held_seat = registration.status == Registration.Status.CONFIRMED
        registration.status = Registration.Status.CANCELLED
        registration.save(update_fields=["status", "updated_at"])
        registration.event = event
        _mail("registration-cancelled", registration)
        if held_seat:
            event.seats_taken -= 1
        return _promote_waitlisted(event)


def registrations_promote(*, event: Event) -> list[Registration]:
    """Fill free seats from the waitlist, e.g. after the capacity was raised."""
    with transaction.atomic():
        event = _locked_event(event)
        if event.ends_at <= timezone.now():
            return []
        return _promote_waitlisted(event)


def registrations_mark_attended(*, registrations: Iterable[Registration], by: User) -> int:
    """Mark the people who signed in at the event (confirmed, or waitlisted walk-ins).

    Returns how many were marked; cancelled registrations are left alone.
    """
    ids = [registration.pk for registration in registrations]
    marked = 0
    with transaction.atomic():
        rows = Registration.objects.select_for_update().filter(
            pk__in=ids,
            status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITLISTED],
        )
        for registration in rows:
            registration.status = Registration.Status.ATTENDED
            registration.save(update_fields=["status", "updated_at"])
            marked += 1
    return marked
