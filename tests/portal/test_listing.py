"""portal.listing: the counted-up-to paginator and the loose index scan."""

import pytest

from awards.models import Award, Honour
from bulletin.models import Article
from members.models import Company
from portal import listing
from portal.listing import CappedPaginator, distinct_descending
from tests.bulletin.test_news_list import make_articles
from tests.queries import count_queries, empty_cache, page_queries

pytestmark = pytest.mark.django_db


def test_it_counts_up_to_its_limit():
    make_articles(7)
    articles = Article.objects.published()
    exact = CappedPaginator(articles, 2, limit=7)
    assert (exact.count, exact.capped, exact.num_pages) == (7, False, 4)
    capped = CappedPaginator(articles, 2, limit=5)
    assert (capped.count, capped.capped, capped.num_pages) == (5, True, 3)
    # The last page ends at the limit, not at the sixth row.
    assert len(capped.page(3).object_list) == 1


def test_a_list_says_when_it_pages_only_the_first_rows(client, monkeypatch):
    monkeypatch.setattr(listing, "COUNT_LIMIT", 30)
    make_articles(45)
    page = client.get("/news/?page=2").content.decode()
    assert "第 2 页，共 2 页（只分页列出前 30 条，其余请用筛选条件查看）" in page
    filtered = client.get("/news/?year=2022").content.decode()
    assert "找到超过 30 篇文章，只分页列出最新的 30 篇。" in filtered
    # Filtered below the limit, the count is exact again.
    monkeypatch.setattr(listing, "COUNT_LIMIT", 1000)
    empty_cache()
    assert "找到 45 篇文章" in client.get("/news/?year=2022").content.decode()


def test_its_count_is_one_unordered_query_of_limit_and_one_rows(client, monkeypatch):
    monkeypatch.setattr(listing, "COUNT_LIMIT", 10)
    make_articles(12)
    queries = page_queries(client, "/news/")
    [count] = [sql for sql in queries if "COUNT(*)" in sql]
    assert "LIMIT 11" in count
    assert "ORDER BY" not in count, "any 11 rows tell whether there are more"
    # As many queries as without the cap.
    monkeypatch.setattr(listing, "COUNT_LIMIT", 1000)
    assert count_queries(client, "/news/") == len(queries)


def test_it_lists_distinct_values_largest_first_in_one_query(django_assert_num_queries):
    award = Award.objects.create(name="奖", issuer="单位", level="provincial", kind="product")
    listed = Company.objects.create(name="甲公司")
    unlisted = Company.objects.create(name="乙公司", listed=False)
    for number, year in enumerate((2016, 2019, 2019, 2022)):
        Honour.objects.create(
            award=award, year=year, company=listed, verified=True, project=f"项目{number}"
        )
    Honour.objects.create(award=award, year=2024, company=unlisted, verified=True)
    Honour.objects.create(award=award, year=2010, company=listed, verified=False)
    with django_assert_num_queries(1):
        years = distinct_descending(Honour.objects.public(), "year")
    assert years == [2022, 2019, 2016]
    assert distinct_descending(Honour.objects.public().filter(year__lt=2016), "year") == []


def test_the_honours_roll_says_when_it_pages_only_the_first_honours(client, monkeypatch):
    monkeypatch.setattr(listing, "COUNT_LIMIT", 3)
    award = Award.objects.create(name="奖", issuer="单位", level="provincial", kind="product")
    company = Company.objects.create(name="甲公司")
    for number in range(5):
        Honour.objects.create(
            award=award, year=2022, company=company, verified=True, project=f"项目{number}"
        )
    page = client.get("/honours/").content.decode()
    assert "共超过 3 项荣誉，只分页列出前 3 项。" in page
    assert "共 3 项荣誉" not in page
    empty_cache()
    monkeypatch.setattr(listing, "COUNT_LIMIT", 1000)
    assert "共 5 项荣誉" in client.get("/honours/").content.decode()
