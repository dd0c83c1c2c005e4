"""Chinese full-text search on the news list (/news/?q=)."""

import re
from datetime import timedelta

import pytest
from django.contrib.postgres.search import SearchQuery

from bulletin import selectors, views
from bulletin.models import Article
from tests.bulletin.test_news_list import (
    PUBLISHED_AT,
    listed_titles,
    make_article,
    make_hidden_articles,
    make_section,
)

IP_TITLE = "国家知识产权示范企业和优势企业名单公布啦！"


def result_count(response) -> int:
    match = re.search(r'role="status">\s*找到 (\d+) 篇文章', response.content.decode())
    assert match, "no result count on the page"
    return int(match.group(1))


@pytest.mark.django_db
def test_it_finds_the_two_character_word_yibiao(client, loaded_demo):
    response = client.get("/news/?q=仪表")

    assert response.status_code == 200
    titles = listed_titles(response)
    assert titles
    assert "双11突破1500万 仪表“狂欢节”是怎样炼成的？" in titles
    word = SearchQuery("仪表", config="simple")
    assert result_count(response) == Article.objects.filter(search_vector=word).count()
    assert "<mark>仪表</mark>" in response.content.decode()


@pytest.mark.django_db
def test_it_ranks_the_intellectual_property_article_first(client, loaded_demo):
    response = client.get("/news/?q=知识产权")

    titles = listed_titles(response)
    assert titles[0] == IP_TITLE
    html = response.content.decode()
    assert "国家<mark>知识产权</mark>示范企业和优势企业名单公布啦！" in html
    # The summary is highlighted too, and the search box keeps the query.
    assert re.search(r'<p class="item-summary"[^>]*>[^<]*<mark>知识产权</mark>', html)
    assert 'value="知识产权"' in html


@pytest.mark.django_db
def test_it_combines_search_with_a_section_filter(client, loaded_demo):
    everywhere = listed_titles(client.get("/news/?q=仪表"))
    response = client.get("/news/?q=仪表&section=member-spotlight")

    titles = listed_titles(response)
    spotlight = set(
        Article.objects.filter(section__slug="member-spotlight").values_list("title", flat=True)
    )
    assert titles
    assert set(titles) <= spotlight
    assert len(titles) < len(everywhere)
    assert "<h1>会员风采</h1>" in response.content.decode()


@pytest.mark.django_db
def test_it_finds_a_title_substring_that_is_not_a_word(client):
    make_article("宁水集团入选工信部移动物联网应用典型案例库")
    make_article("其他文章")

    response = client.get("/news/?q=水集")

    assert listed_titles(response) == ["宁水集团入选工信部移动物联网应用典型案例库"]
    assert "宁<mark>水集</mark>团" in response.content.decode()


@pytest.mark.django_db
def test_it_says_when_nothing_matches(client):
    make_article("聚光科技入选国家知识产权示范企业")

    response = client.get("/news/?q=区块链")

    assert response.status_code == 200
    assert listed_titles(response) == []
    assert result_count(response) == 0
    assert 'class="empty"' in response.content.decode()


@pytest.mark.django_db
def test_it_escapes_the_query(client):
    make_article("聚光科技入选国家知识产权示范企业")

    response = client.get("/news/", {"q": "<script>alert(1)</script>"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.django_db
def test_it_ignores_a_query_of_punctuation_only(client):
    make_article("聚光科技入选国家知识产权示范企业")

    response = client.get("/news/", {"q": "，。！"})

    assert response.status_code == 200
    assert listed_titles(response) == []


@pytest.mark.django_db
def test_it_never_finds_drafts_or_scheduled_articles(client):
    section = make_section()
    make_article("已发布的协会通知", section=section)
    make_hidden_articles(section=section)

    for query in ("草稿", "预告", "协会通知", "行业资讯"):
        response = client.get("/news/", {"q": query})
        html = response.content.decode()
        assert "草稿：" not in html
        assert "预告：" not in html


@pytest.mark.django_db
def test_it_searches_in_english_pages_too(client, loaded_demo):
    response = client.get("/en/news/?q=知识产权")

    assert listed_titles(response)[0] == IP_TITLE
    assert re.search(r'role="status">\s*\d+ articles found', response.content.decode())


def _yibiao_articles(section, count: int, *, start: int) -> None:
    for n in range(start, start + count):
        make_article(
            f"仪表行业动态第{n}期",
            section=section,
            published_at=PUBLISHED_AT + timedelta(days=n),
        )


@pytest.mark.django_db
def test_it_ranks_only_the_newest_candidates_and_says_so(client, monkeypatch):
    monkeypatch.setattr(selectors, "SEARCH_CANDIDATES", 3)
    monkeypatch.setattr(views, "SEARCH_CANDIDATES", 3)
    _yibiao_articles(make_section(), 5, start=1)

    response = client.get("/news/?q=仪表")

    assert listed_titles(response) == [
        "仪表行业动态第5期",
        "仪表行业动态第4期",
        "仪表行业动态第3期",
    ]
    assert "找到超过 3 篇文章" in response.content.decode()


@pytest.mark.django_db
def test_the_filters_narrow_the_candidates_before_the_search_ranks_them(client, monkeypatch):
    monkeypatch.setattr(selectors, "SEARCH_CANDIDATES", 3)
    older = make_section("industry-news", name="行业资讯", english_name="Industry news", order=5)
    _yibiao_articles(older, 2, start=1)
    _yibiao_articles(make_section(), 3, start=10)  # the three newest matches, elsewhere

    response = client.get("/news/?q=仪表&section=industry-news")

    assert listed_titles(response) == ["仪表行业动态第2期", "仪表行业动态第1期"]
    assert result_count(response) == 2


@pytest.mark.django_db
def test_it_pages_through_the_ranked_matches(client):
    for n in range(1, 26):  # the word in the summary only
        make_article(
            f"行业动态第{n}期",
            summary="本期介绍仪表行业的新闻。",
            published_at=PUBLISHED_AT + timedelta(days=n),
        )
    make_article("仪表企业名录", published_at=PUBLISHED_AT)  # oldest, but a title match

    first = client.get("/news/?q=仪表")
    second = client.get("/news/?q=仪表&page=2")

    assert result_count(first) == result_count(second) == 26
    assert listed_titles(first)[:2] == ["仪表企业名录", "行业动态第25期"]
    assert len(listed_titles(first)) == 20
    assert listed_titles(second) == [f"行业动态第{n}期" for n in range(6, 0, -1)]
