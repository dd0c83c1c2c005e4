"""Writes of the members app: applications, contacts and moderated profile changes.

Every function runs in one transaction and queues its mail through the
outbox, which sends it after the transaction commits; mail keys make each
notice go once however often a request is repeated.
"""

import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.tokens import invitation_url, site_url
from digests.messages import unsubscribe_url
from digests.models import Subscriber
from digests.services import subscriber_for_contact
from outbox.messages import reply_to_headers
from outbox.services import mail_queue, secretariat_mail
from portal.audit import Source, audit_source

from . import profile_fields
from .models import Application, Company, Contact, CouncilSeat, ProfileChange, SeatRole, Term

logger = logging.getLogger(__name__)


class ReviewError(Exception):
    """An action that cannot be done as asked; the message says why, for the person asking."""


class ProfileChangeConflict(ReviewError):
    """The company was changed since the contact's edit, in fields that edit changes too."""

    def __init__(self, fields: list[str]):
        self.fields = fields
        super().__init__(
            _("The company was changed since this edit was made, in: %(fields)s.")
            % {"fields": "、".join(profile_fields.field_label(name) for name in fields)}
        )


class ProfileChangeStale(ReviewError):
    """The profile, or the change awaiting review, changed while the contact had the form open."""


def _admin_url(model, pk: int) -> str:
    return site_url(f"admin:members_{model._meta.model_name}_change", object_id=pk)


def _digest_context(subscriber: Subscriber) -> dict:
    """What a new contact's invitation says of the digest they were subscribed to.

    It names the digest and gives a one-click way out, unless the address
    had already said no (unsubscribed, or refused by its server): then nothing.
    """
    if subscriber.status != Subscriber.Status.ACTIVE:
        return {}
    return {
        "digest_subscriber": subscriber,
        "digest_unsubscribe_url": unsubscribe_url(subscriber.pk),
        "preferences_url": site_url("accounts:preferences"),
    }


# Applications


def application_submit(*, data: dict[str, Any], business_licence: File | None) -> Application:
    """Store a membership application from the public form and confirm it by email.

    ``data`` holds the Application fields of the form; ``business_licence``
    is a checked file (``members.uploads.checked_licence``) with a random name.
    """
    with transaction.atomic():
        application = Application(**data)
        if business_licence is not None:
            application.business_licence.save(business_licence.name, business_licence, save=False)
        application.save()
        mail_queue(
            template="application-received",
            to=application.contact_email,
            context={"application": application},
            key=f"application-received:{application.pk}",
            headers=reply_to_headers(),
        )
        secretariat_mail(
            template="secretariat-application",
            context={
                "application": application,
                "admin_url": _admin_url(Application, application.pk),
            },
            key=f"secretariat-application:{application.pk}",
            reply_to=application.contact_email,
        )
    return application


def _pending_application(application: Application) -> Application:
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status not in (Application.Status.SUBMITTED, Application.Status.UNDER_REVIEW):
        raise ReviewError(_("This application has already been reviewed."))
    return application


