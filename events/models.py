from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from richtext.fields import RichTextField


class EventQuerySet(models.QuerySet):
    def visible(self):
        """Events the public may see: published, postponed or cancelled (not drafts)."""
        return self.exclude(status=Event.Status.DRAFT)

    def upcoming(self):
        return self.visible().filter(ends_at__gte=timezone.now()).order_by("starts_at")

    def past(self):
        return self.visible().filter(ends_at__lt=timezone.now()).order_by("-starts_at")


class Event(models.Model):
    """An event the association organises or takes part in."""

    class Kind(models.TextChoices):
        LIAISON_DAY = "liaison_day", _("Liaison exchange day")
        SUMMIT = "summit", _("Summit")
        CONFERENCE = "conference", _("Conference")
        FORUM = "forum", _("Forum")
        TRAINING = "training", _("Training")
        VISIT = "visit", _("Company visit")
        EXHIBITION = "exhibition", _("Exhibition")
        MEETING = "meeting", _("Meeting")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        POSTPONED = "postponed", _("Postponed")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    summary = models.TextField(_("summary"), blank=True)
    description = RichTextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    all_day = models.BooleanField(
        _("all day"),
        default=False,
        help_text=_("Show dates only: the event has no announced clock times."),
    )
    original_starts_at = models.DateTimeField(
        _("originally scheduled for"),
        null=True,
        blank=True,
        help_text=_("Set when the event was moved to a new date."),
    )
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=50, blank=True)
    organiser = models.CharField(
        _("organiser"),
        max_length=200,
        blank=True,
        help_text=_("Who organises the event, e.g. the association or another body."),
    )
    co_organisers = models.ManyToManyField(
        "members.Company",
        verbose_name=_("co-organising member companies"),
        blank=True,
        related_name="co_organised_events",
    )
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Leave empty for no limit.")
    )
    per_company_limit = models.PositiveIntegerField(
        _("places per company"), null=True, blank=True, help_text=_("Leave empty for no limit.")
    )
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    members_only = models.BooleanField(_("members only"), default=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    report = models.ForeignKey(
        "bulletin.Article",
        verbose_name=_("report article"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reported_events",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["status", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=F("starts_at")),
                name="events_event_ends_after_start",
                violation_error_message=_("An event cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(registration_opens_at__isnull=True)
                | Q(registration_closes_at__isnull=True)
                | Q(registration_closes_at__gte=F("registration_opens_at")),
                name="events_registration_window_ordered",
                violation_error_message=_("Registration cannot close before it opens."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AgendaItem(models.Model):
    """One line of an event's agenda."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="agenda_items"
    )
    starts_at = models.TimeField(_("starts at"), null=True, blank=True)
    ends_at = models.TimeField(_("ends at"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    speaker = models.CharField(_("speaker"), max_length=200, blank=True)
    host = models.CharField(_("host"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["event", "order", "starts_at"]

    def __str__(self) -> str:
        return self.title


class Registration(models.Model):
    """An attendee registered for an event by a contact of their company."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("Waitlisted")
        CANCELLED = "cancelled", _("Cancelled")
        ATTENDED = "attended", _("Attended")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="registrations"
    )
    company = models.ForeignKey(
        "members.Company",
        verbose_name=_("company"),
        on_delete=models.CASCADE,
        related_name="registrations",
    )
    registered_by = models.ForeignKey(
        "members.Contact",
        verbose_name=_("registered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registrations",
    )
    attendee_name = models.CharField(_("attendee"), max_length=50)
    attendee_title = models.CharField(_("job title"), max_length=100, blank=True)
    attendee_phone = models.CharField(_("mobile"), max_length=40, blank=True)
    attendee_email = models.EmailField(_("email"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.CONFIRMED
    )
    # Answers to the event's own questions (EventQuestion), by question id.
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    walk_in = models.BooleanField(_("walk-in"), default=False)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked in by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["event", "created_at", "id"]
        indexes = [models.Index(fields=["event", "status", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                Lower("attendee_email"),
                "event",
                condition=~Q(status="cancelled") & ~Q(attendee_email=""),
                name="events_registration_one_per_attendee",
                violation_error_message=_("This person is already registered for the event."),
            ),
            models.UniqueConstraint(
                "attendee_phone",
                "event",
                condition=~Q(status="cancelled") & ~Q(attendee_phone=""),
                name="events_registration_one_per_mobile",
                violation_error_message=_(
                    "This mobile number is already registered for the event."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(attendee_email="") | ~Q(attendee_phone=""),
                name="events_registration_reachable",
                violation_error_message=_("Give the attendee's mobile number or email."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attendee_name} · {self.event}"


class EventQuestion(models.Model):
    """A question of the secretariat's on the registration form (发票抬头, 用餐, 住宿, 备注)."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Short text")
        LONG_TEXT = "long_text", _("Longer text")
        CHOICE = "choice", _("One of the choices")
        YES_NO = "yes_no", _("Yes or no")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="questions"
    )
    label = models.CharField(_("question"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.TEXT)
    choices = models.CharField(
        _("choices"),
        max_length=300,
        blank=True,
        help_text=_("For one of the choices: separated by 、 or commas, e.g. 午餐、晚餐、不用餐."),
    )
    required = models.BooleanField(_("required"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("registration question")
        verbose_name_plural = _("registration questions")
        ordering = ["event", "order", "id"]

    def __str__(self) -> str:
        return self.label

    def choice_list(self) -> list[str]:
        import re

        return [c.strip() for c in re.split(r"[、,，;；\n]", self.choices) if c.strip()]
