"""Notices (通知公告) with their audience, mailings and reply slips (回执), and documents.

A notice is public, or for the member contacts of its audience only (all
contacts; the companies with given council roles in the current term; of given
cities and industries; chosen companies; the contacts registered for an
event). Sending it makes a mailing: one delivery row per contact (unique),
sent by ``outbox.batches``; each reminder to those who have not replied is a
mailing of its own.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.private_files import private_storage
from members.models import City, SeatRole
from richtext.fields import RichTextField


class Audience(models.TextChoices):
    PUBLIC = "public", _("Public (mailed to all member contacts)")
    MEMBERS = "members", _("All member contacts")
    ROLES = "roles", _("Council roles in the current term")
    PLACES = "places", _("Cities and industries")
    COMPANIES = "companies", _("Chosen companies")
    EVENT = "event", _("Those registered for an event")


COUNCIL_ROLES = [SeatRole.PRESIDENT, SeatRole.VICE_PRESIDENT, SeatRole.COUNCIL]


class NoticeQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Notice.Status.PUBLISHED, published_at__lte=timezone.now())

    def public(self):
        return self.published().filter(audience=Audience.PUBLIC)


class Notice(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    Audience = Audience

    title = models.CharField(_("title"), max_length=200)
    document_number = models.CharField(
        _("document number"),
        max_length=60,
        blank=True,
        help_text=_("As on the paper notice, e.g. 浙仪协〔2027〕3号."),
    )
    issued_on = models.DateField(_("issued on"), default=timezone.localdate)
    body = RichTextField(_("body"), blank=True)
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.PUBLIC
    )
    roles = ArrayField(
        models.PositiveSmallIntegerField(choices=SeatRole.choices),
        verbose_name=_("council roles"),
        default=list,
        blank=True,
        help_text=_("For the audience by council roles: the roles in the current term."),
    )
    cities = ArrayField(
        models.CharField(max_length=20, choices=City.choices),
        verbose_name=_("cities"),
        default=list,
        blank=True,
    )
    industries = models.ManyToManyField(
        "members.IndustrySegment",
        verbose_name=_("industries"),
        blank=True,
        related_name="+",
        help_text=_("With cities too, a company must be in one of each."),
    )
    companies = models.ManyToManyField(
        "members.Company", verbose_name=_("companies"), blank=True, related_name="+"
    )
    event = models.ForeignKey(
        "events.Event",
        verbose_name=_("event"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    is_pinned = models.BooleanField(_("pinned"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), default=timezone.now)

    asks_reply = models.BooleanField(_("asks for a reply slip (回执)"), default=False)
    reply_deadline = models.DateTimeField(_("reply by"), null=True, blank=True)
    ask_attending = models.BooleanField(_("ask: will you attend?"), default=True)
    ask_people = models.BooleanField(_("ask: how many people?"), default=False)
    ask_names = models.BooleanField(_("ask: names of those coming"), default=False)
    ask_text = models.CharField(
        _("free-text question"),
        max_length=200,
        blank=True,
        help_text=_("e.g. 住宿需求、发言议题; leave empty for none."),
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        permissions = [("send_notice", _("Can send notices and reminders"))]
        ordering = ["-is_pinned", "-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "audience", "published_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(asks_reply=False) | Q(reply_deadline__isnull=False),
                name="notices_reply_has_deadline",
                violation_error_message=_("Give the deadline for the reply slip."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("notices:detail", args=[self.pk])

    @property
    def is_public(self) -> bool:
        return self.audience == Audience.PUBLIC

    @property
    def is_live(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()

    def replies_open(self, now=None) -> bool:
        return self.asks_reply and (now or timezone.now()) <= self.reply_deadline

    def clean(self):
        errors = {}
        if self.audience == Audience.ROLES and not self.roles:
            errors["roles"] = _("Choose the council roles the notice is for.")
        if self.audience == Audience.EVENT and self.event_id is None:
            errors["event"] = _("Choose the event whose registrants the notice is for.")
        if self.asks_reply:
            if self.reply_deadline is None:
                errors["reply_deadline"] = _("Give the deadline for the reply slip.")
            if not (self.ask_attending or self.ask_people or self.ask_names or self.ask_text):
                errors["ask_attending"] = _("Ask at least one question on the reply slip.")
        if errors:
            raise ValidationError(errors)


def _keep_name_and_size(instance, name_field: str) -> None:
    """A new file's size, and its name as uploaded when none is given (before storage renames)."""
    file = instance.file
    if file and not getattr(file, "_committed", True):
        instance.size = file.size or 0
        if not getattr(instance, name_field):
            setattr(instance, name_field, file.name.rsplit("/", 1)[-1][:200])


