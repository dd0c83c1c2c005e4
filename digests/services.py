"""Subscriptions and digest sending: every write of the digests app.

Sending works from DigestDelivery rows, one per subscriber and run (unique):
a sender claims a batch of rows in a short transaction (SELECT … FOR UPDATE
SKIP LOCKED, so two senders never take the same row), builds the batch's
messages with a fixed number of queries, sends them over one SMTP connection
and marks each row sent as soon as the server has accepted its message. A
rerun, a retried task or a second worker finds nothing left to send twice; a
sender renews its claim as it goes and sends and marks a row only while it
holds it; a sender that dies leaves its rows "sending", and after
DIGEST_CLAIM_SECONDS without a renewal any later sender takes them over.
"""

import logging
import smtplib
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import mailers
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, DateTimeField, F, Q, Value, When
from django.db.models.functions import Greatest
from django.utils import timezone

from outbox.dispatch import dispatch_on_commit
from outbox.messages import RenderedMail
from outbox.models import OutgoingMail
from outbox.services import mail_queue
from outbox.smtp_errors import is_permanent, is_transient

from . import tokens
from .messages import DigestMail, digest_mails, digest_test_context
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


class DigestSendDeferred(Exception):
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
    """Take up to ``limit`` rows of a run for ``sender``; return their ids.

    Queued rows, and rows whose claim was last renewed more than
    DIGEST_CLAIM_SECONDS ago (their sender died). Locked rows are skipped,
    so concurrent senders each get rows of their own; ``exclude`` are rows
    this sender already tried (deferred by the server) and leaves for a
    later try.
    """
    now = timezone.now()
    stale = now - timedelta(seconds=settings.DIGEST_CLAIM_SECONDS)
    with transaction.atomic():
        ids = list(
            DigestDelivery.objects.select_for_update(skip_locked=True)
            .filter(run_id=run_id)
            .filter(
                Q(status=DigestDelivery.Status.QUEUED)
                | Q(status=DigestDelivery.Status.SENDING, claimed_at__lt=stale)
            )
            .exclude(pk__in=list(exclude))
            .order_by("pk")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            DigestDelivery.objects.filter(pk__in=ids).update(
                status=DigestDelivery.Status.SENDING,
                claimed_at=now,
                claimed_by=sender or uuid.uuid4(),
                attempts=F("attempts") + 1,
            )
    return ids


class ClaimHolder:
    """One sender's hold on the rows it claimed: renewed as it sends, checked before each send.

    A claim older than DIGEST_CLAIM_SECONDS may be taken over by another
    sender, so a slow but healthy sender renews its claim on the rows it has
    left every third of that time (one UPDATE). Rows it no longer holds (it
    was too slow, or paused) are dropped, never sent: the sender that took
    them over sends them. Settings refuse a claim time shorter than the
    renewal interval plus the longest a message can take.
    """

    def __init__(self, sender: uuid.UUID):
        self.sender = sender
        self.renewed = time.monotonic()

    def start(self) -> None:
        self.renewed = time.monotonic()

    def holds(self, pending: list["BuiltDigest"]) -> list["BuiltDigest"]:
        """The rows of ``pending`` still held, after renewing the claim when it is due."""
        if time.monotonic() - self.renewed < settings.DIGEST_CLAIM_SECONDS / 3:
            return pending
        renewed_at = time.monotonic()
        # One statement: renewing and checking cannot be split by another sender's takeover.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE digests_digestdelivery SET claimed_at = %s "
                "WHERE id = ANY(%s) AND status = 'sending' AND claimed_by = %s RETURNING id",
                [timezone.now(), [item.delivery.pk for item in pending], self.sender],
            )
            held = {row[0] for row in cursor.fetchall()}
        self.renewed = renewed_at
        lost = [item for item in pending if item.delivery.pk not in held]
        if lost:
            logger.warning(
                "digest sender %s lost its claim on %d rows; another sender has them",
                self.sender,
                len(lost),
            )
        return [item for item in pending if item.delivery.pk in held]


