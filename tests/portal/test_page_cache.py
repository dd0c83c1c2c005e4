"""Anonymous pages come from Redis until content changes; without Redis they still answer."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

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
