"""PAGE_CACHE_SECONDS=0 turns the page cache off (make bench measures pages so)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.portal.factories import public_content

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert "public" in response["Cache-Control"]
    return len(queries)


def test_it_builds_every_page_when_the_page_cache_is_off(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    public_content(2)
    first = _queries(client, "/")
    assert first > 0
    assert _queries(client, "/") == first