def application_approve(*, application: Application, by: User) -> Company:
    """Admit the applicant: an active company, its member seat, the contact's account.

    The company gets a member seat in the current term; the contact person
    becomes the company's primary contact, with an account without a
    password, is subscribed to the weekly digest (the mail says so, with a
    link to unsubscribe), and is mailed a link to set a password. Raises
    ReviewError when the application was already reviewed, there is no
    current term, or the company or the address exists.
    """
    with transaction.atomic():
        application = _pending_application(application)
        term = Term.objects.current().first()
        if term is None:
            raise ReviewError(_("There is no current term: mark a council term as current first."))
        if Company.objects.filter(name=application.company_name).exists():
            raise ReviewError(
                _("A member company named %(name)s already exists.")
                % {"name": application.company_name}
            )
        if Company.objects.filter(credit_code=application.credit_code).exists():
            raise ReviewError(
                _("A member company with the credit code %(code)s already exists.")
                % {"code": application.credit_code}
            )
        email = User.objects.normalize_email(application.contact_email).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ReviewError(
                _("An account with the address %(email)s already exists.") % {"email": email}
            )

        company = Company.objects.create(
            name=application.company_name,
            short_name=application.short_name,
            credit_code=application.credit_code,
            city=application.city,
            industry=application.industry,
            address=application.address,
            website=application.website,
            description=profile_fields.description_from_text(application.introduction),
            status=Company.Status.ACTIVE,
            joined_on=timezone.localdate(),
        )
        CouncilSeat.objects.create(term=term, company=company, role=SeatRole.MEMBER)
        user = User.objects.create_user(email, None, name=application.contact_name)
        contact = Contact.objects.create(
            user=user,
            company=company,
            job_title=application.contact_title,
            phone=application.contact_phone,
            is_primary=True,
        )
        application.status = Application.Status.APPROVED
        application.reviewed_at = timezone.now()
        application.reviewed_by = by
        application.company = company
        application.save(update_fields=["status", "reviewed_at", "reviewed_by", "company"])
        subscriber = subscriber_for_contact(contact=contact)
        mail_queue(
            template="application-approved",
            to=email,
            context={
                "application": application,
                "company": company,
                "term": term,
                "invitation_url": invitation_url(user),
                "invitation_days": settings.INVITATION_TIMEOUT_DAYS,
                "login_url": site_url("accounts:login"),
                **_digest_context(subscriber),
            },
            key=f"application-approved:{application.pk}",
        )
    return company


def _record_rejection(obj, *, status: str, reason: str, by: User) -> None:
    """Mark an application or a profile change rejected, with who and why."""
    obj.status = status
    obj.rejection_reason = reason
    obj.reviewed_at = timezone.now()
    obj.reviewed_by = by
    obj.save(update_fields=["status", "rejection_reason", "reviewed_at", "reviewed_by"])


def application_reject(*, application: Application, by: User, reason: str) -> Application:
    """Turn the application down with ``reason``, which the applicant is mailed."""
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError(_("Give a reason for the rejection; the applicant will read it."))
    with transaction.atomic():
        application = _pending_application(application)
        _record_rejection(application, status=Application.Status.REJECTED, reason=reason, by=by)
        mail_queue(
            template="application-rejected",
            to=application.contact_email,
            context={"application": application},
            key=f"application-rejected:{application.pk}",
            headers=reply_to_headers(),
        )
    return application


# Contacts


def contact_invite(
    *,
    company: Company,
    email: str,
    name: str,
    job_title: str = "",
    phone: str = "",
    by: Contact,
) -> Contact:
    """Give a colleague of ``by`` an account for ``company`` and mail them a link to set a password.

    The colleague is subscribed to the weekly digest, which the invitation
    says, with a link to unsubscribe. Only the company's primary contact may
    invite. Raises ReviewError when the address already has an account.
    """
    if not (by.is_primary and by.company_id == company.pk):
        raise ReviewError(_("Only the company's primary contact can invite colleagues."))
    email = User.objects.normalize_email(email).strip().lower()
    with transaction.atomic():
        if User.objects.filter(email__iexact=email).exists():
            raise ReviewError(_("An account with this email address already exists."))
        user = User.objects.create_user(email, None, name=name.strip())
        contact = Contact.objects.create(
            user=user, company=company, job_title=job_title.strip(), phone=phone.strip()
        )
        subscriber = subscriber_for_contact(contact=contact)
        mail_queue(
            template="contact-invitation",
            to=email,
            context={
                "contact": contact,
                "company": company,
                "inviter": by,
                "invitation_url": invitation_url(user),
                "invitation_days": settings.INVITATION_TIMEOUT_DAYS,
                **_digest_context(subscriber),
            },
            key=f"contact-invitation:{contact.pk}",
        )
    return contact


def contact_deactivate(*, contact: Contact, by: Contact) -> Contact:
    """Close a colleague's account: they can no longer sign in (their history stays).

    Only the primary contact of the same company may, and not for themselves.
    """
    if not (by.is_primary and by.company_id == contact.company_id):
        raise ReviewError(_("Only the company's primary contact can deactivate colleagues."))
    if contact.pk == by.pk or contact.is_primary:
        raise ReviewError(_("The primary contact's account cannot be deactivated here."))
    with transaction.atomic():
        User.objects.filter(pk=contact.user_id).update(is_active=False)
        contact.user.is_active = False
    return contact


