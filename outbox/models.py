from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutgoingMailQuerySet(models.QuerySet):
    def stale(self, *, before):
        """Rows a sender claimed before ``before`` without finishing: it died."""
        return self.filter(status=OutgoingMail.Status.SENDING, claimed_at__lt=before)


class OutgoingMail(models.Model):
    """One transactional email, rendered when queued and sent by a worker.

    A row is the unit of work: a worker claims it with a conditional UPDATE,
    sends it, and marks it sent, so a retried or repeated task never sends it
    twice. ``key`` names what the mail is about (e.g. ``registration-confirmed:42``);
    with a key, the same mail is queued once however often it is asked for.
    A row waiting out a retry (``next_attempt_at`` ahead) is neither sent
    early nor taken for lost.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    key = models.CharField(_("key"), max_length=200, null=True, blank=True, unique=True)
    template = models.CharField(_("template"), max_length=100)
    to = models.EmailField(_("to"))
    cc = models.JSONField(_("copy to"), default=list, blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    # When the next try is due: now when queued, later when waiting out a retry.
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    # The broker could not take its task (it was down): the requeue hands it out again.
    needs_dispatch = models.BooleanField(_("waiting for the broker"), default=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    objects = OutgoingMailQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing mail")
        verbose_name_plural = _("outgoing mail")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["status", "claimed_at"],
                condition=Q(status__in=["queued", "sending"]),
                name="outbox_mail_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"
