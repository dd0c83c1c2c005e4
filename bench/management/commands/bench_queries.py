"""Count the SQL queries of each benchmarked page, and check that none of them writes.

Runs the pages through Django's test client in this process, against the
database in DATABASE_URL: once with an empty cache and the page cache off
(every query the page needs), then twice with it on (the second visit must
need none).
"""

import json
import re

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from bench.pages import bench_pages
from bench.seed import loaded_counts

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|MERGE|TRUNCATE|COPY)\b|\bFOR\s+UPDATE\b", re.I)


def _clear_cache() -> None:
    """Empty this process's cache keys only (KEY_PREFIX), so every page starts cold."""
    if isinstance(cache, RedisCache):
        client = cache._cache.get_client(write=True)
        for key in client.scan_iter(match=f"{cache.make_key('')}*", count=1000):
            client.delete(key)
    else:
        cache.clear()


def _visit(client: Client, path: str) -> dict:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    statements = [query["sql"] for query in captured.captured_queries]
    return {
        "status": response.status_code,
        "bytes": len(response.content),
        "queries": len(statements),
        "writes": [sql for sql in statements if WRITE.search(sql)],
        "set_cookie": sorted(response.cookies.keys()),
    }


class Command(BaseCommand):
    help = "Count each benchmarked page's SQL queries (cache off and warm); find any write."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="write the results, as JSON, to this file")

    def handle(self, *args, output, **options):
        client = Client(HTTP_HOST="127.0.0.1")
        results = []
        for page in bench_pages():
            _clear_cache()
            with override_settings(PAGE_CACHE_SECONDS=0):
                built = _visit(client, page.path)
            _visit(client, page.path)  # fills the page cache
            cached = _visit(client, page.path)
            results.append({**page.as_dict(), "cache_off": built, "cache_warm": cached})
            self.stdout.write(
                f"{page.name:16} {built['status']} {built['bytes']:>8,} bytes  "
                f"{built['queries']:>2} queries (cache off), {cached['queries']} (warm)"
                + (f"  WRITES: {built['writes'] + cached['writes']}" if built["writes"] else "")
            )
        data = {"database_rows": loaded_counts(), "pages": results}
        if output:
            with open(output, "w", encoding="utf-8") as file:
                json.dump(data, file, ensure_ascii=False, indent=2)