def contact_update_details(*, contact: Contact, name: str, job_title: str, phone: str) -> Contact:
    """Save a contact's own name, job title and phone; private details apply at once."""
    with transaction.atomic():
        contact.user.name = name.strip()
        contact.user.save(update_fields=["name"])
        contact.job_title = job_title.strip()
        contact.phone = phone.strip()
        contact.save(update_fields=["job_title", "phone"])
    return contact


# Profile changes


def _locked_company(contact: Contact, seen_updated_at) -> Company:
    """The contact's company, locked; ProfileChangeStale if it changed since the form was shown."""
    company = Company.objects.select_for_update().get(pk=contact.company_id)
    if seen_updated_at is not None and seen_updated_at != company.updated_at:
        raise ProfileChangeStale(
            _(
                "Your company's profile was changed while you were editing it. "
                "The form now shows the current profile; please make your edit again."
            )
        )
    return company


def _edited_fields(
    company: Company, data: dict[str, Any], *, pending: ProfileChange | None = None
) -> dict:
    """``{name: {"old": …, "new": …}}`` for each field of ``data`` that differs from the company.

    When amending ``pending``, its fields that ``data`` leaves out stay, and a
    field edited again keeps its ``old`` value: what the contact saw when they
    first edited it, so that a review still spots a change the company had since.
    """
    before = pending.changes if pending is not None else {}
    changes = {}
    for name in profile_fields.EDITABLE_FIELDS:
        if name not in data:
            if name in before:
                changes[name] = before[name]
            continue
        current = profile_fields.stored_value(company, name)
        new = profile_fields.json_value(name, data[name])
        if new != current:
            first = before.get(name)
            old = first.get("old") if isinstance(first, dict) else current
            changes[name] = {"old": old, "new": new}
    return changes


def _delete_on_commit(field_file) -> None:
    """Drop a pending logo's file once the transaction that let go of it commits."""
    name, storage = field_file.name, field_file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def _secretariat_told_of_change(change: ProfileChange, company: Company, contact: Contact) -> None:
    """Mail the secretariat a new profile change, field by field, with its review page."""
    if not settings.SECRETARIAT_EMAIL:
        return
    industries = profile_fields.IndustryNames.for_values(
        [values.get(key) for values in change.changes.values() for key in ("old", "new")]
    )
    rows = [
        {
            "label": profile_fields.field_label(name),
            "old": profile_fields.display_value(name, values.get("old"), industries),
            "new": profile_fields.display_value(name, values.get("new"), industries),
        }
        for name, values in change.changes.items()
    ]
    secretariat_mail(
        template="secretariat-profile-change",
        context={
            "change": change,
            "company": company,
            "contact": contact,
            "rows": rows,
            "admin_url": _admin_url(ProfileChange, change.pk),
        },
        key=f"secretariat-profile-change:{change.pk}",
        reply_to=contact.user.email,
    )


def _change_create(
    *, company: Company, contact: Contact, changes: dict, logo: File | None
) -> ProfileChange:
    change = ProfileChange(
        company=company,
        submitted_by=contact,
        changes=changes,
        company_updated_at=company.updated_at,
    )
    if logo is not None:
        change.new_logo.save(logo.name, logo, save=False)
        change.changes[profile_fields.LOGO] = {
            "old": profile_fields.stored_value(company, profile_fields.LOGO),
            "new": change.new_logo.name,
        }
    change.save()
    _secretariat_told_of_change(change, company, contact)
    return change


def _change_withdraw(change: ProfileChange) -> ProfileChange:
    """Mark a pending change withdrawn; its new logo, never used, is deleted."""
    _delete_on_commit(change.new_logo)
    change.status = ProfileChange.Status.WITHDRAWN
    change.new_logo = ""
    change.save(update_fields=["status", "new_logo"])
    return change


