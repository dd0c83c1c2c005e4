"""The public pages the benchmark measures, with addresses picked from the loaded data."""

from dataclasses import asdict, dataclass
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef

from bulletin.models import Article
from members.models import Company, CouncilSeat, SeatRole

SEARCH_WORD = "仪表"
SEARCH_PHRASE = "知识产权示范企业"
FILTER_SECTION = "industry-news"
FILTER_CITY = "ningbo"


@dataclass(frozen=True)
class Page:
    name: str
    label: str
    path: str

    def as_dict(self) -> dict:
        return asdict(self)


def _news(**params) -> str:
    return "/news/?" + urlencode(params)


def bench_pages() -> list[Page]:
    """Every page of the benchmark, in the order of the results table."""
    newest = Article.objects.published().order_by("-published_at").first()
    if newest is None:
        raise RuntimeError("No published articles: run seed_bench first.")
    # The last complete year: a year filter that matches a whole year of news.
    year = newest.published_at.year - 1
    listed = Company.objects.listed().filter(articles=OuterRef("pk"))
    article = (
        Article.objects.published()
        .filter(issue__isnull=False)
        .filter(Exists(listed))
        .order_by("-published_at")
        .first()
    )
    president = (
        CouncilSeat.objects.filter(term__is_current=True, role=SeatRole.PRESIDENT)
        .order_by("company_id")
        .values_list("company_id", flat=True)
        .first()
    )
    return [
        Page("home", "home", "/"),
        Page("news", "news list", "/news/"),
        Page(
            "news_filtered",
            f"news list, section {FILTER_SECTION} and year {year}",
            _news(section=FILTER_SECTION, year=year),
        ),
        Page("article", "article", f"/news/{article.pk}/"),
        Page("search_word", f"news search: {SEARCH_WORD}", _news(q=SEARCH_WORD)),
        Page("search_phrase", f"news search: {SEARCH_PHRASE}", _news(q=SEARCH_PHRASE)),
        Page("directory_city", f"directory, city {FILTER_CITY}", f"/members/?city={FILTER_CITY}"),
        Page("company", "company profile (president unit)", f"/members/{president}/"),
        Page("events", "events", "/events/"),
        Page("honours", "honours", "/honours/"),
    ]
