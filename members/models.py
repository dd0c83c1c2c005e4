from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.private_files import private_storage
from portal.search import html_to_text, index_tokens
from richtext.fields import RichTextField

from .credit_code import CreditCodeField, validate_credit_code


class City(models.TextChoices):
    """Zhejiang's eleven prefecture-level cities, and elsewhere."""

    HANGZHOU = "hangzhou", _("Hangzhou")
    NINGBO = "ningbo", _("Ningbo")
    WENZHOU = "wenzhou", _("Wenzhou")
    JIAXING = "jiaxing", _("Jiaxing")
    HUZHOU = "huzhou", _("Huzhou")
    SHAOXING = "shaoxing", _("Shaoxing")
    JINHUA = "jinhua", _("Jinhua")
    QUZHOU = "quzhou", _("Quzhou")
    ZHOUSHAN = "zhoushan", _("Zhoushan")
    TAIZHOU = "taizhou", _("Taizhou")
    LISHUI = "lishui", _("Lishui")
    OTHER = "other", _("Outside Zhejiang")


class IndustrySegment(models.Model):
    """A segment of the industry the association covers, edited by the secretariat."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    english_name = models.CharField(_("English name"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        verbose_name = _("industry segment")
        verbose_name_plural = _("industry segments")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class CompanyQuerySet(models.QuerySet):
    def listed(self):
        """Companies the public directory shows: active members marked as listed."""
        return self.filter(status=Company.Status.ACTIVE, listed=True)

    def matching_name(self, name: str):
        """Companies whose name, short name or an alias is ``name``."""
        return self.filter(Q(name=name) | Q(short_name=name) | Q(aliases__contains=[name]))


class Company(models.Model):
    """A member company (会员单位)."""

    class Status(models.TextChoices):
        APPLICANT = "applicant", _("Applicant")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # Which fields the public sees; the rest are for members and the secretariat.
    PUBLIC_FIELDS = (
        "name",
        "short_name",
        "english_name",
        "city",
        "industry",
        "address",
        "website",
        "phone",
        "public_email",
        "logo",
        "description",
        "founded_year",
        "joined_on",
    )
    MEMBERS_ONLY_FIELDS = ("credit_code",)

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    english_name = models.CharField(_("English name"), max_length=200, blank=True)
    aliases = ArrayField(
        models.CharField(max_length=200),
        verbose_name=_("other names"),
        blank=True,
        default=list,
        help_text=_(
            "Other spellings of the name found in articles, e.g. a former legal name "
            "or a group name; separate with commas."
        ),
    )
    credit_code = CreditCodeField(_("unified social credit code"))
    city = models.CharField(_("city"), max_length=20, choices=City.choices, blank=True)
    industry = models.ForeignKey(
        IndustrySegment,
        verbose_name=_("industry segment"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="companies",
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    website = models.URLField(_("website"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    public_email = models.EmailField(_("public email"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="logos/%Y/", blank=True)
    description = RichTextField(_("description"), blank=True)
    founded_year = models.PositiveSmallIntegerField(
        _("founded in"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1800), MaxValueValidator(2100)],
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    withdrawn_on = models.DateField(
        _("withdrawn on"),
        null=True,
        blank=True,
        help_text=_("Set to today when the status becomes withdrawn; cleared if it changes back."),
    )
    listed = models.BooleanField(
        _("listed in the directory"),
        default=True,
        help_text=_("Unlisted companies have no public page and are left out of the directory."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Segmented words of the names and the public description (portal.search).
    search_tokens = models.TextField(editable=False, blank=True, default="")
    search_vector = models.GeneratedField(
        expression=SearchVector("search_tokens", config="simple"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = CompanyQuerySet.as_manager()

    class Meta:
        verbose_name = _("member company")
        verbose_name_plural = _("member companies")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["status", "listed", "city"]),
            # The listed companies' ids alone: what joins and counts of public rows need
            # (the table's rows are wide, with descriptions and search words).
            models.Index(
                fields=["id"],
                condition=Q(status="active", listed=True),
                name="members_company_listed",
            ),
            GinIndex(fields=["search_vector"], name="members_company_search"),
            # icontains compiles to UPPER(col) LIKE '%…%': index that expression.
            GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="members_company_name_trgm"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.search_tokens = self.build_search_tokens()
        # The year of a withdrawal counts on the dashboard (portal.dashboard).
        if self.status != self.Status.WITHDRAWN:
            self.withdrawn_on = None
        elif self.withdrawn_on is None:
            self.withdrawn_on = timezone.localdate()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_tokens"}
            if "status" in update_fields:
                kwargs["update_fields"].add("withdrawn_on")
        super().save(*args, **kwargs)

    def build_search_tokens(self) -> str:
        """The words the directory's search finds this company by."""
        return index_tokens(
            self.name,
            self.short_name,
            self.english_name,
            " ".join(self.aliases or []),
            html_to_text(self.description),
        )

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class TermQuerySet(models.QuerySet):
    def current(self):
        return self.filter(is_current=True)