def _attachment_path(instance, filename: str) -> str:
    return f"notices/{timezone.now():%Y}/{filename}"


class NoticeAttachment(models.Model):
    """A file of a notice, in the private storage: served only by a view that checks access."""

    notice = models.ForeignKey(
        Notice, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), storage=private_storage, upload_to=_attachment_path)
    name = models.CharField(
        _("file name"), max_length=200, blank=True, help_text=_("As shown and downloaded.")
    )
    size = models.PositiveIntegerField(_("size"), default=0, editable=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["notice", "position", "id"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        _keep_name_and_size(self, "name")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("notices:attachment", args=[self.notice_id, self.pk])


class NoticeMailing(models.Model):
    """One sending of a notice: number 0 is the notice itself, 1, 2 … the reminders."""

    notice = models.ForeignKey(
        Notice, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="mailings"
    )
    number = models.PositiveSmallIntegerField(_("number"), default=0)
    send_at = models.DateTimeField(_("send at"), default=timezone.now)
    # When the delivery rows were made (the audience as it was then).
    filled_at = models.DateTimeField(_("recipients listed at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("notice mailing")
        verbose_name_plural = _("notice mailings")
        ordering = ["notice", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "number"], name="notices_mailing_one_per_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notice} · {self.number}"

    @property
    def is_reminder(self) -> bool:
        return self.number > 0


class NoticeDelivery(models.Model):
    """One contact's mail of one mailing: claimed, sent and marked one row at a time."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped")
        FAILED = "failed", _("Failed")

    mailing = models.ForeignKey(
        NoticeMailing,
        verbose_name=_("mailing"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    contact = models.ForeignKey(
        "members.Contact",
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        related_name="notice_deliveries",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    claimed_by = models.UUIDField(_("claimed by"), null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("notice delivery")
        verbose_name_plural = _("notice deliveries")
        ordering = ["mailing", "id"]
        indexes = [
            models.Index(fields=["mailing", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["mailing", "contact"], name="notices_delivery_one_per_contact"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mailing} → {self.contact}"


class NoticeRead(models.Model):
    """A contact opened the notice (its page, signed in or through the mail's link)."""

    notice = models.ForeignKey(
        Notice, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="reads"
    )
    contact = models.ForeignKey(
        "members.Contact", verbose_name=_("contact"), on_delete=models.CASCADE, related_name="+"
    )
    read_at = models.DateTimeField(_("read at"), default=timezone.now)

    class Meta:
        verbose_name = _("notice read")
        verbose_name_plural = _("notice reads")
        constraints = [
            models.UniqueConstraint(fields=["notice", "contact"], name="notices_read_once"),
        ]

    def __str__(self) -> str:
        return f"{self.notice} · {self.contact}"


class NoticeReply(models.Model):
    """A contact's answer to a notice's reply slip; changed freely until the deadline."""

    notice = models.ForeignKey(
        Notice, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="replies"
    )
    contact = models.ForeignKey(
        "members.Contact",
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        related_name="notice_replies",
    )
    attending = models.BooleanField(_("attending"), null=True, blank=True)
    people = models.PositiveSmallIntegerField(_("number of people"), null=True, blank=True)
    names = models.CharField(_("names"), max_length=300, blank=True)
    text = models.TextField(_("answer"), max_length=2000, blank=True)
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ["notice", "answered_at"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "contact"], name="notices_reply_once"),
        ]

    def __str__(self) -> str:
        return f"{self.notice} · {self.contact}"


class DocumentQuerySet(models.QuerySet):
    def visible_to(self, user):
        from .selectors import is_member_reader

        return self if is_member_reader(user) else self.filter(is_public=True)


def _document_path(instance, filename: str) -> str:
    return f"documents/{filename}"


class Document(models.Model):
    """A standing document (章程, 入会申请表, 会费标准, forms): public or for members only."""

    class Kind(models.TextChoices):
        CHARTER = "charter", _("Charter and rules")
        FORM = "form", _("Forms")
        FEES = "fees", _("Fees")
        OTHER = "other", _("Other")

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    description = models.CharField(_("description"), max_length=300, blank=True)
    file = models.FileField(_("file"), storage=private_storage, upload_to=_document_path)
    filename = models.CharField(
        _("file name"), max_length=200, blank=True, help_text=_("As downloaded.")
    )
    size = models.PositiveIntegerField(_("size"), default=0, editable=False)
    is_public = models.BooleanField(
        _("public"), default=True, help_text=_("Untick for member contacts only.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["kind", "position", "title"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        _keep_name_and_size(self, "filename")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("notices:document", args=[self.pk])
