"""Subscriptions and digest sending: every write of the digests app.

Sending works from DigestDelivery rows, one per subscriber and run (unique),
on the crash-safe batch sender of ``outbox.batches`` (claims, renewals,
retries, bounces), which the notices use too.
"""

import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, connection, transaction
from django.db.models import Case, DateTimeField, F, Q, Value, When
from django.db.models.functions import Greatest
from django.utils import timezone

from outbox.batches import BatchSender, Built, ClaimHolder, SendCounts, SendDeferred
from outbox.dispatch import dispatch_on_commit
from outbox.messages import RenderedMail
from outbox.models import OutgoingMail
from outbox.services import mail_queue

from . import tokens
from .messages import digest_mails, digest_test_context
from .models import HARD_BOUNCE_LIMIT, DigestDelivery, DigestRun, Frequency, Subscriber
from .selectors import (
    DigestContent,
    DigestRequest,
    absolute_url,
    digest_contents,
    digest_preview_request,
    run_cutoff,
    window_start_for,
)

logger = logging.getLogger(__name__)

INSERT_BATCH_SIZE = 1000


class DigestSendDeferred(SendDeferred):
    """The mail server could not take mail (refused, lost, 421); unsent rows are queued again."""


# Subscriptions


def subscriber_subscribe(*, email: str, frequency: str, sections: Iterable) -> Subscriber | None:
    """Ask ``email`` to confirm a subscription (double opt-in) with these preferences.

    Returns the subscriber a confirmation was queued for, or None when the
    address is already active or suppressed: the caller shows the same page
    either way, so the form never tells whether an address is subscribed.
    At most one confirmation an hour goes to an address.
    """
    email = email.strip().lower()
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(email=email).first()
        if subscriber is None:
            try:
                with transaction.atomic():
                    subscriber = Subscriber.objects.create(email=email, frequency=frequency)
            except IntegrityError:  # the same address, sent twice at once
                subscriber = Subscriber.objects.select_for_update().get(email=email)
        if subscriber.status in (Subscriber.Status.ACTIVE, Subscriber.Status.SUPPRESSED):
            return None
        # Pending or unsubscribed: nothing is sent before the owner confirms.
        subscriber.frequency = frequency
        subscriber.status = Subscriber.Status.PENDING
        subscriber.save(update_fields=["frequency", "status"])
        subscriber.sections.set(sections)
        mail_queue(
            template="subscription-confirm",
            to=subscriber.email,
            context={
                "subscriber": subscriber,
                "confirm_url": absolute_url(
                    "digests:subscribe_confirm", tokens.confirm_token(subscriber.pk)
                ),
            },
            key=f"subscription-confirm:{subscriber.pk}:{timezone.now():%Y%m%d%H}",
        )
    return subscriber


def subscriber_confirm(*, subscriber_id: int) -> Subscriber | None:
    """Activate a pending subscription from its confirmation link; safe to repeat.

    The first digest covers what is published from now on. An address that
    has since unsubscribed or bounced is left as it is.
    """
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
        if subscriber is None or subscriber.status != Subscriber.Status.PENDING:
            return subscriber
        now = timezone.now()
        subscriber.status = Subscriber.Status.ACTIVE
        subscriber.confirmed_at = now
        subscriber.last_digest_at = now
        subscriber.unsubscribed_at = None
        subscriber.save(
            update_fields=["status", "confirmed_at", "last_digest_at", "unsubscribed_at"]
        )
    return subscriber


def subscriber_unsubscribe(*, subscriber_id: int) -> Subscriber | None:
    """Stop the digest for a subscriber (the unsubscribe link); idempotent.

    Only ever unsubscribes: a second click, a mail client's one-click POST
    and a link scanner change nothing more. Queued deliveries are skipped.
    """
    Subscriber.objects.filter(
        pk=subscriber_id, status__in=[Subscriber.Status.ACTIVE, Subscriber.Status.PENDING]
    ).update(status=Subscriber.Status.UNSUBSCRIBED, unsubscribed_at=timezone.now())
    return Subscriber.objects.filter(pk=subscriber_id).first()


