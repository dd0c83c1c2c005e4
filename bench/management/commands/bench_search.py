"""Time the news search as the news page runs it, with and without its index, and icontains.

For each query: the news page's search (``bulletin.selectors.article_search``
on the news list's articles, then the count and page 1 of 20), many times;
the same with index scans switched off in PostgreSQL (so the search words are
read row by row); and a sequential ``title__icontains | body__icontains`` scan
of the same articles, a few times.
"""

import json
import statistics
import time

from django.core.management.base import BaseCommand
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import Q

from bench.pages import SEARCH_PHRASE, SEARCH_WORD
from bench.seed import loaded_counts
from bulletin.selectors import article_list_queryset, article_search
from bulletin.views import PER_PAGE


def _first_page(queryset) -> int:
    page = Paginator(queryset, PER_PAGE).get_page(1)
    list(page.object_list)
    return page.paginator.count


def portal_search(text: str) -> int:
    """The news page's search for ``text``: the matching articles' count and first page."""
    return _first_page(article_search(article_list_queryset(), text))


def portal_search_without_index(text: str) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("SET LOCAL enable_indexonlyscan = off")
        return portal_search(text)


def icontains_scan(text: str) -> int:
    matches = Q(title__icontains=text) | Q(body__icontains=text)
    return _first_page(article_list_queryset().filter(matches))


def timed(function, text: str, *, runs: int, budget: float) -> dict:
    """Milliseconds of ``runs`` calls (fewer when over ``budget`` seconds), after a warm-up."""
    matches = function(text)
    times: list[float] = []
    started = time.perf_counter()
    while len(times) < runs and (len(times) < 3 or time.perf_counter() - started < budget):
        before = time.perf_counter()
        function(text)
        times.append((time.perf_counter() - before) * 1000)
    times.sort()
    return {
        "runs": len(times),
        "matches": matches,
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[min(len(times) - 1, round(0.95 * (len(times) - 1)))], 2),
        "max_ms": round(times[-1], 2),
    }


class Command(BaseCommand):
    help = "Time the news search with and without its full-text index, and an icontains scan."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=50, help="runs of the indexed search")
        parser.add_argument("--slow-runs", type=int, default=3, help="runs of the slow variants")
        parser.add_argument(
            "--budget", type=float, default=15.0, help="seconds per variant, at most"
        )
        parser.add_argument("--output", help="write the results, as JSON, to this file")

    def handle(self, *args, runs, slow_runs, budget, output, **options):
        results = []
        for text in (SEARCH_WORD, SEARCH_PHRASE):
            indexed = timed(portal_search, text, runs=runs, budget=budget)
            unindexed = timed(portal_search_without_index, text, runs=slow_runs, budget=budget)
            scan = timed(icontains_scan, text, runs=slow_runs, budget=budget)
            results.append(
                {
                    "query": text,
                    "search": indexed,
                    "search_without_index": unindexed,
                    "icontains_scan": scan,
                    "speedup_vs_icontains": round(scan["p50_ms"] / indexed["p50_ms"], 1),
                    "speedup_vs_no_index": round(unindexed["p50_ms"] / indexed["p50_ms"], 1),
                }
            )
            self.stdout.write(
                f"{text}: {indexed['matches']:,} matches; search p50 {indexed['p50_ms']} ms, "
                f"p95 {indexed['p95_ms']} ms; without index p50 {unindexed['p50_ms']} ms; "
                f"icontains p50 {scan['p50_ms']} ms ({scan['matches']:,} matches)"
            )
        data = {"database_rows": loaded_counts(), "queries": results}
        if output:
            with open(output, "w", encoding="utf-8") as file:
                json.dump(data, file, ensure_ascii=False, indent=2)
