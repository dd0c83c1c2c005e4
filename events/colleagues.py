"""The people a company's contact can pick on the registration form, instead of typing.

Known people are the company's contacts (name, job title and phone from the
contact and its user) and the people the company registered for earlier
events, the latest first, one per mobile number, at most ``EARLIER_LIMIT``.
Two queries, however long the company's history: one for the contacts, one
for the latest registration of each mobile number (PostgreSQL's DISTINCT ON
in a subquery, ordered by date outside it).

A person is known by a key the form posts back: ``c<id>`` for a contact,
``m<mobile>`` for an earlier attendee; the view looks the key up in the
company's own list, so a contact can only pick their own company's people.
"""

from dataclasses import dataclass

from django.db.models import Subquery

from members.models import Company, Contact
from portal.phones import mobile_number

from .models import Registration

EARLIER_LIMIT = 30


@dataclass
class KnownPerson:
    key: str
    name: str
    title: str = ""
    mobile: str = ""  # 11 digits, or "" when none is on file
    email: str = ""
    is_contact: bool = False
    registered: bool = False  # already registered for the event at hand

    def row(self) -> dict:
        """The person as a filled-in row of the registration form."""
        return {"name": self.name, "title": self.title, "phone": self.mobile, "email": self.email}


def known_people(company: Company, *, limit: int = EARLIER_LIMIT) -> list[KnownPerson]:
    """The company's contacts, then its earlier attendees not among them (latest first)."""
    people: list[KnownPerson] = []
    by_mobile: dict[str, KnownPerson] = {}
    by_email: dict[str, KnownPerson] = {}
    contacts = (
        Contact.objects.filter(company=company, user__is_active=True)
        .select_related("user")
        .order_by("-is_primary", "user__name", "pk")
    )
    for contact in contacts:
        person = KnownPerson(
            key=f"c{contact.pk}",
            name=contact.user.name or contact.user.email.split("@")[0],
            title=contact.job_title,
            mobile=mobile_number(contact.phone) or "",
            email=contact.user.email.lower(),
            is_contact=True,
        )
        people.append(person)
        if person.mobile:
            by_mobile.setdefault(person.mobile, person)
        by_email.setdefault(person.email, person)

    latest_per_mobile = (
        Registration.objects.filter(company=company)
        .exclude(attendee_phone="")
        .order_by("attendee_phone", "-created_at", "-id")
        .distinct("attendee_phone")
        .values("pk")
    )
    earlier = (
        Registration.objects.filter(pk__in=Subquery(latest_per_mobile))
        .order_by("-created_at", "-id")
        .values_list("attendee_name", "attendee_title", "attendee_phone", "attendee_email")[:limit]
    )
    for name, title, phone, email in earlier:
        mobile = mobile_number(phone)
        if mobile is None or mobile in by_mobile:
            continue  # not a mobile number (an old free-text phone), or known already
        email = email.lower()
        same = by_email.get(email) if email else None
        if same is not None:
            if not same.mobile:  # a contact with no mobile on file: now there is one
                same.mobile = mobile
                by_mobile[mobile] = same
            continue
        person = KnownPerson(key=f"m{mobile}", name=name, title=title, mobile=mobile, email=email)
        people.append(person)
        by_mobile[mobile] = person
        if email:
            by_email[email] = person
    return people


def mark_registered(people: list[KnownPerson], registrations: list[Registration]) -> None:
    """Mark the people among ``registrations`` (by mobile or email) as registered."""
    mobiles = {mobile_number(r.attendee_phone) for r in registrations} - {None}
    emails = {r.attendee_email.lower() for r in registrations} - {""}
    for person in people:
        person.registered = bool(
            (person.mobile and person.mobile in mobiles)
            or (person.email and person.email in emails)
        )
