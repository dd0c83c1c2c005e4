"""The bulletin archive /bulletin/ and an issue's table of contents /bulletin/<year>/<number>/."""

import re
from datetime import date

import pytest

from bulletin.models import Article
from tests.bulletin.test_news_list import (
    make_article,
    make_hidden_articles,
    make_issue,
    make_section,
)

DEMO_SECTIONS = ["协会动态", "会员成果", "会员风采", "政策法规", "行业资讯"]


def issue_links(response) -> list[str]:
    return re.findall(
        r'<h3 class="item-title"><a href="(/bulletin/\d+/\d+/)">', response.content.decode()
    )


def toc(response) -> tuple[list[str], list[int]]:
    """Section headings and article ids of a table of contents, in page order."""
    html = response.content.decode()
    sections = re.findall(r'<h2 id="toc-[^"]+">([^<]+)</h2>', html)
    ids = [int(pk) for pk in re.findall(r'<a href="/(?:en/)?news/(\d+)/">', html)]
    return sections, ids


@pytest.mark.django_db
def test_it_lists_issues_by_year_with_their_article_counts(client):
    for number in (10, 11):
        issue = make_issue(2022, number, published_on=date(2022, number, 30))
        make_article(f"第{number}期的文章", issue=issue, position=1)
    make_article("第11期的第二篇", issue=make_issue(2022, 11), position=2)
    make_article("2021年的文章", issue=make_issue(2021, 12), position=1)

    response = client.get("/bulletin/")

    assert response.status_code == 200
    assert issue_links(response) == [
        "/bulletin/2022/11/",
        "/bulletin/2022/10/",
        "/bulletin/2021/12/",
    ]
    html = response.content.decode()
    assert re.findall(r'<h2 id="year-(\d+)">', html) == ["2022", "2021"]
    november = r'2022年第11期</a></h3>\s*<p class="meta">\s*<time[^>]*>2022年11月30日</time>'
    assert re.search(november + r"\s*<span>2 篇文章", html)


@pytest.mark.django_db
def test_it_counts_only_published_articles_and_hides_empty_issues(client):
    issue = make_issue()
    make_article("已发布", issue=issue, position=1)
    make_hidden_articles(issue=issue)
    only_drafts = make_issue(2022, 12)
    make_article("十二月的草稿", issue=only_drafts, position=1, status=Article.Status.DRAFT)

    response = client.get("/bulletin/")

    assert issue_links(response) == ["/bulletin/2022/11/"]
    assert re.search(r"<span>1 篇文章\s*</span>", response.content.decode())
    assert client.get("/bulletin/2022/12/").status_code == 404


@pytest.mark.django_db
def test_it_paginates_the_archive(client):
    for number in range(1, 26):
        make_article(f"文章{number}", issue=make_issue(2000 + number, 1), position=1)

    first = client.get("/bulletin/")
    second = client.get("/bulletin/?page=2")

    assert len(issue_links(first)) == 20
    assert issue_links(second) == [f"/bulletin/{year}/1/" for year in range(2005, 2000, -1)]
    assert client.get("/bulletin/?page=99").status_code == 200


@pytest.mark.django_db
def test_it_shows_an_issue_in_the_bulletin_order(client):
    issue = make_issue()
    news = make_section("association-news", name="协会动态", order=1)
    achievements = make_section()
    later = make_article("会员成果第二篇", section=achievements, issue=issue, position=4)
    earlier = make_article("会员成果第一篇", section=achievements, issue=issue, position=3)
    first = make_article("协会动态第一篇", section=news, issue=issue, position=1)
    make_hidden_articles(section=news, issue=issue)

    response = client.get("/bulletin/2022/11/")

    assert response.status_code == 200
    assert toc(response) == (["协会动态", "会员成果"], [first.pk, earlier.pk, later.pk])
    html = response.content.decode()
    assert "<h1>2022年第11期</h1>" in html
    assert "草稿" not in html
    assert "预告" not in html


@pytest.mark.django_db
def test_it_returns_404_for_an_unknown_issue(client):
    make_article("文章", issue=make_issue(), position=1)

    assert client.get("/bulletin/2022/12/").status_code == 404
    assert client.get("/bulletin/1999/11/").status_code == 404


@pytest.mark.django_db
def test_it_lists_the_demo_issue_like_the_printed_bulletin(client, loaded_demo):
    response = client.get("/bulletin/2022/11/")

    sections, ids = toc(response)
    assert sections == DEMO_SECTIONS
    assert len(ids) == 25
    assert ids == list(Article.objects.order_by("position").values_list("id", flat=True))
    assert "2022年11月30日" in response.content.decode()


@pytest.mark.django_db
def test_it_shows_the_demo_archive_and_issue_in_english(client, loaded_demo):
    archive = client.get("/en/bulletin/")
    issue = client.get("/en/bulletin/2022/11/")

    assert archive.status_code == 200
    assert "<h1>Bulletin</h1>" in archive.content.decode()
    assert "25 articles" in archive.content.decode()
    assert "Nov. 30, 2022" in archive.content.decode()
    sections, ids = toc(issue)
    assert sections == [
        "Association news",
        "Member achievements",
        "Member spotlight",
        "Policies and regulations",
        "Industry news",
    ]
    assert len(ids) == 25
