from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.search import html_to_text, index_tokens
from richtext.fields import RichTextField


class Section(models.Model):
    """A section (栏目) of the bulletin and the news, e.g. 协会动态."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    english_name = models.CharField(_("English name"), max_length=100, blank=True)
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    order = models.PositiveSmallIntegerField(_("display order"), default=0)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Issue(models.Model):
    """One issue (会刊期) of the bulletin: year and number within the year."""

    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    cover = models.ImageField(_("cover"), upload_to="issues/covers/", blank=True)
    pdf = models.FileField(_("PDF"), upload_to="issues/pdf/", blank=True)

    class Meta:
        verbose_name = _("bulletin issue")
        verbose_name_plural = _("bulletin issues")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="bulletin_issue_unique"),
        ]

    def __str__(self) -> str:
        return self.label(self.year, self.number)

    @staticmethod
    def label(year: int, number: int) -> str:
        """How an issue is named: 2022年第11期, "2022, No. 11" on English pages."""
        return gettext("%(year)s, No. %(number)s") % {"year": year, "number": number}


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Articles the public may read: published and not scheduled for later."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())


class Article(models.Model):
    """A news article, in a section and optionally in a bulletin issue."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=200)
    subtitle = models.CharField(_("subtitle"), max_length=200, blank=True)
    section = models.ForeignKey(
        Section, verbose_name=_("section"), on_delete=models.PROTECT, related_name="articles"
    )
    issue = models.ForeignKey(
        Issue,
        verbose_name=_("bulletin issue"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
    )
    position = models.PositiveSmallIntegerField(_("position in the issue"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    body = RichTextField(_("body"), blank=True)
    source = models.CharField(_("source"), max_length=100, blank=True)
    companies = models.ManyToManyField(
        "members.Company",
        verbose_name=_("member companies"),
        blank=True,
        related_name="articles",
    )
    cover = models.ImageField(_("cover image"), upload_to="articles/%Y/", blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(
        _("publish time"),
        null=True,
        blank=True,
        help_text=_(
            "Left empty, it is set when the article is published; a time in the future "
            "schedules the article."
        ),
    )
    featured = models.BooleanField(_("featured"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Segmented words of title, subtitle, summary, body and source (see
    # portal.search), and their tsvector, which the GIN index serves.
    search_tokens = models.TextField(editable=False, blank=True, default="")
    search_vector = models.GeneratedField(
        expression=SearchVector("search_tokens", config="simple"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        # Newest first; articles of one issue share a publish time and keep print order.
        ordering = [
            models.F("published_at").desc(nulls_last=True),
            models.F("position").asc(nulls_last=True),
            "-id",
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"]),
            # Whether an article is public, and its place in the newest-first order,
            # without visiting its row: the news of one company checks hundreds of them.
            models.Index(
                fields=["id"],
                include=["status", "published_at", "position"],
                name="bulletin_article_public",
            ),
            GinIndex(fields=["search_vector"], name="bulletin_article_search"),
            # icontains compiles to UPPER(col) LIKE '%…%': index that expression.
            GinIndex(
                OpClass(Upper("title"), name="gin_trgm_ops"), name="bulletin_article_title_trgm"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "title"],
                condition=Q(issue__isnull=False),
                name="bulletin_article_title_unique_in_issue",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        self.search_tokens = self.build_search_tokens()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_tokens"}
        super().save(*args, **kwargs)

    def build_search_tokens(self) -> str:
        """The words search finds this article by (also for bulk_create)."""
        return index_tokens(
            self.title, self.subtitle, self.summary, html_to_text(self.body), self.source
        )

    @property
    def is_published(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )
