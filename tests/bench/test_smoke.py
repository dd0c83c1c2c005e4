"""make bench in miniature: a tiny load, one page and the floor for a second, the results' shape.

It runs the benchmark's own driver (bench.run) against this test run's
database and Redis, with wrk or ab when installed and the built-in Python
generator otherwise, so that it runs everywhere ``make test`` does.
"""

import json
import os
import shutil
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.db import connection

from bench import load, report
from bench import run as bench_run
from bench.servers import clear_cache
from bulletin.models import Article
from dues.models import DuesBill
from members.models import Company
from notices.models import NoticeDelivery

pytestmark = pytest.mark.django_db(transaction=True)


def _test_database_url() -> str:
    """A URL of the test database (the driver's subprocesses and gunicorn connect to it)."""
    database = settings.DATABASES["default"]
    query = {key: str(value) for key, value in database["OPTIONS"].items()}
    host, port = database["HOST"], database["PORT"]
    netloc = quote(database["USER"]) + (
        f":{quote(database['PASSWORD'])}" if database["PASSWORD"] else ""
    )
    if host.startswith("/"):  # a Unix socket (the embedded server)
        query["host"] = host
        if port:
            query["port"] = port
        netloc += "@"
    else:
        netloc += f"@{host}" + (f":{port}" if port else "")
    url = f"postgresql://{netloc}/{quote(database['NAME'])}"
    return url + (f"?{urlencode(query)}" if query else "")


def _run_smoke(tmp_path):
    prefix = f"xiehui-bench-smoke-{os.getpid()}"
    tool = "auto" if any(shutil.which(name) for name in load.TOOLS) else "python"
    options = bench_run.Options(
        seed_args=["--tiny", "--workers", "1"],
        pages=("article",),
        duration=1.0,
        warmup=0.0,
        connections=2,
        threads=1,
        workers=2,
        tool=tool,
        search=False,
        digest_sizes=(),
        import_rows=(20, 50),
        dashboard_runs=2,
        tiny_comparison=False,
        references=False,
        results_dir=tmp_path,
        update_readme=False,
        database_url=_test_database_url(),
        redis_url=os.environ["REDIS_URL"],
        cache_key_prefix=prefix,
        log=open(os.devnull, "w"),  # noqa: SIM115 (closed below)
    )
    try:
        return bench_run.run(options)
    finally:
        options.log.close()
        clear_cache(os.environ["REDIS_URL"], prefix)


def test_it_runs_the_benchmark_on_tiny_data(tmp_path):
    # This process's own writes (flushes between tests) must not count as gunicorn's:
    # PostgreSQL reports a backend's row counters late unless asked.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
    results = _run_smoke(tmp_path)
    _check_page(results)
    _check_dashboard(results)
    _check_files(results, tmp_path)
    _check_search_words()


def _check_page(results):
    [page] = results["pages"]
    assert page["name"] == "article"
    assert page["path"].startswith("/news/")
    assert page["bytes"] > 1000
    assert 0 < page["queries"] <= 10
    assert page["queries_cached"] == 0
    assert page["writes"] == []
    for run in (page["cache_warm"], page["cache_off"], page["floor"], page["floor_off"]):
        assert run["requests"] > 0
        assert run["requests_per_second"] > 0
        assert run["errors"] == 0
        assert 0 < run["p50_ms"] <= run["p99_ms"]
    assert page["ratio_warm"] > 0
    assert page["ratio_off"] > 0
    assert results["writes_during_load"] == {
        "cache_warm": {"inserted": 0, "updated": 0, "deleted": 0},
        "cache_off": {"inserted": 0, "updated": 0, "deleted": 0},
    }


def _check_dashboard(results):
    """The admin's front page, timed on the tiny data with its dues, mail and applications
    made for it (and removed afterwards: none of them is left)."""
    dashboard = results["dashboard"]["main"]
    assert dashboard["runs"] == 2
    assert 0 < dashboard["median_ms"] <= dashboard["p95_ms"] <= dashboard["max_ms"]
    assert 0 < dashboard["queries"] <= dashboard["queries_first"] <= 20
    assert dashboard["first_ms"] > 0
    assert dashboard["bytes"] > 10_000
    assert dashboard["rows"]["companies"] == 60
    assert dashboard["rows"]["dues_bills"] > 60
    assert dashboard["rows"]["notice_deliveries_this_year"] > 0
    assert results["dashboard"]["tiny"] is None  # no second size in the smoke run
    assert DuesBill.objects.count() == 0
    assert NoticeDelivery.objects.count() == 0


def _check_files(results, directory):
    saved = json.loads((directory / f"{results['date']}.json").read_text("utf-8"))
    assert saved == json.loads(json.dumps(results))
    assert set(saved) >= {"machine", "versions", "data", "pages", "targets", "settings"}
    assert saved["machine"]["cores"] >= 1
    assert {"python", "django", "postgresql", "redis", "gunicorn"} <= set(saved["versions"])
    assert saved["data"]["rows"]["articles"] == 400
    assert [target["id"] for target in saved["targets"]] == list(report.TARGETS)
    by_id = {target["id"]: target for target in saved["targets"]}
    assert by_id["no_writes"]["met"] is True
    assert "one data size only" in by_id["dashboard"]["measured"]
    assert by_id["search_p95"]["met"] is None  # not measured in the smoke run
    markdown = (directory / f"{results['date']}.md").read_text("utf-8")
    assert "## Targets" in markdown
    assert "| article |" in markdown
    assert "## Dashboard" in markdown and "| benchmark |" in markdown


def _check_search_words():
    """seed_bench fills the search words as save() would."""
    assert Article.objects.count() == 400
    assert Company.objects.count() == 60
    for article in Article.objects.order_by("?")[:5]:
        assert article.search_tokens == article.build_search_tokens()
    for company in Company.objects.order_by("?")[:5]:
        assert company.search_tokens == company.build_search_tokens()
