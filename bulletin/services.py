"""Writes to the bulletin: publishing articles, importing an issue from its PDF's text."""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.db.models import QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.html import escape

from .models import Article, Issue, Section
from .parsing import ParsedArticle, parse_bulletin, parse_toc

# The five sections of the model customer's bulletin, in print order. Other
# associations rename them in the admin; the importer only creates the ones
# an issue uses and does not find.
KNOWN_SECTIONS = {
    "协会动态": ("association-news", "Association news"),
    "会员成果": ("member-achievements", "Member achievements"),
    "会员风采": ("member-spotlight", "Member spotlight"),
    "政策法规": ("policies", "Policies and regulations"),
    "行业资讯": ("industry-news", "Industry news"),
}
SUMMARY_LENGTH = 120


@dataclass
class ImportResult:
    issue: Issue
    created: int = 0
    updated: int = 0
    articles: list[Article] = field(default_factory=list)


@transaction.atomic
def articles_publish(*, articles: QuerySet[Article], user) -> list[Article]:
    """Publish the drafts among ``articles``; return the ones that changed.

    An article without a publish time gets the current time; one whose time
    lies in the future stays scheduled until then. Each change is logged in
    the admin history as ``user``'s.
    """
    now = timezone.now()
    return _articles_set_status(
        articles=articles,
        user=user,
        status=Article.Status.PUBLISHED,
        published_at=Coalesce("published_at", Value(now)),
        updated_at=now,
    )


@transaction.atomic
def articles_unpublish(*, articles: QuerySet[Article], user) -> list[Article]:
    """Move the published among ``articles`` back to draft; return the ones that changed."""
    return _articles_set_status(
        articles=articles, user=user, status=Article.Status.DRAFT, updated_at=timezone.now()
    )


def _articles_set_status(*, articles, user, status: str, **values) -> list[Article]:
    pks = list(articles.exclude(status=status).select_for_update().values_list("pk", flat=True))
    Article.objects.filter(pk__in=pks).update(status=status, **values)
    changed = list(Article.objects.filter(pk__in=pks))
    if changed:
        LogEntry.objects.log_actions(
            user_id=user.pk,
            queryset=changed,
            action_flag=CHANGE,
            change_message=[{"changed": {"fields": ["status"]}}],
        )
    return changed


def paragraphs_to_html(paragraphs: list[str]) -> str:
    """The article body as HTML: one escaped ``<p>`` per paragraph."""
    return "\n".join(f"<p>{escape(paragraph)}</p>" for paragraph in paragraphs)


def summarise(paragraphs: list[str], length: int = SUMMARY_LENGTH) -> str:
    """The first paragraph, cut to ``length`` characters with an ellipsis."""
    first = paragraphs[0] if paragraphs else ""
    return first if len(first) <= length else first[: length - 1] + "…"


def _section_for(name: str, position: int) -> Section:
    slug, english = KNOWN_SECTIONS.get(name, (f"section-{position}", ""))
    section, _ = Section.objects.get_or_create(
        name=name, defaults={"slug": slug, "english_name": english, "order": position}
    )
    return section


@transaction.atomic
def bulletin_import(
    *,
    text: str,
    year: int,
    number: int,
    toc: str | None = None,
    title: str = "",
    published_on: date | None = None,
) -> ImportResult:
    """Create or update one bulletin issue and its articles from the PDF's text.

    ``toc`` is the issue's table of contents (see ``parsing.parse_toc``), used
    where the text alone cannot tell a title from its body. Articles are
    matched on (issue, title), so importing the same issue again updates rows
    instead of adding them. Imported articles are published at 08:00 on
    ``published_on`` (else now), in the order they appear in the issue.
    """
    parsed = parse_bulletin(text, toc=parse_toc(toc) if toc else None)

    issue, _ = Issue.objects.update_or_create(
        year=year,
        number=number,
        defaults={"title": title or f"{year}年第{number}期", "published_on": published_on},
    )
    published_at = (
        timezone.make_aware(datetime.combine(published_on, time(8, 0)))
        if published_on
        else timezone.now()
    )

    section_names = list(dict.fromkeys(article.section for article in parsed))
    sections = {
        name: _section_for(name, index) for index, name in enumerate(section_names, start=1)
    }

    result = ImportResult(issue=issue)
    for item in parsed:
        article, created = _article_upsert(
            issue=issue, item=item, section=sections[item.section], published_at=published_at
        )
        result.articles.append(article)
        if created:
            result.created += 1
        else:
            result.updated += 1
    return result


def _article_upsert(
    *, issue: Issue, item: ParsedArticle, section: Section, published_at: datetime
) -> tuple[Article, bool]:
    return Article.objects.update_or_create(
        issue=issue,
        title=item.title,
        defaults={
            "subtitle": item.subtitle,
            "section": section,
            "position": item.position,
            "body": paragraphs_to_html(item.paragraphs),
            "summary": summarise(item.paragraphs),
            "source": item.source,
            "status": Article.Status.PUBLISHED,
            "published_at": published_at,
        },
    )