def subscriber_for_contact(*, contact) -> Subscriber:
    """The subscriber of a member company's contact, subscribed weekly when first asked.

    Call it when a contact's account is created: the account vouches for the
    address, so there is no confirmation step. An address that unsubscribed
    or bounced keeps its status (its owner said no, or it does not exist);
    an existing subscriber with the contact's address is linked to the contact.
    """
    email = contact.user.email.strip().lower()
    now = timezone.now()
    with transaction.atomic():
        subscriber = (
            Subscriber.objects.select_for_update().filter(contact=contact).first()
            or Subscriber.objects.select_for_update().filter(email=email).first()
        )
        if subscriber is None:
            try:
                with transaction.atomic():
                    return Subscriber.objects.create(
                        email=email,
                        contact=contact,
                        frequency=Frequency.WEEKLY,
                        status=Subscriber.Status.ACTIVE,
                        confirmed_at=now,
                        last_digest_at=now,
                    )
            except IntegrityError:  # subscribed from the public form at the same moment
                subscriber = Subscriber.objects.select_for_update().get(email=email)
        fields = []
        if subscriber.contact_id is None:
            subscriber.contact = contact
            fields.append("contact")
        if subscriber.status == Subscriber.Status.PENDING:
            subscriber.status = Subscriber.Status.ACTIVE
            subscriber.confirmed_at = now
            subscriber.last_digest_at = now
            fields += ["status", "confirmed_at", "last_digest_at"]
        if fields:
            subscriber.save(update_fields=fields)
    return subscriber


def subscriber_update_preferences(
    *, subscriber: Subscriber, frequency: str, sections: Iterable
) -> Subscriber:
    """Save a signed-in contact's choice of frequency and sections (the account page).

    Choosing weekly or monthly subscribes again an address that had
    unsubscribed, from now on; a suppressed (bouncing) address stays
    suppressed until the secretariat reactivates it.
    """
    with transaction.atomic():
        subscriber.frequency = frequency
        fields = ["frequency"]
        resubscribes = subscriber.status in (
            Subscriber.Status.PENDING,
            Subscriber.Status.UNSUBSCRIBED,
        )
        if frequency != Frequency.OFF and resubscribes:
            now = timezone.now()
            subscriber.status = Subscriber.Status.ACTIVE
            subscriber.confirmed_at = subscriber.confirmed_at or now
            subscriber.last_digest_at = now
            subscriber.unsubscribed_at = None
            fields += ["status", "confirmed_at", "last_digest_at", "unsubscribed_at"]
        subscriber.save(update_fields=fields)
        subscriber.sections.set(sections)
    return subscriber


def subscriber_reactivate(*, subscriber_ids: Iterable[int]) -> int:
    """Let suppressed (bounced) addresses get digests again, from now on; the secretariat's call."""
    return Subscriber.objects.filter(
        pk__in=list(subscriber_ids), status=Subscriber.Status.SUPPRESSED
    ).update(status=Subscriber.Status.ACTIVE, hard_bounces=0, last_digest_at=timezone.now())


def subscriber_unsubscribe_many(*, subscriber_ids: Iterable[int]) -> int:
    """Unsubscribe addresses on their owners' request (the admin's action)."""
    return Subscriber.objects.filter(
        pk__in=list(subscriber_ids),
        status__in=[Subscriber.Status.ACTIVE, Subscriber.Status.PENDING],
    ).update(status=Subscriber.Status.UNSUBSCRIBED, unsubscribed_at=timezone.now())


# Runs


