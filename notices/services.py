"""Sending notices, reminders and test mails; reply slips and read marks: every write of notices.

Sending a notice makes its mailing (number 0, unique per notice, so a second
"send" sends nothing); at its time the mailing lists its recipients — one
delivery row per contact, unique — and ``NoticeSender`` sends them on the
digest's crash-safe batch sender (``outbox.batches``). A notice is not
marketing: it goes to contacts who stopped the digest, but never to an address
suppressed after hard bounces, and a bounce counts towards that suppression.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from digests.models import Subscriber
from digests.services import subscriber_bounced
from members.models import Contact, SeatRole
from outbox.batches import BatchSender, Built
from outbox.dispatch import dispatch_on_commit
from outbox.messages import RenderedMail, make_message, render_mail
from outbox.models import OutgoingMail
from outbox.services import mail_queue

from .models import Audience, Notice, NoticeDelivery, NoticeMailing, NoticeRead, NoticeReply
from .selectors import audience_contacts

logger = logging.getLogger(__name__)

REPLY_SALT = "notices.reply"
INSERT_BATCH_SIZE = 1000


class NoticeError(ValueError):
    """The notice cannot be sent or answered like this; ``str()`` says why."""


# Links -----------------------------------------------------------------------------------------


def absolute_url(path: str) -> str:
    return settings.SITE_URL + path


def reply_token(notice_id: int, contact_id: int) -> str:
    """The signed key of one recipient's reply slip: it answers for that contact only."""
    return signing.dumps([notice_id, contact_id], salt=REPLY_SALT, compress=True)


def reply_token_contact(token: str, notice_id: int) -> int | None:
    """The contact a reply link is for, or None when it was altered or is for another notice."""
    try:
        value = signing.loads(token, salt=REPLY_SALT)
    except signing.BadSignature:
        return None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, int) for v in value)
        or value[0] != notice_id
    ):
        return None
    return value[1]


def reply_url(notice: Notice, contact_id: int) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return absolute_url(
            reverse("notices:reply", args=[notice.pk, reply_token(notice.pk, contact_id)])
        )


def notice_url(notice: Notice) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return absolute_url(notice.get_absolute_url())


# The mail --------------------------------------------------------------------------------------


def audience_reason(notice: Notice, contact: Contact) -> str:
    """Why this contact gets the notice, in Chinese, for the mail's footer."""
    company = contact.company.name
    with translation.override(settings.LANGUAGE_CODE):
        match notice.audience:
            case Audience.ROLES:
                roles = "、".join(str(label) for value, label in _role_choices(notice.roles))
                why = _("you are a contact of %(company)s, a %(roles)s of the current term") % {
                    "company": company,
                    "roles": roles,
                }
            case Audience.EVENT:
                why = _("you or your colleagues registered for “%(event)s”") % {
                    "event": notice.event.title if notice.event else ""
                }
            case _:
                why = _("you are the contact of %(company)s, a member of the association") % {
                    "company": company
                }
        return why


def _role_choices(values):
    return [(value, label) for value, label in SeatRole.choices if value in values]


def notice_context(notice: Notice, contact: Contact, *, reminder: bool = False, test=False):
    return {
        "notice": notice,
        "contact": contact,
        "name": contact.user.name or contact.user.email,
        "body_text": " ".join(strip_tags(notice.body).split()),
        "notice_url": notice_url(notice),
        "reply_url": reply_url(notice, contact.pk) if notice.asks_reply else "",
        "reason": audience_reason(notice, contact),
        "reminder": reminder,
        "is_test": test,
    }


@dataclass
class NoticeMail:
    to: str
    rendered: RenderedMail
    headers: dict

    def message(self, *, connection=None):
        return make_message(
            to=self.to, rendered=self.rendered, headers=self.headers, connection=connection
        )


# Sending ---------------------------------------------------------------------------------------


