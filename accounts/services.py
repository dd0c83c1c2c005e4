"""Writes of the accounts app: password resets, asked for in a request and mailed by a worker."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from outbox.dispatch import dispatch_on_commit
from outbox.services import mail_queue

from .models import PasswordResetRequest, User
from .tokens import password_reset_url


class ResetRateLimited(Exception):
    """Too many resets asked for this address, or from this client, in the last hour."""


def password_reset_request(*, email: str, client_ip: str | None) -> PasswordResetRequest:
    """Record a reset asked for ``email`` and hand it to a worker after commit.

    The same statements run whether or not ``email`` has an account: the
    worker looks it up. Raises ResetRateLimited past PASSWORD_RESET_PER_EMAIL
    requests for the address, or PASSWORD_RESET_PER_CLIENT from the client,
    within an hour (unknown addresses count alike, so the limit tells nothing).
    """
    from .tasks import process_password_reset

    email = email.strip().lower()
    hour_ago = timezone.now() - timedelta(hours=1)
    recent = PasswordResetRequest.objects.filter(requested_at__gte=hour_ago)
    if recent.filter(email=email).count() >= settings.PASSWORD_RESET_PER_EMAIL:
        raise ResetRateLimited
    if (
        client_ip
        and recent.filter(client_ip=client_ip).count() >= settings.PASSWORD_RESET_PER_CLIENT
    ):
        raise ResetRateLimited
    reset = PasswordResetRequest.objects.create(email=email, client_ip=client_ip or None)
    dispatch_on_commit(process_password_reset, reset.pk)
    return reset


def password_reset_process(*, request_id: int) -> int:
    """Mail a reset link to each active account of the request's address; safe to run twice.

    The row is claimed with a conditional UPDATE, so a repeated task mails
    nothing more. People invited by email who never set a password can ask
    too: an invitation may have expired. A request older than
    PASSWORD_RESET_TIMEOUT is dropped (its asker has given up). Returns the
    number of mails queued.
    """
    now = timezone.now()
    with transaction.atomic():
        claimed = PasswordResetRequest.objects.filter(
            pk=request_id, processed_at__isnull=True
        ).update(processed_at=now)
        if not claimed:
            return 0
        reset = PasswordResetRequest.objects.get(pk=request_id)
        if reset.requested_at < now - timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT):
            return 0
        queued = 0
        for user in User.objects.filter(email__iexact=reset.email, is_active=True):
            queued += (
                mail_queue(
                    template="password-reset",
                    to=user.email,
                    context={"user": user, "reset_url": password_reset_url(user)},
                    key=f"password-reset:{reset.pk}:{user.pk}",
                )
                is not None
            )
    return queued


def password_resets_pending(*, older_than: int = 60) -> list[int]:
    """Requests still unprocessed ``older_than`` seconds on: their task was lost (broker down)."""
    return list(
        PasswordResetRequest.objects.filter(
            processed_at__isnull=True,
            requested_at__lt=timezone.now() - timedelta(seconds=older_than),
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