def digest_run_create(*, frequency: str, scheduled_for: date) -> DigestRun:
    """The run of ``frequency`` for ``scheduled_for``, with a delivery row for each subscriber.

    Safe to call twice (a beat that fires twice, a rerun): the run is unique
    per day and the rows per subscriber, inserted with ON CONFLICT DO NOTHING.
    Each row's window runs from the subscriber's last digest to the run's
    cutoff (midnight at the start of ``scheduled_for``).
    """
    if frequency not in DigestRun.Frequency.values:
        raise ValueError(f"unknown digest frequency {frequency!r}")
    if scheduled_for > timezone.localdate(timezone=timezone.get_default_timezone()):
        raise ValueError("a digest cannot cover days that have not happened yet")
    end = run_cutoff(scheduled_for)
    with transaction.atomic():
        run, _created = DigestRun.objects.get_or_create(
            frequency=frequency, scheduled_for=scheduled_for
        )
        due = (
            Subscriber.objects.receiving(frequency)
            .filter(Q(last_digest_at__isnull=True) | Q(last_digest_at__lt=end))
            .order_by("pk")
            .values_list("pk", "last_digest_at")
        )
        rows = []
        for subscriber_id, last_digest_at in due.iterator(chunk_size=INSERT_BATCH_SIZE):
            start = window_start_for(last_digest_at=last_digest_at, frequency=frequency, end=end)
            rows.append(
                DigestDelivery(
                    run=run, subscriber_id=subscriber_id, window_start=start, window_end=end
                )
            )
            if len(rows) == INSERT_BATCH_SIZE:
                DigestDelivery.objects.bulk_create(rows, ignore_conflicts=True)
                rows = []
        if rows:
            DigestDelivery.objects.bulk_create(rows, ignore_conflicts=True)
        if run.finished_at and _pending(run.pk).exists():
            run.finished_at = None
            run.save(update_fields=["finished_at"])
    return run


def _pending(run_id: int):
    return DigestDelivery.objects.filter(
        run_id=run_id,
        status__in=[DigestDelivery.Status.QUEUED, DigestDelivery.Status.SENDING],
    )


def digest_deliveries_claim(
    *, run_id: int, limit: int, exclude=(), sender: uuid.UUID | None = None
) -> list[int]:
    """Take up to ``limit`` rows of a run for ``sender``; see ``BatchSender.claim``."""
    return DigestSender(run_id).claim(limit=limit, exclude=exclude, sender=sender)


@dataclass
class BuiltDigest(Built):
    content: DigestContent | None = None

    @property
    def window_start(self):
        return self.content.request.window_start


def digest_batch_build(
    *, delivery_ids: list[int], editions: dict[tuple, RenderedMail] | None = None
) -> list[BuiltDigest]:
    """The messages of a batch of deliveries, in five queries whatever the batch's size.

    One for the rows with their runs and subscribers, one for the subscribers'
    sections, and the three of ``digest_contents``. A subscriber who
    unsubscribed since the run was created, and one with nothing new, get no
    message. A window starts no earlier than the subscriber's last digest, so
    a digest sent by a later run is not repeated by an older one. ``editions``:
    see ``digest_mails``.
    """
    deliveries = list(
        DigestDelivery.objects.filter(pk__in=delivery_ids)
        .select_related("run", "subscriber")
        .prefetch_related("subscriber__sections")
        .order_by("pk")
    )
    requests = []
    for delivery in deliveries:
        last_digest_at = delivery.subscriber.last_digest_at or delivery.window_start
        start = max(delivery.window_start, last_digest_at)
        requests.append(
            DigestRequest(
                delivery.subscriber,
                delivery.run.frequency,
                min(start, delivery.window_end),
                delivery.window_end,
            )
        )
    built = []
    sending = []
    for delivery, content in zip(deliveries, digest_contents(requests=requests), strict=True):
        subscriber = delivery.subscriber
        item = BuiltDigest(delivery=delivery, mail=None, content=content)
        built.append(item)
        if subscriber.status != Subscriber.Status.ACTIVE or subscriber.frequency == Frequency.OFF:
            item.skip_reason = "no longer subscribed"
        elif not content.is_empty:
            sending.append(item)
    for item, mail in zip(
        sending,
        digest_mails([(item.content, item.delivery.pk) for item in sending], editions=editions),
        strict=True,
    ):
        item.mail = mail
    return built


