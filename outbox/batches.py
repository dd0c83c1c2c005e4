"""Bulk mail from delivery rows: the crash-safe sender shared by the digest and the notices.

A delivery row is one message to one recipient of one mailing (a digest run,
a notice's mailing); its model has ``status`` (queued, sending, sent, skipped,
failed), ``attempts``, ``claimed_at``, ``claimed_by``, ``sent_at`` and
``error``, and a unique constraint on (mailing, recipient). A sender claims a
batch of rows in a short transaction (SELECT … FOR UPDATE SKIP LOCKED, so two
senders never take the same row), builds the batch's messages with a fixed
number of queries, sends them over one SMTP connection and marks each row sent
as soon as the server has accepted its message. A rerun, a retried task or a
second worker finds nothing left to send twice; a sender renews its claim as
it goes and sends and marks a row only while it holds it; a sender that dies
leaves its rows "sending", and after DIGEST_CLAIM_SECONDS without a renewal
any later sender takes them over.

Subclasses of ``BatchSender`` say which rows (``model``, ``scope``), how a
batch becomes messages (``build``) and what else a sent, skipped or bounced
row changes.
"""

import logging
import smtplib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.mail import mailers
from django.db import connection, transaction
from django.db.models import F, Model, Q
from django.utils import timezone

from .smtp_errors import is_permanent, is_transient

logger = logging.getLogger(__name__)

QUEUED, SENDING, SENT, SKIPPED, FAILED = "queued", "sending", "sent", "skipped", "failed"


class SendDeferred(Exception):
    """The mail server could not take mail (refused, lost, 421); unsent rows are queued again."""


@dataclass
class Built:
    """One claimed row and its message; ``mail`` None means nothing to send (``skip_reason``)."""

    delivery: Model
    mail: object | None  # has .message(connection=...) → EmailMessage
    skip_reason: str = ""
    extra: dict = field(default_factory=dict)


@dataclass
class SendCounts:
    """What one call of ``BatchSender.send`` did."""

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


class ClaimHolder:
    """One sender's hold on the rows it claimed: renewed as it sends, checked before each send.

    A claim older than DIGEST_CLAIM_SECONDS may be taken over by another
    sender, so a slow but healthy sender renews its claim on the rows it has
    left every third of that time (one UPDATE). Rows it no longer holds (it
    was too slow, or paused) are dropped, never sent: the sender that took
    them over sends them. Settings refuse a claim time shorter than the
    renewal interval plus the longest a message can take.
    """

    def __init__(self, sender: uuid.UUID, model: type[Model]):
        self.sender = sender
        self.model = model
        self.renewed = time.monotonic()

    def start(self) -> None:
        self.renewed = time.monotonic()

    def holds(self, pending: list[Built]) -> list[Built]:
        """The rows of ``pending`` still held, after renewing the claim when it is due."""
        if time.monotonic() - self.renewed < settings.DIGEST_CLAIM_SECONDS / 3:
            return pending
        renewed_at = time.monotonic()
        table = connection.ops.quote_name(self.model._meta.db_table)
        # One statement: renewing and checking cannot be split by another sender's takeover.
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET claimed_at = %s "  # noqa: S608 (a model's own table)
                "WHERE id = ANY(%s) AND status = 'sending' AND claimed_by = %s RETURNING id",
                [timezone.now(), [item.delivery.pk for item in pending], self.sender],
            )
            held = {row[0] for row in cursor.fetchall()}
        self.renewed = renewed_at
        lost = [item for item in pending if item.delivery.pk not in held]
        if lost:
            logger.warning(
                "%s sender %s lost its claim on %d rows; another sender has them",
                self.model._meta.model_name,
                self.sender,
                len(lost),
            )
        return [item for item in pending if item.delivery.pk in held]


