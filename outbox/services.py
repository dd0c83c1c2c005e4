"""Queueing and sending transactional mail through OutgoingMail rows."""

import enum
import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import mailers
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from .messages import RenderedMail, make_message, render_mail
from .models import OutgoingMail
from .smtp_errors import is_permanent

logger = logging.getLogger(__name__)


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

    transaction.on_commit(lambda: send_outgoing_mail.delay(mail.pk))
    return mail


def _claim(pk: int) -> OutgoingMail | None:
    """Take the row for sending, unless another sender has it or it is done.

    A conditional UPDATE, so two workers never both win; a row claimed by a
    sender that died (claimed longer than OUTBOX_CLAIM_SECONDS ago) can be
    taken again.
    """
    now = timezone.now()
    stale = now - timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS)
    claimed = OutgoingMail.objects.filter(
        Q(status=OutgoingMail.Status.QUEUED)
        | Q(status=OutgoingMail.Status.SENDING, claimed_at__lt=stale),
        pk=pk,
    ).update(status=OutgoingMail.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    return OutgoingMail.objects.get(pk=pk) if claimed else None


def outbox_send(pk: int, *, final_attempt: bool = False) -> Outcome:
    """Send one queued mail; safe to run twice for the same row.

    A permanent refusal (5xx) marks it failed; a temporary one puts it back
    in the queue for a retry, or marks it failed on the ``final_attempt``.
    """
    mail = _claim(pk)
    if mail is None:
        return Outcome.SKIPPED
    rendered = RenderedMail(mail.subject, mail.body_text, mail.body_html)
    message = make_message(to=mail.to, rendered=rendered, headers=mail.headers)
    try:
        with mailers.default as connection:
            connection.send_messages([message])
    except Exception as exc:  # classified below; anything unknown is retried
        failed = is_permanent(exc) or final_attempt
        OutgoingMail.objects.filter(pk=pk).update(
            status=OutgoingMail.Status.FAILED if failed else OutgoingMail.Status.QUEUED,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        logger.warning("mail %s to %s not sent (%s): %s", pk, mail.to, type(exc).__name__, exc)
        return Outcome.FAILED if failed else Outcome.RETRY
    OutgoingMail.objects.filter(pk=pk).update(
        status=OutgoingMail.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return Outcome.SENT


def outbox_requeue_stale() -> list[int]:
    """Queue again the mail whose sender died or whose task was lost; return their ids."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS)
    pending = OutgoingMail.objects.filter(
        Q(status=OutgoingMail.Status.QUEUED, created_at__lt=cutoff)
        | Q(status=OutgoingMail.Status.SENDING, claimed_at__lt=cutoff)
    )
    return list(pending.values_list("pk", flat=True))
