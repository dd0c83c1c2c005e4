from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Award(models.Model):
    """An award or honour title (奖项/荣誉) given by some body."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("National")
        PROVINCIAL = "provincial", _("Provincial")
        MUNICIPAL = "municipal", _("Municipal")
        INDUSTRY = "industry", _("Industry")
        ASSOCIATION = "association", _("Association")
        INTERNATIONAL = "international", _("International")

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise")
        PRODUCT = "product", _("Product")
        PERSON = "person", _("Person")
        PROJECT = "project", _("Project")
        INTELLECTUAL_PROPERTY = "ip", _("Intellectual property")

    name = models.CharField(_("name"), max_length=200)
    issuer = models.CharField(_("issuing body"), max_length=200)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "issuer"], name="awards_award_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class HonourQuerySet(models.QuerySet):
    def public(self):
        """Honours shown to the public: verified, for listed companies."""
        return self.filter(verified=True, company__status="active", company__listed=True)


class Honour(models.Model):
    """One company's (or person's) honour: an award in a given year."""

    award = models.ForeignKey(
        Award, verbose_name=_("award"), on_delete=models.PROTECT, related_name="honours"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    company = models.ForeignKey(
        "members.Company",
        verbose_name=_("company"),
        on_delete=models.CASCADE,
        related_name="honours",
    )
    person = models.CharField(
        _("person"), max_length=50, blank=True, help_text=_("For personal awards.")
    )
    project = models.CharField(_("project or product"), max_length=200, blank=True)
    grade = models.CharField(_("grade"), max_length=50, blank=True, help_text=_("e.g. 一等奖"))
    document_number = models.CharField(
        _("document number"),
        max_length=100,
        blank=True,
        help_text=_("e.g. 国知发运函字〔2022〕160号"),
    )
    awarded_on = models.DateField(_("date"), null=True, blank=True)
    source_article = models.ForeignKey(
        "bulletin.Article",
        verbose_name=_("source article"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="honours",
    )
    verified = models.BooleanField(_("verified"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = HonourQuerySet.as_manager()

    class Meta:
        verbose_name = _("honour")
        verbose_name_plural = _("honours")
        ordering = ["-year", "award__name", "company__name"]
        indexes = [
            models.Index(fields=["year"]),
            # Public honours are verified ones: counted by company, listed newest first.
            models.Index(
                fields=["company"], condition=Q(verified=True), name="awards_honour_verified"
            ),
            models.Index(
                fields=["-year", "-awarded_on", "-id"],
                condition=Q(verified=True),
                name="awards_honour_recent",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["award", "year", "company", "person", "project"],
                name="awards_honour_unique",
                violation_error_message=_("This honour is already recorded."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.award} · {self.company}"