class Term(models.Model):
    """A council term (届), e.g. 第七届理事会."""

    ordinal = models.PositiveSmallIntegerField(_("ordinal"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    is_current = models.BooleanField(_("current term"), default=False)

    objects = TermQuerySet.as_manager()

    class Meta:
        verbose_name = _("council term")
        verbose_name_plural = _("council terms")
        ordering = ["-ordinal"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=Q(is_current=True),
                name="members_term_one_current",
                violation_error_message=_("Only one term can be the current term."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="members_term_ends_after_start",
                violation_error_message=_("A term cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SeatRole(models.IntegerChoices):
    """A company's role in a council term; lower values rank first."""

    PRESIDENT = 10, _("President unit")
    VICE_PRESIDENT = 20, _("Vice-president unit")
    SUPERVISOR = 30, _("Supervisor unit")
    COUNCIL = 40, _("Council unit")
    MEMBER = 50, _("Member unit")


class CouncilSeat(models.Model):
    """A company's role in one term; one seat per company per term, history kept."""

    term = models.ForeignKey(
        Term, verbose_name=_("term"), on_delete=models.CASCADE, related_name="seats"
    )
    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="seats"
    )
    role = models.PositiveSmallIntegerField(
        _("role"), choices=SeatRole.choices, default=SeatRole.MEMBER
    )

    class Meta:
        verbose_name = _("council seat")
        verbose_name_plural = _("council seats")
        ordering = ["term", "role", "company__name"]
        indexes = [
            # A term's seats by role, read from the index alone (leadership, role counts).
            models.Index(fields=["term", "role", "company"], name="members_seat_term_role"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "company"],
                name="members_seat_one_per_company_per_term",
                violation_error_message=_("This company already has a seat in this term."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.term} · {self.get_role_display()} · {self.company}"


class Office(models.IntegerChoices):
    """A person's office in a council term; lower values rank first."""

    PRESIDENT = 10, _("President")
    VICE_PRESIDENT = 20, _("Vice-president")
    SECRETARY_GENERAL = 30, _("Secretary-general")
    DEPUTY_SECRETARY_GENERAL = 40, _("Deputy secretary-general")
    CHIEF_SUPERVISOR = 50, _("Chief supervisor")
    SUPERVISOR = 60, _("Supervisor")
    HONORARY_PRESIDENT = 70, _("Honorary president")
    ADVISER = 80, _("Adviser")


class Officer(models.Model):
    """A person's office in a term, e.g. 金建祥, 理事长, 中控集团."""

    term = models.ForeignKey(
        Term, verbose_name=_("term"), on_delete=models.CASCADE, related_name="officers"
    )
    name = models.CharField(_("full name"), max_length=50)
    office = models.PositiveSmallIntegerField(_("office"), choices=Office.choices)
    company = models.ForeignKey(
        Company,
        verbose_name=_("company"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="officers",
    )
    affiliation = models.CharField(
        _("affiliation as shown"),
        max_length=100,
        blank=True,
        help_text=_("How the affiliation is written, e.g. 中控集团董事长."),
    )
    order = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        verbose_name = _("officer")
        verbose_name_plural = _("officers")
        ordering = ["term", "office", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "name", "office"], name="members_officer_unique_office"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_office_display()}）"


class Contact(models.Model):
    """A member company's liaison contact (工作联系人), who signs in as a user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="contact",
    )
    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="contacts"
    )
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["company__name", "-is_primary", "user__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["company"],
                condition=Q(is_primary=True),
                name="members_contact_one_primary_per_company",
                violation_error_message=_("This company already has a primary contact."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.company}）"

    @property
    def name(self) -> str:
        return self.user.name or self.user.email

    @property
    def email(self) -> str:
        return self.user.email


class Application(models.Model):
    """A membership application (入会申请) submitted from the public site."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        UNDER_REVIEW = "under_review", _("Under review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    company_name = models.CharField(_("company name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, validators=[validate_credit_code]
    )
    city = models.CharField(_("city"), max_length=20, choices=City.choices)
    industry = models.ForeignKey(
        IndustrySegment,
        verbose_name=_("industry segment"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    website = models.URLField(_("website"), blank=True)
    introduction = models.TextField(_("introduction"), blank=True)
    contact_name = models.CharField(_("contact name"), max_length=50)
    contact_title = models.CharField(_("contact's job title"), max_length=100, blank=True)
    contact_email = models.EmailField(_("contact email"))
    contact_phone = models.CharField(_("contact phone"), max_length=40)
    # Private: outside MEDIA_ROOT, opened only through the admin's licence view.
    business_licence = models.FileField(
        _("business licence"),
        upload_to="applications/%Y/%m/",
        storage=private_storage,
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    company = models.ForeignKey(
        Company,
        verbose_name=_("company created"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
    )

    class Meta:
        verbose_name = _("membership application")
        verbose_name_plural = _("membership applications")
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="members_application_rejection_has_reason",
                violation_error_message=_("Give a reason when rejecting an application."),
            ),
        ]

    def __str__(self) -> str:
        return self.company_name


class ProfileChange(models.Model):
    """A contact's edit of public company fields, waiting for the secretariat.

    ``changes`` maps each edited field to ``{"old": ..., "new": ...}`` as the
    contact saw and wrote it; ``company_updated_at`` is the company's
    ``updated_at`` when the edit was made, so a review can spot a conflict.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        # Taken back by the company's contact before the secretariat decided.
        WITHDRAWN = "withdrawn", _("Withdrawn by the contact")

    company = models.ForeignKey(
        Company,
        verbose_name=_("company"),
        on_delete=models.CASCADE,
        related_name="profile_changes",
    )
    submitted_by = models.ForeignKey(
        Contact,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="profile_changes",
    )
    changes = models.JSONField(_("changes"), default=dict)
    new_logo = models.ImageField(_("new logo"), upload_to="logos/pending/%Y/", blank=True)
    company_updated_at = models.DateTimeField(_("company last updated"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("profile change")
        verbose_name_plural = _("profile changes")
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.company} · {self.submitted_at:%Y-%m-%d}"