def _error_text(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def _refused_for_now(exc: Exception) -> bool:
    """A 4xx for the recipient only: the connection is fine, other addresses can go on."""
    return isinstance(exc, smtplib.SMTPRecipientsRefused) and not is_permanent(exc)


class BatchSender:
    """Send one mailing's delivery rows batch by batch; see the module's docstring."""

    model: type[Model]
    scope_field: str  # the delivery's foreign key to its mailing, e.g. "run_id"
    deferred_error: type[SendDeferred] = SendDeferred

    def __init__(self, mailing_id: int):
        self.mailing_id = mailing_id
        self.cache: dict = {}  # what build() renders once for the whole mailing

    # What a kind of mailing says -------------------------------------------------------------

    def build(self, delivery_ids: list[int]) -> list[Built]:
        raise NotImplementedError

    def mark_sent(self, item: Built, holder: ClaimHolder) -> None:
        marked = (
            self.held(holder)
            .filter(pk=item.delivery.pk)
            .update(status=SENT, sent_at=timezone.now(), error="")
        )
        if not marked:  # cannot happen while the settings' claim rule holds
            logger.error(
                "%s %s sent after its claim was lost", self.model.__name__, item.delivery.pk
            )

    def after_skipped(self, items: list[Built]) -> None:
        """Inside the transaction that marks ``items`` skipped."""

    def after_bounce(self, item: Built) -> None:
        """Inside the transaction that marks ``item`` failed with a permanent refusal."""

    def finish(self) -> None:
        """No row is left to send."""

    # The rows ---------------------------------------------------------------------------------

    def rows(self):
        return self.model.objects.filter(**{self.scope_field: self.mailing_id})

    def pending(self):
        return self.rows().filter(status__in=[QUEUED, SENDING])

    def held(self, holder: ClaimHolder):
        return self.model.objects.filter(status=SENDING, claimed_by=holder.sender)

    def claim(self, *, limit: int, exclude=(), sender: uuid.UUID | None = None) -> list[int]:
        """Take up to ``limit`` rows for ``sender``; return their ids.

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
                self.rows()
                .select_for_update(skip_locked=True)
                .filter(Q(status=QUEUED) | Q(status=SENDING, claimed_at__lt=stale))
                .exclude(pk__in=list(exclude))
                .order_by("pk")
                .values_list("pk", flat=True)[:limit]
            )
            if ids:
                self.model.objects.filter(pk__in=ids).update(
                    status=SENDING,
                    claimed_at=now,
                    claimed_by=sender or uuid.uuid4(),
                    attempts=F("attempts") + 1,
                )
        return ids

    # Sending ----------------------------------------------------------------------------------

    def send(
        self,
        *,
        batch_size: int | None = None,
        progress: Callable[[SendCounts], None] | None = None,
        time_budget: float | None = None,
    ) -> SendCounts:
        """Send the rows batch by batch until none is left; safe to run twice at once.

        An address the server refuses for now (4xx) is queued again and the
        others are sent; ``deferred`` counts them, for the caller to try again
        later. When the server cannot take mail at all (connection refused or
        lost, 421), raises ``deferred_error`` with the unsent rows queued
        again. With ``time_budget`` (seconds), stops claiming batches after
        that long and says whether rows are left (``more``), so that one task
        never outlives the broker's visibility timeout.
        """
        batch_size = batch_size or settings.DIGEST_BATCH_SIZE
        started = time.monotonic()
        counts = SendCounts(pending=self.pending().count())
        deferred: set[int] = set()
        holder = ClaimHolder(uuid.uuid4(), self.model)
        while True:
            if time_budget is not None and time.monotonic() - started > time_budget:
                counts.more = self.pending().exclude(pk__in=list(deferred)).exists()
                break
            delivery_ids = self.claim(limit=batch_size, exclude=deferred, sender=holder.sender)
            if not delivery_ids:
                break
            holder.start()
            self.send_batch(self.build(delivery_ids), counts, deferred, holder)
            if progress is not None:
                progress(counts)
        if not counts.more and not self.pending().exists():
            self.finish()
        return counts

    def send_batch(
        self, built: list[Built], counts: SendCounts, deferred: set[int], holder: ClaimHolder
    ) -> None:
        built = holder.holds(built)
        self.mark_skipped([item for item in built if item.mail is None], holder)
        counts.skipped += sum(item.mail is None for item in built)
        pending = [item for item in built if item.mail is not None]
        if not pending:
            return
        try:
            with mailers.default as smtp:
                while pending:
                    pending = holder.holds(pending)  # only while this sender still holds the row
                    if not pending:
                        break
                    item = pending[0]
                    try:
                        smtp.send_messages([item.mail.message(connection=smtp)])
                    except Exception as exc:
                        if _refused_for_now(exc):
                            if item.delivery.attempts < settings.DIGEST_MAX_ATTEMPTS:
                                self.requeue([item], exc, holder)
                                deferred.add(item.delivery.pk)
                                counts.deferred += 1
                            else:  # greylisted for days: give up on this one, not a bounce
                                self.mark_failed(item, exc, holder, bounce=False)
                                counts.failed += 1
                        elif is_permanent(exc):
                            self.mark_failed(item, exc, holder, bounce=True)
                            counts.failed += 1
                        elif is_transient(exc):
                            raise  # the connection is in doubt: stop this batch
                        else:  # an address the backend cannot encode, say: this row only
                            self.mark_failed(item, exc, holder, bounce=False)
                            counts.failed += 1
                    else:
                        self.mark_sent(item, holder)
                        counts.sent += 1
                    pending.pop(0)
        except Exception as exc:
            if not pending:  # everything was handed over; the connection failed as it closed
                logger.warning("SMTP connection not closed cleanly: %s", exc)
                return
            self.requeue(pending, exc, holder)
            if is_transient(exc):
                raise self.deferred_error(_error_text(exc)) from exc
            raise

    def mark_skipped(self, items: list[Built], holder: ClaimHolder) -> None:
        if not items:
            return
        with transaction.atomic():
            for reason in {item.skip_reason for item in items}:
                self.held(holder).filter(
                    pk__in=[item.delivery.pk for item in items if item.skip_reason == reason]
                ).update(status=SKIPPED, error=reason)
            self.after_skipped(items)

    def mark_failed(self, item: Built, exc: Exception, holder: ClaimHolder, *, bounce: bool):
        with transaction.atomic():
            marked = (
                self.held(holder)
                .filter(pk=item.delivery.pk)
                .update(status=FAILED, error=_error_text(exc))
            )
            if bounce and marked:
                self.after_bounce(item)
        logger.warning("%s %s refused: %s", self.model.__name__, item.delivery.pk, exc)

    def requeue(self, items: list[Built], exc: Exception, holder: ClaimHolder) -> None:
        self.held(holder).filter(pk__in=[item.delivery.pk for item in items]).update(
            status=QUEUED, claimed_at=None, error=_error_text(exc)
        )


def mailings_to_resume(mailings, deliveries) -> list[int]:
    """The ids of unfinished ``mailings`` with rows waiting: queued, or claimed by a dead sender.

    ``mailings`` is a queryset of the mailing model, filtered to the
    unfinished ones; ``deliveries`` the name of its delivery rows' relation.
    """
    stale = timezone.now() - timedelta(seconds=settings.DIGEST_CLAIM_SECONDS)
    waiting = Q(**{f"{deliveries}__status": QUEUED}) | Q(
        **{f"{deliveries}__status": SENDING, f"{deliveries}__claimed_at__lt": stale}
    )
    return list(mailings.filter(waiting).distinct().order_by("pk").values_list("pk", flat=True))
