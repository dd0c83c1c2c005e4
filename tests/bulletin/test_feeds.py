"""RSS and Atom feeds of the news: /feeds/news/, /feeds/news/atom/ and per section."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.conf import settings

from tests.bulletin.test_news_list import (
    PUBLISHED_AT,
    make_article,
    make_articles,
    make_hidden_articles,
    make_section,
)

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"


def rss(response) -> ET.Element:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    return ET.fromstring(response.content).find("channel")


def atom(response) -> ET.Element:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


@pytest.fixture
def articles(db):
    policies = make_section("policies", name="政策法规", order=4)
    return {
        "achievement": make_article(
            "聚光科技入选国家知识产权示范企业",
            summary="国家知识产权局公布名单。",
            source="聚光科技",
        ),
        "policy": make_article(
            "十八部门联合发文",
            section=policies,
            source="仪表网",
            published_at=PUBLISHED_AT + timedelta(hours=1),
        ),
    }


@pytest.mark.django_db
def test_it_serves_the_latest_articles_as_rss(client, articles):
    channel = rss(client.get("/feeds/news/"))

    assert channel.findtext("title") == f"{settings.SITE_NAME} · 最新动态"
    assert channel.findtext("link") == f"{settings.SITE_URL}/news/"
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == [
        "十八部门联合发文",
        "聚光科技入选国家知识产权示范企业",
    ]
    achievement = items[1]
    pk = articles["achievement"].pk
    assert achievement.findtext("link") == f"{settings.SITE_URL}/news/{pk}/"
    assert achievement.findtext("description") == "国家知识产权局公布名单。"
    assert achievement.findtext(f"{DC}creator") == "聚光科技"
    assert achievement.findtext("category") == "会员成果"
    assert achievement.findtext("pubDate") == "Wed, 30 Nov 2022 00:00:00 +0000"


@pytest.mark.django_db
def test_it_serves_the_latest_articles_as_atom(client, articles):
    feed = atom(client.get("/feeds/news/atom/"))

    assert feed.findtext(f"{ATOM}title") == f"{settings.SITE_NAME} · 最新动态"
    assert feed.findtext(f"{ATOM}subtitle")
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == [
        "十八部门联合发文",
        "聚光科技入选国家知识产权示范企业",
    ]
    policy = entries[0]
    assert policy.find(f"{ATOM}link").get("href") == (
        f"{settings.SITE_URL}/news/{articles['policy'].pk}/"
    )
    assert policy.findtext(f"{ATOM}author/{ATOM}name") == "仪表网"
    assert policy.find(f"{ATOM}category").get("term") == "政策法规"
    assert policy.findtext(f"{ATOM}published") == "2022-11-30T01:00:00+00:00"


@pytest.mark.django_db
def test_it_serves_one_section(client, articles):
    channel = rss(client.get("/feeds/news/policies/"))
    feed = atom(client.get("/feeds/news/policies/atom/"))

    assert channel.findtext("title") == f"{settings.SITE_NAME} · 政策法规"
    assert channel.findtext("link") == f"{settings.SITE_URL}/news/?section=policies"
    assert [item.findtext("title") for item in channel.findall("item")] == ["十八部门联合发文"]
    assert [entry.findtext(f"{ATOM}title") for entry in feed.findall(f"{ATOM}entry")] == [
        "十八部门联合发文"
    ]


@pytest.mark.django_db
def test_it_returns_404_for_an_unknown_section(client, articles):
    assert client.get("/feeds/news/no-such-section/").status_code == 404
    assert client.get("/feeds/news/no-such-section/atom/").status_code == 404


@pytest.mark.django_db
def test_it_leaves_out_drafts_and_scheduled_articles(client, articles):
    make_hidden_articles()
    make_hidden_articles(section=make_section("policies"))

    for url in ("/feeds/news/", "/feeds/news/atom/", "/feeds/news/policies/"):
        body = client.get(url).content.decode()
        assert "草稿" not in body
        assert "预告" not in body


@pytest.mark.django_db
def test_it_carries_the_thirty_newest(client):
    make_articles(35)

    items = rss(client.get("/feeds/news/")).findall("item")

    assert len(items) == 30
    assert items[0].findtext("title") == "第35篇文章"
    assert items[-1].findtext("title") == "第6篇文章"


@pytest.mark.django_db
def test_it_carries_the_demo_bulletin(client, loaded_demo):
    items = rss(client.get("/feeds/news/")).findall("item")
    entries = atom(client.get("/en/feeds/news/member-achievements/atom/")).findall(f"{ATOM}entry")

    assert len(items) == 25
    assert len(entries) == 9
    assert all(entry.find(f"{ATOM}category").get("term") == "会员成果" for entry in entries)
