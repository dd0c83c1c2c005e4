"""Counting the SQL queries of a page, for the tests that keep them fixed and few."""

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

MAX_QUERIES = 10


def page_queries(client, url: str) -> list[str]:
    """The SQL of one GET of ``url``, built from the database (the page cache is emptied)."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return [query["sql"] for query in queries.captured_queries]


def count_queries(client, url: str) -> int:
    return len(page_queries(client, url))


def assert_fixed_and_few(small: list[str], large: list[str], limit: int = MAX_QUERIES) -> None:
    """The same queries for few rows as for many, and few: explain any new one."""
    listing = "\n".join(large)
    assert len(small) == len(large), f"{len(small)} then {len(large)} queries:\n{listing}"
    assert len(large) <= limit, f"{len(large)} queries:\n{listing}"
