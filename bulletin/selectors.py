"""Reads of the bulletin that are more than one QuerySet method."""

from collections.abc import Sequence

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchRank
from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone

from portal.search import query_terms, search_query

from .models import Article, Issue, Section

SEARCH_CANDIDATES = 1000

# The printed bulletin's order: sections in order, articles by position within them.
ISSUE_ORDER = ("section__order", "section_id", F("position").asc(nulls_last=True), "id")


def article_list_queryset() -> QuerySet[Article]:
    """Published articles, newest first, with what a list shows of their section and issue."""
    return (
        Article.objects.published()
        .select_related("section", "issue")
        .only(*ARTICLE_LIST_FIELDS)
        .order_by("-published_at", "-id")
    )


def section_choices() -> list[Section]:
    """Every section, in the bulletin's order (for filters and headings)."""
    return list(Section.objects.only("name", "english_name", "slug", "order"))


# Fields an article needs in a list (news, search results, feeds): never the
# body or the search words, which are large.
ARTICLE_LIST_FIELDS = (
    "id",
    "title",
    "subtitle",
    "summary",
    "source",
    "published_at",
    "section__name",
    "section__english_name",
    "section__slug",
    "issue__year",
    "issue__number",
    "issue__title",
)


def issue_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Issues with published articles (not one in preparation), newest first, by year.

    For the news filter's drop-down: ids and names only, no model instances.
    """
    published = Article.objects.published().filter(issue=OuterRef("pk"))
    issues = Issue.objects.filter(Exists(published)).values_list("pk", "year", "number")
    years: dict[int, list[tuple[str, str]]] = {}
    for pk, year, number in issues.order_by("-year", "-number"):
        years.setdefault(year, []).append((str(pk), Issue.label(year, number)))
    return [(str(year), choices) for year, choices in years.items()]


def published_years() -> list[int]:
    """Years (in the portal's time zone) from the first published article's to the last's."""
    span = Article.objects.published().aggregate(
        first=Min("published_at"), last=Max("published_at")
    )
    if span["first"] is None:
        return []
    first = timezone.localtime(span["first"]).year
    return list(range(timezone.localtime(span["last"]).year, first - 1, -1))


class SearchResults(Sequence):
    """A search's matches, best first: their ids listed once, the articles fetched a page at
    a time (what a Paginator needs: the count without a query, and one query per page)."""

    def __init__(self, queryset: QuerySet[Article], ids: list[int]):
        self.queryset = queryset
        self.ids = ids

    def count(self) -> int:
        return len(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1 or None][0]
        ids = self.ids[index]
        articles = self.queryset.in_bulk(ids) if ids else {}
        return [articles[pk] for pk in ids if pk in articles]


def _newest_of(*querysets: QuerySet[Article]) -> RawSQL:
    """The ids of the newest SEARCH_CANDIDATES articles in any of ``querysets``, as SQL.

    Each queryset is limited on its own (so each can use its own index), then their union.
    """
    parts, params = [], []
    for queryset in querysets:
        newest = queryset.order_by("-published_at", "-id").values("pk", "published_at")
        sql, part_params = newest[:SEARCH_CANDIDATES].query.sql_with_params()
        parts.append(f"({sql})")
        params.extend(part_params)
    union = " UNION ".join(parts)
    return RawSQL(
        f"SELECT pk FROM ({union}) AS candidates"
        f" ORDER BY published_at DESC, pk DESC LIMIT {int(SEARCH_CANDIDATES)}",
        params,
    )


def article_search(queryset: QuerySet[Article], text: str) -> SearchResults:
    """Articles of ``queryset`` that match a visitor's query, best first.

    An article matches when its words (``search_vector``) contain every word of
    the query, or when its title contains the query as typed (the pg_trgm index
    serves that). Results are ranked by ``ts_rank``, with a title match first.
    Only the newest SEARCH_CANDIDATES matches are ranked: a word that half the
    articles contain must not cost a rank (and a count) of every one of them.
    Filter ``queryset`` first, so that the filters narrow the candidates.
    """
    text = text.strip()
    in_title = Q(title__icontains=text)
    title_bonus = Case(When(in_title, then=Value(1.0)), default=Value(0.0))
    query = search_query(query_terms(text))
    # Candidates by words and by title apart, each served by its own index (together, the
    # title's inexact trigram matches would make PostgreSQL recheck the words of every
    # article on the same pages).
    if query is None:
        candidates, rank = _newest_of(queryset.filter(in_title)), title_bonus
    else:
        candidates = _newest_of(queryset.filter(search_vector=query), queryset.filter(in_title))
        rank = SearchRank(F("search_vector"), query) + title_bonus
    ids = list(
        Article.objects.filter(pk__in=candidates)
        .annotate(rank=ExpressionWrapper(rank, output_field=FloatField()))
        .order_by("-rank", "-published_at", "-id")
        .values_list("pk", flat=True)
    )
    return SearchResults(queryset, ids)


def highlight_terms(text: str) -> list[str]:
    """What to mark in results: the query as typed and each of its words."""
    text = text.strip()
    return list(dict.fromkeys([text, *query_terms(text)])) if text else []


def article_neighbours(article: Article) -> tuple[dict | None, dict | None]:
    """The published articles before and after ``article`` in its issue's order.

    The order is the printed bulletin's: sections in order, then position. One
    query for the issue's (few) articles, ids and titles only.
    """
    if article.issue_id is None:
        return None, None
    siblings = list(
        Article.objects.published()
        .filter(issue_id=article.issue_id)
        .order_by(*ISSUE_ORDER)
        .values("id", "title")
    )
    ids = [sibling["id"] for sibling in siblings]
    if article.pk not in ids:
        return None, None
    index = ids.index(article.pk)
    previous = siblings[index - 1] if index > 0 else None
    following = siblings[index + 1] if index + 1 < len(siblings) else None
    return previous, following


def issues_with_counts() -> QuerySet[Issue]:
    """Issues with published articles (or a PDF), newest first, with their article counts."""
    published = Q(
        articles__status=Article.Status.PUBLISHED, articles__published_at__lte=timezone.now()
    )
    return (
        Issue.objects.annotate(article_count=Count("articles", filter=published))
        .filter(Q(article_count__gt=0) | ~Q(pdf=""))
        .order_by("-year", "-number")
    )


def issue_contents(issue: Issue) -> list[tuple[Section, list[Article]]]:
    """An issue's table of contents: its sections in order, each with its articles in order."""
    articles = (
        Article.objects.published()
        .filter(issue=issue)
        .select_related("section")
        .only(
            "id",
            "title",
            "subtitle",
            "source",
            "position",
            "section__name",
            "section__english_name",
            "section__slug",
            "section__order",
        )
        .order_by(*ISSUE_ORDER)
    )
    grouped: dict[int, tuple[Section, list[Article]]] = {}
    for article in articles:
        grouped.setdefault(article.section_id, (article.section, []))[1].append(article)
    return list(grouped.values())


NEWEST_FIRST = (F("published_at").desc(), F("position").asc(nulls_last=True), F("id").desc())


def latest_articles_by_section(*, per_section: int = 5) -> list[tuple[Section, list[Article]]]:
    """Each section (in order) with its newest published articles, in two queries.

    The first takes each section's newest ids (an index walk per section, not a
    window over every article); the second loads those articles.
    """
    newest = (
        Article.objects.published()
        .filter(section=OuterRef("pk"))
        .order_by(*NEWEST_FIRST)
        .values("id")[:per_section]
    )
    ids = [
        pk
        for row in Section.objects.annotate(ids=ArraySubquery(newest)).values_list("ids", flat=True)
        for pk in row
    ]
    articles = (
        Article.objects.filter(pk__in=ids)
        .select_related("section")
        .only(
            "id",
            "title",
            "subtitle",
            "published_at",
            "section__name",
            "section__english_name",
            "section__slug",
            "section__order",
        )
        .order_by("section__order", "section_id", *NEWEST_FIRST)
    )
    grouped: dict[int, tuple[Section, list[Article]]] = {}
    for article in articles:
        grouped.setdefault(article.section_id, (article.section, []))[1].append(article)
    return list(grouped.values())
