from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

# After this many permanent refusals (5xx) an address gets no more digests.
HARD_BOUNCE_LIMIT = 3


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    OFF = "off", _("Off")


class SubscriberQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Subscriber.Status.ACTIVE)

    def receiving(self, frequency: str):
        """Subscribers who get the digest of ``frequency`` (weekly or monthly)."""
        return self.active().filter(frequency=frequency)


class Subscriber(models.Model):
    """One email address that gets (or asked for, or stopped) the digest.

    ``last_digest_at`` is where the window of the next digest starts: set when
    the address is confirmed and moved on each time a digest is sent (or had
    nothing new).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting confirmation")
        ACTIVE = "active", _("Active")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        SUPPRESSED = "suppressed", _("Suppressed (bounced)")

    Frequency = Frequency

    email = models.EmailField(_("email address"))
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY
    )
    sections = models.ManyToManyField(
        "bulletin.Section",
        verbose_name=_("sections"),
        blank=True,
        related_name="digest_subscribers",
        help_text=_("Leave empty for all sections."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    contact = models.OneToOneField(
        "members.Contact",
        verbose_name=_("contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="digest_subscriber",
    )
    hard_bounces = models.PositiveSmallIntegerField(_("hard bounces"), default=0)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)
    last_digest_at = models.DateTimeField(
        _("last digest up to"),
        null=True,
        blank=True,
        help_text=_("The next digest shows what was published after this time."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        ordering = ["email"]
        indexes = [models.Index(fields=["frequency", "status"])]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="digests_subscriber_email_ci_unique",
                violation_error_message=_("This address is already a subscriber."),
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)


class DigestRun(models.Model):
    """One digest of one frequency on one day; its deliveries are the work to do.

    Unique per frequency and day, so a beat that fires twice makes one run.
    Its ``created_at`` is the cutoff: the digests show what was published
    before it.
    """

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")

    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    scheduled_for = models.DateField(_("scheduled for"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("digest run")
        verbose_name_plural = _("digest runs")
        ordering = ["-scheduled_for", "frequency"]
        constraints = [
            models.UniqueConstraint(
                fields=["frequency", "scheduled_for"], name="digests_run_one_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_frequency_display()} · {self.scheduled_for:%Y-%m-%d}"


class DigestDelivery(models.Model):
    """One subscriber's digest in one run: claimed, sent and marked one row at a time."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped")
        FAILED = "failed", _("Failed")

    run = models.ForeignKey(
        DigestRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="deliveries"
    )
    subscriber = models.ForeignKey(
        Subscriber,
        verbose_name=_("subscriber"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    window_start = models.DateTimeField(_("from"))
    window_end = models.DateTimeField(_("until"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    # The sender holding the row: it renews claimed_at as it goes, and sends and
    # marks the row only while it still holds it.
    claimed_by = models.UUIDField(_("claimed by"), null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("digest delivery")
        verbose_name_plural = _("digest deliveries")
        ordering = ["run", "id"]
        indexes = [
            models.Index(fields=["run", "status"]),
            models.Index(
                fields=["run", "claimed_at"],
                condition=Q(status="sending"),
                name="digests_delivery_in_flight",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "subscriber"], name="digests_delivery_one_per_run"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run} → {self.subscriber}"
