"""A sign-out during a cache (Redis) outage stays a sign-out when Redis comes back with its data."""

import pytest
from django.core.cache import caches
from django.urls import reverse

from tests.accounts.builders import make_company, make_contact
from tests.brokers import KillableRedis

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache_redis(settings):
    server = KillableRedis().start()
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.FailOpenRedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 0.3, "socket_timeout": 0.3},
        }
    }
    yield server
    server.resume()
    server.stop()


def test_it_keeps_a_session_signed_out_that_ended_while_redis_was_away(client, cache_redis):
    contact = make_contact(make_company("浙江甲仪表有限公司"), "a@example.com", primary=True)
    client.force_login(contact.user)
    dashboard = reverse("accounts:dashboard")
    assert client.get(dashboard).status_code == 200
    cookie = client.cookies["sessionid"].value

    cache_redis.pause()
    assert client.post(reverse("accounts:logout")).status_code == 302
    cache_redis.resume()
    caches["default"]._down_until = 0  # the fail-open cache tries Redis again at once

    client.cookies["sessionid"] = cookie  # the old cookie, kept by a browser or a thief
    response = client.get(dashboard)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