def notice_send(*, notice: Notice, by=None, send_at=None) -> NoticeMailing | None:
    """Send ``notice`` to its audience now, or at ``send_at``; None if it was sent already.

    The notice must be published, and live by the time it is sent. The
    recipients are listed when the mailing starts (the audience as it is
    then), one delivery per contact.
    """
    if notice.status != Notice.Status.PUBLISHED:
        raise NoticeError(_("Publish the notice before sending it."))
    send_at = send_at or timezone.now()
    if notice.published_at > send_at:
        raise NoticeError(
            _("The notice is published only at %(time)s: send it then or later.")
            % {"time": timezone.localtime(notice.published_at).strftime("%Y-%m-%d %H:%M")}
        )
    if notice.asks_reply and notice.reply_deadline <= send_at:
        raise NoticeError(_("The reply deadline is before the sending time."))
    try:
        with transaction.atomic():
            mailing = NoticeMailing.objects.create(
                notice=notice, number=0, send_at=send_at, created_by=by
            )
    except IntegrityError:
        return None
    if send_at <= timezone.now():
        _start(mailing)
    return mailing


def notice_remind(*, notice: Notice, by=None) -> NoticeMailing | None:
    """A reminder to the recipients who have not replied; None when everyone has.

    Each reminder is a mailing of its own, to the contacts the notice was
    sent to who have no reply yet, each once.
    """
    if not notice.asks_reply:
        raise NoticeError(_("The notice has no reply slip."))
    if not notice.replies_open():
        raise NoticeError(_("The reply deadline has passed."))
    first = NoticeMailing.objects.filter(notice=notice, number=0).first()
    if first is None or first.filled_at is None:
        raise NoticeError(_("The notice has not been sent yet."))
    waiting = (
        NoticeDelivery.objects.filter(mailing=first, status=NoticeDelivery.Status.SENT)
        .exclude(contact__in=NoticeReply.objects.filter(notice=notice).values("contact_id"))
        .values_list("contact_id", flat=True)
    )
    contact_ids = list(waiting)
    if not contact_ids:
        return None
    with transaction.atomic():
        # The notice's row is the lock (FOR UPDATE cannot go with an aggregate, and Django
        # drops it): two reminders at once number themselves one after the other.
        Notice.objects.select_for_update().filter(pk=notice.pk).exists()
        number = NoticeMailing.objects.filter(notice=notice).aggregate(last=Max("number"))["last"]
        mailing = NoticeMailing.objects.create(
            notice=notice, number=(number or 0) + 1, created_by=by, filled_at=timezone.now()
        )
        NoticeDelivery.objects.bulk_create(
            [NoticeDelivery(mailing=mailing, contact_id=pk) for pk in contact_ids],
            batch_size=INSERT_BATCH_SIZE,
            ignore_conflicts=True,
        )
        _dispatch(mailing.pk)
    return mailing


def _dispatch(mailing_id: int) -> None:
    from .tasks import send_notice_mailing

    # With the broker down, the beat's resume_notice_mailings hands it out later.
    dispatch_on_commit(send_notice_mailing, mailing_id)


def _start(mailing: NoticeMailing) -> None:
    with transaction.atomic():
        mailing_fill(mailing_id=mailing.pk)
        _dispatch(mailing.pk)


def mailing_fill(*, mailing_id: int) -> int:
    """List a mailing's recipients once: a delivery row per contact; the number listed."""
    with transaction.atomic():
        mailing = (
            # Only the mailing's row: the notice's event is an outer join, which cannot be locked.
            NoticeMailing.objects.select_for_update(of=("self",))
            .select_related("notice__event")
            .get(pk=mailing_id)
        )
        if mailing.filled_at is not None:
            return mailing.deliveries.count()
        rows = [
            NoticeDelivery(mailing=mailing, contact_id=pk)
            for pk in audience_contacts(mailing.notice).values_list("pk", flat=True)
        ]
        NoticeDelivery.objects.bulk_create(
            rows, batch_size=INSERT_BATCH_SIZE, ignore_conflicts=True
        )
        mailing.filled_at = timezone.now()
        mailing.save(update_fields=["filled_at"])
    return len(rows)


def mailings_due() -> list[int]:
    """Scheduled mailings whose time has come and have no recipients listed yet."""
    return list(
        NoticeMailing.objects.filter(filled_at__isnull=True, send_at__lte=timezone.now())
        .order_by("pk")
        .values_list("pk", flat=True)
    )


