"""Anonymous pages come from Redis until content changes; without Redis they still answer."""

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from bulletin.models import Article
from portal import cache as portal_cache
from portal.cache import GENERATION_KEY, forget_local_pages
from portal.cache import _local as local_pages
from tests.portal.factories import public_content

pytestmark = pytest.mark.django_db

REDIS_DOWN = {
    "default": {
        "BACKEND": "config.cache.FailOpenRedisCache",
        # Nothing listens on port 1: every connection is refused.
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


def _queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_it_serves_the_second_visit_from_the_cache(client):
    public_content(3)
    first, _ = _queries(client, "/")
    second, _ = _queries(client, "/")
    assert first > 0
    assert second == 0


def test_it_rebuilds_pages_when_content_changes(client):
    content = public_content(3)
    _queries(client, "/")
    article = content["articles"][0]
    article.title = "金卡智能荣获“绽放杯”全国一等奖"
    article.save()
    count, html = _queries(client, "/")
    assert count > 0
    assert "金卡智能荣获“绽放杯”全国一等奖" in html


def test_it_never_serves_a_signed_in_user_from_the_page_cache(client, admin_user):
    public_content(3)
    _queries(client, "/")
    client.force_login(admin_user)
    count, _ = _queries(client, "/")
    assert count > 0


def test_it_caches_each_language_apart(client):
    public_content(3)
    _, chinese = _queries(client, "/")
    _, english = _queries(client, "/en/")
    assert '<html lang="zh-Hans">' in chinese
    assert '<html lang="en">' in english


@override_settings(CACHES=REDIS_DOWN)
@pytest.mark.parametrize("url", ["/", "/news/", "/en/"])
def test_it_answers_with_redis_down(client, url, caplog):
    public_content(3)
    response = client.get(url)
    assert response.status_code == 200
    assert "cache unavailable" in caplog.text


class RedisCalls:
    """Counts the cache's reads (each one a round trip to Redis)."""

    def __init__(self, monkeypatch):
        self.count = 0
        backend = caches["default"]
        for name in ("get", "get_many"):
            method = getattr(backend, name)
            monkeypatch.setattr(backend, name, self._counted(method))

    def _counted(self, method):
        def counted(*args, **kwargs):
            self.count += 1
            return method(*args, **kwargs)

        return counted


def _another_process_changes(article, title: str) -> None:
    """What a save in another worker does: the row and the generation in Redis, not this
    process's copy (no signals here)."""
    Article.objects.filter(pk=article.pk).update(title=title)
    cache.incr(GENERATION_KEY)


def test_a_repeated_page_comes_from_memory_without_asking_redis(client, monkeypatch):
    public_content(3)
    _queries(client, "/news/")
    calls = RedisCalls(monkeypatch)
    count, html = _queries(client, "/news/")
    assert (count, calls.count) == (0, 0)
    assert "<html" in html


def test_a_page_from_memory_keeps_its_headers_and_gets_the_middlewares(client):
    public_content(3)
    first = client.get("/feeds/news/")
    second = client.get("/feeds/news/")
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"] == "application/rss+xml; charset=utf-8"
    assert "Content-Security-Policy" in second
    assert second["Cache-Control"] == first["Cache-Control"]


class Clock:
    """Stands in for the time module in portal.cache: time moves only when told."""

    def __init__(self):
        self.now = 1_000_000.0

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return self.now


def test_a_change_made_in_another_process_shows_within_the_local_seconds(
    client, settings, monkeypatch
):
    clock = Clock()
    monkeypatch.setattr(portal_cache, "time", clock)
    settings.PAGE_CACHE_LOCAL_SECONDS = 1
    article = public_content(3)["articles"][0]
    _queries(client, "/news/")
    _another_process_changes(article, "金卡智能荣获“绽放杯”全国一等奖")
    clock.now += 0.9
    count, html = _queries(client, "/news/")
    assert count == 0  # still this process's copy, for at most a second
    assert "金卡智能荣获“绽放杯”全国一等奖" not in html
    clock.now += 0.1
    count, html = _queries(client, "/news/")
    assert count > 0
    assert "金卡智能荣获“绽放杯”全国一等奖" in html


def test_with_no_local_seconds_every_page_asks_redis(client, settings):
    settings.PAGE_CACHE_LOCAL_SECONDS = 0
    article = public_content(3)["articles"][0]
    _queries(client, "/news/")
    assert _queries(client, "/news/")[0] == 0  # from Redis
    _another_process_changes(article, "金卡智能荣获“绽放杯”全国一等奖")
    count, html = _queries(client, "/news/")
    assert count > 0
    assert "金卡智能荣获“绽放杯”全国一等奖" in html


def test_the_pages_kept_in_memory_stay_within_their_byte_budget(client, settings):
    public_content(3)
    sizes = {url: len(client.get(url).content) for url in ("/", "/news/", "/members/")}
    forget_local_pages()
    settings.PAGE_CACHE_LOCAL_BYTES = sizes["/news/"] + sizes["/members/"]
    for url in ("/", "/news/", "/members/"):
        client.get(url)
    assert local_pages._bytes <= settings.PAGE_CACHE_LOCAL_BYTES
    assert len(local_pages) == 2  # the home page, used least recently, went first
    assert local_pages.get(("zh-hans", "/")) is None


@override_settings(CACHES=REDIS_DOWN)
def test_with_redis_down_nothing_is_kept_in_memory(client, caplog):
    public_content(3)
    _queries(client, "/news/")
    count, _ = _queries(client, "/news/")
    assert count > 0
    assert len(local_pages) == 0


def test_with_the_page_cache_off_a_page_never_asks_redis(client, settings, monkeypatch):
    settings.PAGE_CACHE_SECONDS = 0
    public_content(3)
    calls = RedisCalls(monkeypatch)
    count, html = _queries(client, "/news/")
    assert count > 0
    assert calls.count == 0
    assert "协会动态" in html  # the navigation's sections, from the database
