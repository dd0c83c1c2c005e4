"""Query counts of the news and bulletin pages: fixed, whatever the number of rows, and few.

Each test measures a page with 3 rows, adds rows up to 60, and measures again.
The page cache and the sites framework's cache are emptied before each
measurement so that both measure the same work. If a count changes, explain
the new query or remove it (select_related, prefetch_related, only).
"""

from datetime import date, timedelta

import pytest
from django.contrib.sites.models import Site
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.bulletin.test_news_list import (
    PUBLISHED_AT,
    make_article,
    make_company,
    make_issue,
    make_section,
)
from tests.queries import empty_cache

MAX_QUERIES = 10
SMALL, LARGE = 3, 60


def queries(client, url: str) -> list[str]:
    empty_cache()
    Site.objects.clear_cache()
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return [query["sql"] for query in context.captured_queries]


def assert_fixed_and_few(small: list[str], large: list[str]) -> None:
    listing = "\n".join(large)
    assert len(small) == len(large), f"{len(small)} then {len(large)} queries:\n{listing}"
    assert len(large) <= MAX_QUERIES, f"{len(large)} queries:\n{listing}"


class News:
    """Articles in three sections and two issues, each about two member companies."""

    def __init__(self):
        self.sections = [
            make_section("association-news", name="协会动态", order=1),
            make_section(),
            make_section("policies", name="政策法规", order=4),
        ]
        self.issues = [make_issue(2022, 10), make_issue(2022, 11)]
        self.companies = [make_company(f"仪表会员单位{n}") for n in range(2)]
        self.count = 0

    def grow(self, total: int) -> None:
        while self.count < total:
            self.count += 1
            n = self.count
            make_article(
                f"仪表行业新闻第{n}篇",
                section=self.sections[n % 3],
                issue=self.issues[n % 2],
                position=n,
                published_at=PUBLISHED_AT + timedelta(minutes=n),
                companies=self.companies,
            )


def measure_news(client, url: str) -> None:
    news = News()
    news.grow(SMALL)
    small = queries(client, url.format(news=news))
    news.grow(LARGE)
    large = queries(client, url.format(news=news))
    assert_fixed_and_few(small, large)


@pytest.mark.django_db
def test_it_lists_news_in_fixed_queries(client):
    measure_news(client, "/news/")


@pytest.mark.django_db
def test_it_lists_an_english_page_of_news_in_fixed_queries(client):
    measure_news(client, "/en/news/?page=2")


@pytest.mark.django_db
def test_it_searches_in_fixed_queries(client):
    measure_news(client, "/news/?q=仪表行业")


@pytest.mark.django_db
def test_it_searches_with_every_filter_in_fixed_queries(client):
    measure_news(
        client,
        "/news/?q=仪表&section=member-achievements&issue={news.issues[1].pk}&year=2022"
        "&company={news.companies[0].pk}",
    )


@pytest.mark.django_db
def test_it_shows_an_article_in_fixed_queries(client):
    issue = make_issue()
    section = make_section()
    article = make_article(
        "中控技术荣膺拉姆·查兰管理实践奖",
        section=section,
        issue=issue,
        position=2,
        companies=[make_company(f"会员单位{n}") for n in range(SMALL)],
    )
    make_article("同期第一篇", section=section, issue=issue, position=1)
    make_article("同期第三篇", section=section, issue=issue, position=3)
    small = queries(client, f"/news/{article.pk}/")

    article.companies.add(*[make_company(f"会员单位{n}") for n in range(SMALL, LARGE)])
    for position in range(4, LARGE + 1):
        make_article(f"同期第{position}篇", section=section, issue=issue, position=position)
    large = queries(client, f"/news/{article.pk}/")

    assert_fixed_and_few(small, large)


@pytest.mark.django_db
def test_it_lists_issues_in_fixed_queries(client):
    def add_issues(first: int, last: int) -> None:
        for year in range(first, last + 1):
            issue = make_issue(1960 + year, 1, published_on=date(1960 + year, 1, 31))
            make_article(f"第{year}期的文章", issue=issue, position=1)
            make_article(f"第{year}期的第二篇", issue=issue, position=2)

    add_issues(1, SMALL)
    small = queries(client, "/bulletin/")
    add_issues(SMALL + 1, LARGE)
    large = queries(client, "/bulletin/")

    assert_fixed_and_few(small, large)


@pytest.mark.django_db
def test_it_shows_an_issue_in_fixed_queries(client):
    news = News()
    news.grow(SMALL)
    small = queries(client, "/bulletin/2022/11/")
    news.grow(LARGE)
    large = queries(client, "/bulletin/2022/11/")

    assert_fixed_and_few(small, large)


@pytest.mark.parametrize(
    "url",
    ["/feeds/news/", "/feeds/news/atom/", "/feeds/news/policies/", "/feeds/news/policies/atom/"],
)
@pytest.mark.django_db
def test_it_serves_feeds_in_fixed_queries(client, url):
    measure_news(client, url)


@pytest.mark.django_db
def test_it_serves_the_qr_code_in_one_query(client):
    article = make_article("中控技术荣膺拉姆·查兰管理实践奖")

    assert len(queries(client, f"/news/{article.pk}/qr.svg")) == 1