def _change_amend(
    *,
    change: ProfileChange,
    company: Company,
    contact: Contact,
    data: dict[str, Any],
    logo: File | None,
    discard_logo: bool,
) -> ProfileChange | None:
    changes = _edited_fields(company, data, pending=change)
    logo_before = change.changes.get(profile_fields.LOGO)
    if logo is not None:
        _delete_on_commit(change.new_logo)
        change.new_logo.save(logo.name, logo, save=False)
        changes[profile_fields.LOGO] = {
            "old": logo_before["old"]
            if logo_before
            else profile_fields.stored_value(company, profile_fields.LOGO),
            "new": change.new_logo.name,
        }
    elif change.new_logo and not discard_logo and logo_before:
        changes[profile_fields.LOGO] = logo_before
    if changes == change.changes and logo is None:
        return None
    if not changes:
        # The form is back to the public profile: nothing is left to review.
        return _change_withdraw(change)
    if change.new_logo and profile_fields.LOGO not in changes:
        _delete_on_commit(change.new_logo)
        change.new_logo = ""
    change.changes = changes
    change.submitted_by = contact
    change.submitted_at = timezone.now()
    change.save(update_fields=["changes", "new_logo", "submitted_by", "submitted_at"])
    return change


def profile_change_submit(
    *,
    contact: Contact,
    data: dict[str, Any],
    logo: File | None = None,
    seen_updated_at=None,
) -> ProfileChange | None:
    """Record a contact's edit of public company fields for the secretariat to review.

    Only fields whose value differs from the company's are recorded, each as
    ``{"old": …, "new": …}``, with the company's ``updated_at`` so a review
    can tell whether the company changed since. ``logo`` is a checked image
    (``members.uploads.checked_logo``). Returns None when nothing changed.
    With ``seen_updated_at`` (the company's ``updated_at`` when the form was
    shown), raises ProfileChangeStale if the company changed since, so an
    edit never reverts changes the contact did not see. The secretariat is
    mailed the new change (SECRETARIAT_EMAIL), once.
    """
    with transaction.atomic():
        company = _locked_company(contact, seen_updated_at)
        changes = _edited_fields(company, data)
        if not changes and logo is None:
            return None
        return _change_create(company=company, contact=contact, changes=changes, logo=logo)


def profile_change_edit(
    *,
    contact: Contact,
    data: dict[str, Any],
    seen_updated_at,
    seen_pending: tuple[int, datetime] | None,
    logo: File | None = None,
    discard_logo: bool = False,
) -> ProfileChange | None:
    """The profile form sent: a new change for review, or the one awaiting review amended.

    A company has one change awaiting review at a time: the form shows it
    (``seen_pending``: its id and ``submitted_at``, None when there was none),
    and sending the form again amends it: the fields and logo as now sent,
    by this contact, submitted now. An amendment that leaves nothing to
    change withdraws it; ``discard_logo`` drops the logo it brought. Returns
    None when the form changes nothing. Raises ProfileChangeStale when the
    company changed since the form was shown (``seen_updated_at``), or the
    change awaiting review is not the one the form showed (a colleague sent
    or amended one, or it was reviewed or withdrawn meanwhile).
    """
    with transaction.atomic():
        company = _locked_company(contact, seen_updated_at)
        pending = (
            ProfileChange.objects.select_for_update()
            .filter(company=company, status=ProfileChange.Status.PENDING)
            .order_by("-submitted_at", "-id")
            .first()
        )
        shown = (pending.pk, pending.submitted_at) if pending is not None else None
        if shown != seen_pending:
            raise ProfileChangeStale(
                _(
                    "The changes awaiting review were sent, changed, reviewed or withdrawn "
                    "while you were editing. The form now shows where they stand; please make "
                    "your edit again."
                )
            )
        if pending is not None:
            return _change_amend(
                change=pending,
                company=company,
                contact=contact,
                data=data,
                logo=logo,
                discard_logo=discard_logo,
            )
        changes = _edited_fields(company, data)
        if not changes and logo is None:
            return None
        return _change_create(company=company, contact=contact, changes=changes, logo=logo)


def profile_change_withdraw(*, change: ProfileChange, contact: Contact) -> ProfileChange:
    """The company's contact takes back a change awaiting review; the secretariat no longer
    sees it among the pending ones. Raises ReviewError once it was reviewed or withdrawn."""
    if change.company_id != contact.company_id:
        raise ReviewError(_("This profile change is not your company's."))
    with transaction.atomic():
        change = ProfileChange.objects.select_for_update().get(pk=change.pk)
        if change.status != ProfileChange.Status.PENDING:
            raise ReviewError(
                _("This profile change was already reviewed or withdrawn: it cannot be withdrawn.")
            )
        return _change_withdraw(change)


