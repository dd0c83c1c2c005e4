import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone

from bulletin.models import Article, Section
from events.models import Event
from members.models import Company
from tests.bulletin.test_news_list import make_article

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_it_shows_the_about_page_in_both_languages(client, loaded_demo):
    chinese = client.get("/about/")
    english = client.get("/en/about/")
    assert chinese.status_code == english.status_code == 200
    assert "关于协会" in chinese.content.decode()
    assert "浙仪协" in chinese.content.decode()
    assert "About the association" in english.content.decode()


def test_it_answers_404_without_an_about_page(client):
    assert client.get("/about/").status_code == 404


def test_it_keeps_crawlers_out_of_private_parts(client, settings):
    settings.SITE_URL = "https://portal.example.org"
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Disallow: /admin/" in lines
    assert "Sitemap: https://portal.example.org/sitemap.xml" in lines
    # The English back office and contacts' pages too.
    for path in ("/account/", "/en/admin/", "/en/account/"):
        assert f"Disallow: {path}" in lines


def test_it_lists_only_public_pages_in_the_sitemap(client, settings):
    settings.SITE_URL = "https://portal.example.org"
    section = Section.objects.create(name="协会动态", slug="association-news")
    now = timezone.now()
    published = Article.objects.create(
        title="已发布", section=section, status="published", published_at=now
    )
    draft = Article.objects.create(title="草稿", section=section, status="draft")
    scheduled = Article.objects.create(
        title="定时", section=section, status="published", published_at=now + timedelta(days=1)
    )
    listed = Company.objects.create(name="公开的会员单位")
    unlisted = Company.objects.create(name="不公开的会员单位", listed=False)
    withdrawn = Company.objects.create(name="已退会的单位", status=Company.Status.WITHDRAWN)
    shown = Event.objects.create(title="公开活动", starts_at=now, ends_at=now, status="published")
    hidden = Event.objects.create(title="草稿活动", starts_at=now, ends_at=now, status="draft")

    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    locations = {loc.text for loc in ET.fromstring(response.content).iter(f"{SITEMAP}loc")}

    def url(path):
        return f"https://portal.example.org{path}"

    assert url(f"/news/{published.pk}/") in locations
    assert url(f"/en/news/{published.pk}/") in locations
    assert url(f"/members/{listed.pk}/") in locations
    assert url(f"/events/{shown.pk}/") in locations
    for path in (
        f"/news/{draft.pk}/",
        f"/news/{scheduled.pk}/",
        f"/members/{unlisted.pk}/",
        f"/members/{withdrawn.pk}/",
        f"/events/{hidden.pk}/",
    ):
        assert url(path) not in locations


def test_it_answers_404_kindly_in_both_languages(client):
    chinese = client.get("/no-such-page/")
    english = client.get("/en/no-such-page/")
    assert chinese.status_code == english.status_code == 404
    assert "页面不存在" in chinese.content.decode()
    assert "Page not found" in english.content.decode()


def test_it_links_each_page_to_its_other_language(client, settings):
    settings.SITE_URL = "https://portal.example.org"
    content = client.get("/").content.decode()
    assert 'hreflang="en" href="https://portal.example.org/en/"' in content
    assert '<link rel="canonical" href="https://portal.example.org/">' in content
    english = client.get("/en/").content.decode()
    assert 'href="/" lang="zh-Hans"' in english


def test_it_redirects_the_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")


@pytest.mark.parametrize(
    "url", ["/", "/news/", "/members/", "/events/", "/honours/", "/robots.txt"]
)
def test_it_answers_head_requests(client, url):
    """Monitors and crawlers ask with HEAD: same status as GET, no body."""
    response = client.head(url)
    assert response.status_code == 200
    assert response.content == b""


def test_its_language_links_keep_the_page_its_arguments_and_its_query(client, settings):
    settings.SITE_URL = "https://portal.example.org"
    article = make_article("聚光科技入选国家知识产权示范企业")
    content = client.get(f"/news/{article.pk}/").content.decode()
    assert f'href="/en/news/{article.pk}/" lang="en"' in content
    assert f'hreflang="en" href="https://portal.example.org/en/news/{article.pk}/"' in content
    # Browsers send a query percent-encoded.
    search = client.get("/en/news/?q=%E4%BB%AA%E8%A1%A8&section=member-achievements")
    search = search.content.decode()
    assert 'href="/news/?q=%E4%BB%AA%E8%A1%A8&amp;section=member-achievements" lang="zh-Hans"' in (
        search
    )
    # The absolute address for search engines leaves the query out.
    assert 'hreflang="zh-Hans" href="https://portal.example.org/news/"' in search
