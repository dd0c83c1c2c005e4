"""Counting the SQL queries of a page, for the tests that keep them fixed and few."""

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.cache import forget_local_pages

MAX_QUERIES = 10


def empty_cache() -> None:
    """Empty this test run's cache (another run may share the Redis server) and the
    pages this process keeps in memory."""
    if isinstance(cache, RedisCache):
        client = cache._cache.get_client(write=True)
        prefix = cache.make_key("")
        for key in client.scan_iter(match=f"{prefix}*", count=1000):
            client.delete(key)
    else:
        cache.clear()
    forget_local_pages()


def page_queries(client, url: str) -> list[str]:
    """The SQL of one GET of ``url``, built from the database (the page cache is emptied)."""
    empty_cache()
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
