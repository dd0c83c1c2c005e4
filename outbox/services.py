"""Queueing and sending transactional mail through OutgoingMail rows."""

import enum
import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import mailers
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from .dispatch import dispatch, dispatch_on_commit
from .messages import RenderedMail, make_message, render_mail
from .models import OutgoingMail
from .smtp_errors import is_permanent

logger = logging.getLogger(__name__)

# A retry delivered this much before its time is still taken (another host's clock).
RETRY_GRACE_SECONDS = 5


class Outcome(enum.Enum):
    SENT = "sent"
    FAILED = "failed"
    RETRY = "retry"
    SKIPPED = "skipped"


def mail_queue(
    *,
    template: str,
    to: str,
    context: dict,
    key: str | None = None,
    headers: dict | None = None,
    cc: list[str] | None = None,
) -> OutgoingMail | None:
    """Render the email ``template`` for ``to`` and queue it, to be sent after commit.

    With a ``key``, a mail is queued once: asking again (a retried request, a
    repeated action) returns None and sends nothing more.
    """
    rendered = render_mail(template, context)
    try:
        with transaction.atomic():
            mail = OutgoingMail.objects.create(
                key=key,
                template=template,
                to=to,
                cc=[address for address in cc or [] if address != to],
                subject=rendered.subject,
                body_text=rendered.body_text,
                body_html=rendered.body_html,
                headers=headers or {},
            )
    except IntegrityError:
        if key and OutgoingMail.objects.filter(key=key).exists():
            return None
        raise
    from .tasks import send_outgoing_mail

    dispatch_on_commit(send_outgoing_mail, mail.pk, on_failure=lambda: _needs_dispatch([mail.pk]))
    return mail


def secretariat_mail(
    *, template: str, context: dict, key: str, reply_to: str = ""
) -> OutgoingMail | None:
    """Tell the secretariat (SECRETARIAT_EMAIL) of something waiting for it, once per ``key``.

    Nothing is queued when SECRETARIAT_EMAIL is empty. ``reply_to`` is whom a
    reply reaches (the applicant, the contact), so the secretariat can answer
    from the mail.
    """
    if not settings.SECRETARIAT_EMAIL:
        return None
    return mail_queue(
        template=template,
        to=settings.SECRETARIAT_EMAIL,
        context=context,
        key=key,
        headers={"Reply-To": reply_to} if reply_to else None,
    )


def _needs_dispatch(pks: list[int]) -> None:
    OutgoingMail.objects.filter(pk__in=pks, status=OutgoingMail.Status.QUEUED).update(
        needs_dispatch=True
    )


def outbox_dispatch(pks: list[int]) -> int:
    """Hand these rows to workers now; return how many the broker took.

    Rows the broker cannot take are marked for the requeue, which hands
    them out again once it is back.
    """
    from .tasks import send_outgoing_mail

    failed = [pk for pk in pks if not dispatch(send_outgoing_mail, pk)]
    taken = [pk for pk in pks if pk not in failed]
    if taken:
        OutgoingMail.objects.filter(pk__in=taken, needs_dispatch=True).update(needs_dispatch=False)
    if failed:
        _needs_dispatch(failed)
    return len(taken)


def _claim(pk: int) -> OutgoingMail | None:
    """Take the row for sending, unless another sender has it or it is done.

    A conditional UPDATE, so two workers never both win; a row claimed by a
    sender that died (claimed longer than OUTBOX_CLAIM_SECONDS ago) can be
    taken again. A row waiting out a retry is not taken before its time (a
    few seconds' grace, for clocks of other hosts), whoever asks.
    """
    now = timezone.now()
    stale = now - timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS)
    claimed = OutgoingMail.objects.filter(
        Q(
            status=OutgoingMail.Status.QUEUED,
            next_attempt_at__lte=now + timedelta(seconds=RETRY_GRACE_SECONDS),
        )
        | Q(status=OutgoingMail.Status.SENDING, claimed_at__lt=stale),
        pk=pk,
    ).update(
        status=OutgoingMail.Status.SENDING,
        claimed_at=now,
        attempts=F("attempts") + 1,
        needs_dispatch=False,
    )
    return OutgoingMail.objects.get(pk=pk) if claimed else None


def outbox_send(pk: int, *, final_attempt: bool = False, retry_in: int = 0) -> Outcome:
    """Send one queued mail; safe to run twice for the same row.

    A permanent refusal (5xx) marks it failed; a temporary one puts it back
    in the queue, due ``retry_in`` seconds from now (the caller's backoff),
    or marks it failed on the ``final_attempt``.
    """
    mail = _claim(pk)
    if mail is None:
        return Outcome.SKIPPED
    rendered = RenderedMail(mail.subject, mail.body_text, mail.body_html)
    message = make_message(to=mail.to, rendered=rendered, headers=mail.headers, cc=mail.cc)
    try:
        with mailers.default as connection:
            connection.send_messages([message])
    except Exception as exc:  # classified below; anything unknown is retried
        failed = is_permanent(exc) or final_attempt
        OutgoingMail.objects.filter(
            pk=pk, status=OutgoingMail.Status.SENDING, claimed_at=mail.claimed_at
        ).update(
            status=OutgoingMail.Status.FAILED if failed else OutgoingMail.Status.QUEUED,
            next_attempt_at=timezone.now() + timedelta(seconds=retry_in),
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        logger.warning("mail %s to %s not sent (%s): %s", pk, mail.to, type(exc).__name__, exc)
        return Outcome.FAILED if failed else Outcome.RETRY
    # Only while this sender holds the row (the settings keep a claim longer than a send).
    OutgoingMail.objects.filter(
        pk=pk, status=OutgoingMail.Status.SENDING, claimed_at=mail.claimed_at
    ).update(status=OutgoingMail.Status.SENT, sent_at=timezone.now(), last_error="")
    return Outcome.SENT


def outbox_requeue_stale() -> list[int]:
    """The mail to hand to a worker again; return their ids.

    Mail the broker could not take (it was down); mail whose sender died
    (claimed more than OUTBOX_CLAIM_SECONDS ago); and mail still queued
    that long after it was due (its task was lost). Mail waiting out a
    retry is not stale: its task is in the broker, due later.
    """
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS)
    pending = OutgoingMail.objects.filter(
        Q(status=OutgoingMail.Status.QUEUED, needs_dispatch=True)
        | Q(status=OutgoingMail.Status.QUEUED, next_attempt_at__lt=cutoff)
        | Q(status=OutgoingMail.Status.SENDING, claimed_at__lt=cutoff)
    )
    return list(pending.order_by("pk").values_list("pk", flat=True))