def profile_change_conflicts(change: ProfileChange, company: Company) -> list[str]:
    """The fields of ``change`` whose current value is no longer what the contact saw."""
    if change.company_updated_at is not None and company.updated_at == change.company_updated_at:
        return []
    return [
        name
        for name, values in change.changes.items()
        if profile_fields.stored_value(company, name) != values.get("old")
    ]


def _pending_change(change: ProfileChange) -> ProfileChange:
    change = ProfileChange.objects.select_for_update().get(pk=change.pk)
    if change.status != ProfileChange.Status.PENDING:
        raise ReviewError(_("This profile change has already been reviewed."))
    return change


def _contact_email(change: ProfileChange) -> str | None:
    """Who hears of the review: the contact who made the edit, else the primary contact."""
    contact = change.submitted_by
    if contact is None or not contact.user.is_active:
        contact = (
            Contact.objects.filter(
                company_id=change.company_id, is_primary=True, user__is_active=True
            )
            .select_related("user")
            .first()
        )
    return contact.user.email if contact is not None else None


def profile_change_approve(
    *, change: ProfileChange, by: User, force: bool = False
) -> ProfileChange:
    """Apply the change to the company, all fields at once, and tell the contact.

    The company row is locked while the change applies. If the company was
    changed since the edit was made, in a field the edit changes too,
    raises ProfileChangeConflict, unless ``force`` (the secretariat saw the
    conflict and applies the edit anyway).
    """
    with transaction.atomic():
        change = _pending_change(change)
        company = Company.objects.select_for_update().get(pk=change.company_id)
        conflicts = profile_change_conflicts(change, company)
        if conflicts and not force:
            raise ProfileChangeConflict(conflicts)
        new_name = change.changes.get("name", {}).get("new")
        if new_name and Company.objects.exclude(pk=company.pk).filter(name=new_name).exists():
            raise ReviewError(
                _("Another member company is already named %(name)s.") % {"name": new_name}
            )
        fields = []
        for name, values in change.changes.items():
            if name == profile_fields.LOGO:
                company.logo.name = change.new_logo.name
            elif name in profile_fields.EDITABLE_FIELDS:
                setattr(company, name, profile_fields.model_value(name, values.get("new")))
            else:
                continue
            fields.append(name)
        with audit_source(Source.PROFILE_CHANGE, profile_change=change.pk):
            company.save(update_fields=[*fields, "updated_at"])
        change.status = ProfileChange.Status.APPROVED
        change.reviewed_at = timezone.now()
        change.reviewed_by = by
        change.save(update_fields=["status", "reviewed_at", "reviewed_by"])
        to = _contact_email(change)
        if to:
            mail_queue(
                template="profile-change-approved",
                to=to,
                context={
                    "change": change,
                    "company": company,
                    "fields": [profile_fields.lazy_field_label(name) for name in change.changes],
                    "profile_url": site_url("members:company_detail", pk=company.pk),
                    "account_url": site_url("accounts:dashboard"),
                },
                key=f"profile-change-approved:{change.pk}",
            )
    return change


def profile_change_reject(*, change: ProfileChange, by: User, reason: str) -> ProfileChange:
    """Turn the change down with ``reason``, which the contact is mailed; the company stays."""
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError(_("Give a reason for the rejection; the contact will read it."))
    with transaction.atomic():
        change = _pending_change(change)
        _record_rejection(change, status=ProfileChange.Status.REJECTED, reason=reason, by=by)
        to = _contact_email(change)
        if to:
            mail_queue(
                template="profile-change-rejected",
                to=to,
                context={
                    "change": change,
                    "company": change.company,
                    "fields": [profile_fields.lazy_field_label(name) for name in change.changes],
                    "account_url": site_url("accounts:profile_change_detail", pk=change.pk),
                },
                key=f"profile-change-rejected:{change.pk}",
            )
        if change.new_logo:
            # The logo was not taken: drop the file once the rejection is saved.
            name, storage = change.new_logo.name, change.new_logo.storage
            transaction.on_commit(lambda: storage.delete(name))
    return change