class NoticeSender(BatchSender):
    """A mailing's deliveries, rendered once per recipient in a fixed number of queries."""

    model = NoticeDelivery
    scope_field = "mailing_id"

    def build(self, delivery_ids: list[int]) -> list[Built]:
        deliveries = list(
            NoticeDelivery.objects.filter(pk__in=delivery_ids)
            .select_related("mailing__notice__event", "contact__user", "contact__company")
            .order_by("pk")
        )
        emails = {d.contact.user.email.lower() for d in deliveries}
        suppressed = set(
            Subscriber.objects.filter(
                email__in=emails, status=Subscriber.Status.SUPPRESSED
            ).values_list("email", flat=True)
        )
        replied = set(
            NoticeReply.objects.filter(
                notice_id__in={d.mailing.notice_id for d in deliveries if d.mailing.is_reminder},
                contact_id__in=[d.contact_id for d in deliveries],
            ).values_list("notice_id", "contact_id")
        )
        built = []
        for delivery in deliveries:
            contact, mailing = delivery.contact, delivery.mailing
            notice = mailing.notice
            if not contact.user.is_active:
                built.append(Built(delivery, None, "contact no longer active"))
            elif contact.user.email.lower() in suppressed:
                built.append(Built(delivery, None, "address suppressed after bounces"))
            elif mailing.is_reminder and (
                not notice.replies_open() or (notice.pk, contact.pk) in replied
            ):
                built.append(Built(delivery, None, "replied or closed"))
            else:
                context = notice_context(notice, contact, reminder=mailing.is_reminder)
                rendered = render_mail("notice", context)
                headers = {"X-Notice": f"{notice.pk}-{mailing.number}"}
                built.append(Built(delivery, NoticeMail(contact.user.email, rendered, headers)))
        return built

    def after_bounce(self, item: Built) -> None:
        email = item.delivery.contact.user.email.lower()
        for subscriber_id in Subscriber.objects.filter(email=email).values_list("pk", flat=True):
            subscriber_bounced(subscriber_id=subscriber_id)

    def finish(self) -> None:
        NoticeMailing.objects.filter(pk=self.mailing_id, finished_at__isnull=True).update(
            finished_at=timezone.now()
        )


def mailing_send(*, mailing_id: int, batch_size=None, progress=None, time_budget=None):
    """Send what is left of a mailing (listing its recipients first if due); safe to repeat."""
    mailing = NoticeMailing.objects.get(pk=mailing_id)
    if mailing.filled_at is None:
        if mailing.send_at > timezone.now():
            return None
        mailing_fill(mailing_id=mailing_id)
    return NoticeSender(mailing_id).send(
        batch_size=batch_size, progress=progress, time_budget=time_budget
    )


def notice_send_test(*, notice: Notice, user) -> OutgoingMail | None:
    """Mail the notice to ``user`` (the secretariat), marked as a test; no delivery is made."""
    contact = (
        Contact.objects.select_related("user", "company").filter(user=user).first()
        or audience_contacts(notice).first()
    )
    if contact is None:
        raise NoticeError(_("The audience has no contact to show the mail for."))
    context = notice_context(notice, contact, test=True)
    return mail_queue(template="notice", to=user.email, context=context)


# Reading and replying --------------------------------------------------------------------------


def notice_mark_read(*, notice: Notice, contact: Contact) -> None:
    NoticeRead.objects.bulk_create(
        [NoticeRead(notice=notice, contact=contact)], ignore_conflicts=True
    )


def notice_reply_save(*, notice: Notice, contact: Contact, answers: dict) -> NoticeReply:
    """Record or change the contact's answer; refused (NoticeError) after the deadline."""
    now = timezone.now()
    if not notice.asks_reply:
        raise NoticeError(_("This notice asks for no reply."))
    if not notice.replies_open(now):
        raise NoticeError(
            _("Replies closed on %(deadline)s; please contact the secretariat.")
            % {"deadline": timezone.localtime(notice.reply_deadline).strftime("%Y-%m-%d %H:%M")}
        )
    fields = {
        "attending": answers.get("attending") if notice.ask_attending else None,
        "people": answers.get("people") if notice.ask_people else None,
        "names": (answers.get("names") or "") if notice.ask_names else "",
        "text": (answers.get("text") or "") if notice.ask_text else "",
    }
    with transaction.atomic():
        reply, created = NoticeReply.objects.select_for_update().get_or_create(
            notice=notice, contact=contact, defaults={**fields, "answered_at": now}
        )
        if not created:
            for name, value in fields.items():
                setattr(reply, name, value)
            reply.save(update_fields=[*fields, "updated_at"])
        notice_mark_read(notice=notice, contact=contact)
    return reply