class DigestSender(BatchSender):
    """A run's deliveries; a sent or empty digest moves the subscriber's window on."""

    model = DigestDelivery
    scope_field = "run_id"
    deferred_error = DigestSendDeferred

    def build(self, delivery_ids: list[int]) -> list[BuiltDigest]:
        # Each edition is rendered once for the whole run.
        return digest_batch_build(delivery_ids=delivery_ids, editions=self.cache)

    def mark_sent(self, item: BuiltDigest, holder: ClaimHolder) -> None:
        # One statement (one round trip, atomic by itself) instead of a transaction of two.
        delivery = item.delivery
        with connection.cursor() as cursor:
            cursor.execute(
                "WITH sent AS (UPDATE digests_digestdelivery SET status = 'sent', sent_at = %s, "
                "window_start = %s, error = '' WHERE id = %s AND status = 'sending' "
                "AND claimed_by = %s RETURNING subscriber_id) "
                "UPDATE digests_subscriber SET last_digest_at = GREATEST(last_digest_at, %s) "
                "FROM sent WHERE digests_subscriber.id = sent.subscriber_id",
                [
                    timezone.now(),
                    item.window_start,
                    delivery.pk,
                    holder.sender,
                    delivery.window_end,
                ],
            )
            if cursor.rowcount == 0:  # cannot happen while the settings' claim rule holds
                logger.error("digest delivery %s sent after its claim was lost", delivery.pk)

    def after_skipped(self, items: list[BuiltDigest]) -> None:
        # Nothing new in the window: the next digest starts where this one ended.
        by_end: dict = {}
        for item in items:
            if not item.skip_reason:
                by_end.setdefault(item.delivery.window_end, []).append(item.delivery.subscriber_id)
        for window_end, subscriber_ids in by_end.items():
            _advance_last_digest(subscriber_ids, window_end)

    def after_bounce(self, item: BuiltDigest) -> None:
        subscriber_bounced(subscriber_id=item.delivery.subscriber_id)

    def finish(self) -> None:
        DigestRun.objects.filter(pk=self.mailing_id, finished_at__isnull=True).update(
            finished_at=timezone.now()
        )


def digest_run_send(
    *,
    run_id: int,
    batch_size: int | None = None,
    progress: Callable[[SendCounts], None] | None = None,
    time_budget: float | None = None,
) -> SendCounts:
    """Send a run's deliveries batch by batch until none is left; safe to run twice at once.

    See ``BatchSender.send``: 4xx refusals are ``deferred``, a server that
    cannot take mail raises DigestSendDeferred, ``time_budget`` stops early.
    """
    return DigestSender(run_id).send(
        batch_size=batch_size, progress=progress, time_budget=time_budget
    )


def _advance_last_digest(subscriber_ids: list[int], window_end) -> None:
    # Never backwards: an older run finishing late leaves a newer window alone.
    Subscriber.objects.filter(pk__in=subscriber_ids).update(
        last_digest_at=Greatest(
            F("last_digest_at"), Value(window_end, output_field=DateTimeField())
        )
    )


def subscriber_bounced(*, subscriber_id: int) -> None:
    """One more permanent refusal of the address; at HARD_BOUNCE_LIMIT it is suppressed."""
    # One UPDATE: the CASE sees the count before this bounce.
    Subscriber.objects.filter(pk=subscriber_id).update(
        hard_bounces=F("hard_bounces") + 1,
        status=Case(
            When(
                status=Subscriber.Status.ACTIVE,
                hard_bounces__gte=HARD_BOUNCE_LIMIT - 1,
                then=Value(Subscriber.Status.SUPPRESSED),
            ),
            default=F("status"),
        ),
    )


def digest_deliveries_resend(*, run_ids: Iterable[int], delivery_ids=None) -> int:
    """Queue failed deliveries of these runs again (all, or only ``delivery_ids``) and send them."""
    from .tasks import send_digest_run

    failed = DigestDelivery.objects.filter(
        run_id__in=list(run_ids), status=DigestDelivery.Status.FAILED
    )
    if delivery_ids is not None:
        failed = failed.filter(pk__in=list(delivery_ids))
    with transaction.atomic():
        reopened = set(failed.values_list("run_id", flat=True))
        count = failed.update(status=DigestDelivery.Status.QUEUED, claimed_at=None)
        DigestRun.objects.filter(pk__in=reopened).update(finished_at=None)
        for run_id in sorted(reopened):
            # With the broker down, resume_digest_runs hands the run out later.
            dispatch_on_commit(send_digest_run, run_id)
    return count


def digest_send_test(*, subscriber: Subscriber, to: str) -> OutgoingMail | None:
    """Mail ``to`` the digest ``subscriber`` would get now, marked as a test.

    Goes through the outbox like any transactional mail; no delivery row is
    touched and the subscriber's window does not move.
    """
    subscriber = Subscriber.objects.prefetch_related("sections").get(pk=subscriber.pk)
    content = digest_contents(requests=[digest_preview_request(subscriber=subscriber)])[0]
    return mail_queue(template="digest", to=to, context=digest_test_context(content))
