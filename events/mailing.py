"""Mailing a registrant by the channel they gave.

An attendee registered with an email address is mailed at that address. One
registered with only a mobile number cannot be mailed; the contact who
registered them is, instead (or, when that contact is gone, the company's
primary contact), with the mail saying whom it is about, to pass on. The
mail templates read ``forwarded_to``: the name of the contact the mail goes
to on the attendee's behalf, empty when it goes to the attendee.

Each registration's mail goes to one address, so an attendee whose address
is the contact's own (a contact registering themselves) is mailed once.

Only contacts have an account to cancel a registration in, so the templates
also read ``can_cancel`` (the mail goes to a contact of the company) and
``registrar`` (the contact who registered the attendee, when known), to
tell an attendee without an account whom to ask.
"""

from members.models import Contact
from outbox.models import OutgoingMail
from outbox.services import mail_queue

from .models import Registration


def _reachable(contact: Contact | None) -> bool:
    return contact is not None and contact.user.is_active and bool(contact.user.email)


def registrant_recipient(registration: Registration) -> tuple[str, str]:
    """(address, forwarded_to): where ``registration``'s mails go, and the contact's name
    when they go to a contact on the attendee's behalf; ("", "") when nobody can be mailed."""
    if registration.attendee_email:
        return registration.attendee_email, ""
    contact = registration.registered_by
    if not _reachable(contact):
        contact = (
            Contact.objects.select_related("user")
            .filter(company_id=registration.company_id, is_primary=True, user__is_active=True)
            .first()
        )
    if not _reachable(contact):
        return "", ""
    return contact.user.email, contact.name


def _is_contact(registration: Registration, address: str) -> bool:
    """Whether ``address`` signs in as a contact of the registration's company."""
    registrar = registration.registered_by
    if registrar is not None and registrar.user.email.lower() == address.lower():
        return registrar.user.is_active
    return Contact.objects.filter(
        company_id=registration.company_id, user__email__iexact=address, user__is_active=True
    ).exists()


def registrant_mail(
    *,
    template: str,
    registration: Registration,
    context: dict,
    key: str,
    headers: dict | None = None,
) -> OutgoingMail | None:
    """Queue the mail ``template`` about ``registration`` by its channel; None when the
    mail was queued before (same ``key``) or nobody can be mailed."""
    to, forwarded_to = registrant_recipient(registration)
    if not to:
        return None
    return mail_queue(
        template=template,
        to=to,
        context={
            **context,
            "registration": registration,
            "forwarded_to": forwarded_to,
            "can_cancel": bool(forwarded_to) or _is_contact(registration, to),
            "registrar": registration.registered_by,
        },
        key=key,
        headers=headers,
    )