@dataclass
class BuiltDigest:
    delivery: DigestDelivery
    content: DigestContent
    mail: DigestMail | None  # None: nothing to send
    skip_reason: str = ""

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
        if subscriber.status != Subscriber.Status.ACTIVE or subscriber.frequency == Frequency.OFF:
            built.append(BuiltDigest(delivery, content, None, "no longer subscribed"))
        elif content.is_empty:
            built.append(BuiltDigest(delivery, content, None))
        else:
            item = BuiltDigest(delivery, content, None)
            built.append(item)
            sending.append(item)
    for item, mail in zip(
        sending,
        digest_mails([(item.content, item.delivery.pk) for item in sending], editions=editions),
        strict=True,
    ):
        item.mail = mail
    return built


@dataclass
class SendCounts:
    """What one call of ``digest_run_send`` did."""

    pending: int = 0  # rows queued or in flight when it started
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    deferred: int = 0  # refused for now (4xx) by the server, queued for a later try
    more: bool = False  # stopped by its time budget with rows left

    @property
    def done(self) -> int:
        return self.sent + self.skipped + self.failed + self.deferred

    def __str__(self) -> str:
        text = f"sent {self.sent}, skipped {self.skipped}, failed {self.failed}"
        return f"{text}, deferred {self.deferred}" if self.deferred else text


def digest_run_send(
    *,
    run_id: int,
    batch_size: int | None = None,
    progress: Callable[[SendCounts], None] | None = None,
    time_budget: float | None = None,
) -> SendCounts:
    """Send a run's deliveries batch by batch until none is left; safe to run twice at once.

    An address the server refuses for now (4xx) is queued again and the
    others are sent; ``deferred`` counts them, for the caller to try again
    later. When the server cannot take mail at all (connection refused or
    lost, 421), raises DigestSendDeferred with the unsent rows queued again.
    With ``time_budget`` (seconds), stops claiming batches after that long
    and says whether rows are left (``more``), so that one task never
    outlives the broker's visibility timeout.
    """
    batch_size = batch_size or settings.DIGEST_BATCH_SIZE
    started = time.monotonic()
    counts = SendCounts(pending=_pending(run_id).count())
    deferred: set[int] = set()
    editions: dict[tuple, RenderedMail] = {}  # rendered once for the whole run
    holder = ClaimHolder(uuid.uuid4())
    while True:
        if time_budget is not None and time.monotonic() - started > time_budget:
            counts.more = _pending(run_id).exclude(pk__in=list(deferred)).exists()
            break
        delivery_ids = digest_deliveries_claim(
            run_id=run_id, limit=batch_size, exclude=deferred, sender=holder.sender
        )
        if not delivery_ids:
            break
        holder.start()
        built = digest_batch_build(delivery_ids=delivery_ids, editions=editions)
        _send_batch(built, counts, deferred, holder)
        if progress is not None:
            progress(counts)
    if not counts.more and not _pending(run_id).exists():
        DigestRun.objects.filter(pk=run_id, finished_at__isnull=True).update(
            finished_at=timezone.now()
        )
    return counts


def _refused_for_now(exc: Exception) -> bool:
    """A 4xx for the recipient only: the connection is fine, other addresses can go on."""
    return isinstance(exc, smtplib.SMTPRecipientsRefused) and not is_permanent(exc)


def _send_batch(
    built: list[BuiltDigest], counts: SendCounts, deferred: set[int], holder: ClaimHolder
) -> None:
    built = holder.holds(built)
    _mark_skipped([item for item in built if item.mail is None], holder)
    counts.skipped += sum(item.mail is None for item in built)
    pending = [item for item in built if item.mail is not None]
    if not pending:
        return
    try:
        with mailers.default as connection:
            while pending:
                pending = holder.holds(pending)  # only while this sender still holds the row
                if not pending:
                    break
                item = pending[0]
                try:
                    connection.send_messages([item.mail.message(connection=connection)])
                except Exception as exc:
                    if _refused_for_now(exc):
                        if item.delivery.attempts < settings.DIGEST_MAX_ATTEMPTS:
                            _requeue([item], exc, holder)
                            deferred.add(item.delivery.pk)
                            counts.deferred += 1
                        else:  # greylisted for days: give up on this one, not a bounce
                            _mark_failed(item, exc, holder, bounce=False)
                            counts.failed += 1
                    elif is_permanent(exc):
                        _mark_failed(item, exc, holder, bounce=True)
                        counts.failed += 1
                    elif is_transient(exc):
                        raise  # the connection is in doubt: stop this batch
                    else:  # an address the backend cannot encode, say: this row only
                        _mark_failed(item, exc, holder, bounce=False)
                        counts.failed += 1
                else:
                    _mark_sent(item, holder)
                    counts.sent += 1
                pending.pop(0)
    except Exception as exc:
        if not pending:  # everything was handed over; the connection failed as it closed
            logger.warning("SMTP connection not closed cleanly: %s", exc)
            return
        _requeue(pending, exc, holder)
        if is_transient(exc):
            raise DigestSendDeferred(f"{type(exc).__name__}: {exc}") from exc
        raise


def _error_text(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def _mark_sent(item: BuiltDigest, holder: ClaimHolder) -> None:
    # One statement (one round trip, atomic by itself) instead of a transaction of two.
    delivery = item.delivery
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH sent AS (UPDATE digests_digestdelivery SET status = 'sent', sent_at = %s, "
            "window_start = %s, error = '' WHERE id = %s AND status = 'sending' "
            "AND claimed_by = %s RETURNING subscriber_id) "
            "UPDATE digests_subscriber SET last_digest_at = GREATEST(last_digest_at, %s) "
            "FROM sent WHERE digests_subscriber.id = sent.subscriber_id",
            [timezone.now(), item.window_start, delivery.pk, holder.sender, delivery.window_end],
        )
        if cursor.rowcount == 0:  # cannot happen while the settings' claim rule holds
            logger.error("digest delivery %s sent after its claim was lost", delivery.pk)


def _advance_last_digest(subscriber_ids: list[int], window_end) -> None:
    # Never backwards: an older run finishing late leaves a newer window alone.
    Subscriber.objects.filter(pk__in=subscriber_ids).update(
        last_digest_at=Greatest(
            F("last_digest_at"), Value(window_end, output_field=DateTimeField())
        )
    )


def _held(holder: ClaimHolder):
    return DigestDelivery.objects.filter(
        status=DigestDelivery.Status.SENDING, claimed_by=holder.sender
    )


def _mark_skipped(items: list[BuiltDigest], holder: ClaimHolder) -> None:
    if not items:
        return
    with transaction.atomic():
        for reason in {item.skip_reason for item in items}:
            _held(holder).filter(
                pk__in=[item.delivery.pk for item in items if item.skip_reason == reason]
            ).update(status=DigestDelivery.Status.SKIPPED, error=reason)
        # Nothing new in the window: the next digest starts where this one ended.
        by_end: dict = {}
        for item in items:
            if not item.skip_reason:
                by_end.setdefault(item.delivery.window_end, []).append(item.delivery.subscriber_id)
        for window_end, subscriber_ids in by_end.items():
            _advance_last_digest(subscriber_ids, window_end)


def _mark_failed(item: BuiltDigest, exc: Exception, holder: ClaimHolder, *, bounce: bool) -> None:
    delivery = item.delivery
    with transaction.atomic():
        marked = (
            _held(holder)
            .filter(pk=delivery.pk)
            .update(status=DigestDelivery.Status.FAILED, error=_error_text(exc))
        )
        if bounce and marked:
            # One UPDATE: the CASE sees the count before this bounce.
            Subscriber.objects.filter(pk=delivery.subscriber_id).update(
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
    logger.warning(
        "digest delivery %s to %s refused: %s", delivery.pk, delivery.subscriber.email, exc
    )


def _requeue(items: list[BuiltDigest], exc: Exception, holder: ClaimHolder) -> None:
    _held(holder).filter(pk__in=[item.delivery.pk for item in items]).update(
        status=DigestDelivery.Status.QUEUED, claimed_at=None, error=_error_text(exc)
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
