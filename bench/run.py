"""The benchmark, end to end: ``make bench`` runs ``python -m bench.run``.

1. PostgreSQL and Redis as ``make test`` finds them (bench/servers.py), with
   databases of the benchmark's own; migrate; ``seed_bench`` (reused when the
   scale matches), and a tiny load in a second database.
2. In-process measurements, each a ``manage.py`` command in a fresh process:
   SQL queries and writes per page at both sizes (bench_queries), member
   imports (bench_member_import), the back office's front page, its
   dashboard, at both sizes (bench_dashboard), search latency
   (bench_search), digest throughput and memory (bench_digest).
3. The portal under gunicorn with production settings on loopback, once with
   the page cache on (warm) and once with it off (PAGE_CACHE_SECONDS=0): each
   page under load (wrk or ab) for a fixed time after a warm-up, and, in the
   same gunicorn, taking turns with it, the floor (``/bench/floor/<bytes>/``)
   at the page's size. PostgreSQL's row counters show whether gunicorn wrote
   anything meanwhile.
4. Results to ``bench/results/<date>.json`` and ``.md``; the README's table.

    python -m bench.run                    # the full benchmark (about 10 minutes)
    python -m bench.run --duration 5 --pages home article --digest-sizes 0
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from . import load, report, servers

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = BASE_DIR / "bench" / "results"
ALL_PAGES = (
    "home",
    "news",
    "news_filtered",
    "article",
    "search_word",
    "search_phrase",
    "directory_city",
    "company",
    "events",
    "honours",
)
PAGE_CACHE_ON_SECONDS = 300
# Reference rows (bench/views.py), measured with the page cache off only (nothing
# caches them): what any page costs before its own content.
REFERENCES = (
    {"name": "layout", "path": "/bench/layout/"},
    {"name": "one_query", "path": "/bench/queries/1/"},
    {"name": "five_queries", "path": "/bench/queries/5/"},
)


@dataclass
class Options:
    seed_args: list[str] = field(default_factory=list)  # seed_bench's scale options
    pages: tuple[str, ...] = ALL_PAGES
    # Seconds of load per page and mode (and as many for its floor), in turns of
    # duration / rounds seconds; a warm-up before each page.
    duration: float = 4.0
    warmup: float = 2.0
    rounds: int = 2
    connections: int = 16
    threads: int = 2
    workers: int = 2 * (os.cpu_count() or 1) + 1
    tool: str = "auto"
    search: bool = True
    search_runs: int = 50
    digest_sizes: tuple[int, ...] = (1_000, 10_000)
    import_rows: tuple[int, ...] = (500, 5_000)  # member imports timed (none: skipped)
    dashboard_runs: int = 30  # renders of the admin's front page timed (0: skipped)
    tiny_comparison: bool = True
    references: bool = True
    results_dir: Path = RESULTS_DIR
    update_readme: bool = True
    database_url: str | None = None
    redis_url: str | None = None
    cache_key_prefix: str = servers.CACHE_KEY_PREFIX
    log: object = sys.stderr


def say(options: Options, text: str) -> None:
    print(f"bench: {text}", file=options.log, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Runner:
    """Runs manage.py commands and gunicorn with the benchmark's environment."""

    def __init__(self, options: Options, chosen: servers.Servers, workdir: Path):
        self.options = options
        self.servers = chosen
        self.workdir = workdir
        self.port = free_port()
        self.static_root = workdir / "static"
        self.env = {
            **os.environ,
            "DATABASE_URL": chosen.database_url,
            "REDIS_URL": chosen.redis_url,
            "CACHE_KEY_PREFIX": options.cache_key_prefix,
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "SITE_URL": f"http://127.0.0.1:{self.port}",
            "STATIC_ROOT": str(self.static_root),
            "BENCH_FLOOR": "true",
            "CELERY_TASK_ALWAYS_EAGER": "true",
            "LOG_LEVEL": "WARNING",
            "PAGE_CACHE_SECONDS": str(PAGE_CACHE_ON_SECONDS),
        }
        for name in ("DATABASE_TEST_NAME", "EMBEDDED_POSTGRES_DIR", "EMAIL_HOST"):
            self.env.pop(name, None)

    def manage(self, *args: str, database_url: str | None = None, quiet: bool = False) -> None:
        env = dict(self.env)
        if database_url:
            env["DATABASE_URL"] = database_url
            env["CACHE_KEY_PREFIX"] = f"{self.options.cache_key_prefix}-other"
        command = [sys.executable, "manage.py", *args]
        output = subprocess.DEVNULL if quiet else None
        subprocess.run(command, cwd=BASE_DIR, env=env, check=True, stdout=output)

    def manage_json(self, *args: str, database_url: str | None = None) -> dict:
        path = self.workdir / f"{args[0]}-{time.monotonic_ns()}.json"
        self.manage(*args, "--output", str(path), database_url=database_url)
        return json.loads(path.read_text(encoding="utf-8"))

    @contextmanager
    def gunicorn(self, *, cache_on: bool):
        env = dict(self.env, PAGE_CACHE_SECONDS=str(PAGE_CACHE_ON_SECONDS if cache_on else 0))
        log_path = self.workdir / f"gunicorn-{'warm' if cache_on else 'off'}.log"
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.options.workers),
            "--timeout",
            "120",
            "--worker-tmp-dir",
            "/dev/shm" if Path("/dev/shm").is_dir() else tempfile.gettempdir(),
            "--error-logfile",
            str(log_path),
            "--log-level",
            "warning",
        ]
        with open(log_path, "ab") as log_file:
            process = subprocess.Popen(
                command, cwd=BASE_DIR, env=env, stdout=log_file, stderr=subprocess.STDOUT
            )
        try:
            self._wait_ready(process, log_path)
            self.gunicorn_pid = process.pid
            yield f"http://127.0.0.1:{self.port}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def _wait_ready(self, process: subprocess.Popen, log_path: Path) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{log_path.read_text(errors='replace')}")
            try:
                fetch(f"http://127.0.0.1:{self.port}/bench/floor/1/")
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer within 60 s")


def _children_cpu_ticks(parent: int) -> int:
    """CPU time (clock ticks) used so far by ``parent``'s child processes (Linux /proc)."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == parent:  # ppid
            total += int(fields[11]) + int(fields[12])  # utime + stime
    return total


def _active_queries(database_url: str) -> int:
    import psycopg

    name = urlsplit(database_url).path.lstrip("/")
    with psycopg.connect(database_url, autocommit=True) as connection:
        return connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND state = 'active' "
            "AND pid <> pg_backend_pid()",
            [name],
        ).fetchone()[0]


def wait_until_idle(gunicorn_pid: int, database_url: str, timeout: float = 300.0) -> float:
    """Wait until gunicorn has finished what a load run left behind; returns the seconds waited.

    When the load generator stops, requests it already sent are still queued
    or running in the workers (a sync worker notices a gone client only when
    it answers); measuring the next page meanwhile would charge it for them.
    Idle: the workers used no CPU for 0.2 s and PostgreSQL runs no query of
    ours, twice in a row.
    """
    started = time.monotonic()
    if not Path("/proc/self/stat").exists():
        time.sleep(5)
        return 5.0
    quiet = 0
    while quiet < 2:
        if time.monotonic() - started > timeout:
            raise RuntimeError(f"gunicorn still busy after {timeout:.0f} s")
        before = _children_cpu_ticks(gunicorn_pid)
        time.sleep(0.2)
        busy = _children_cpu_ticks(gunicorn_pid) - before > 1 or _active_queries(database_url)
        quiet = 0 if busy else quiet + 1
    return round(time.monotonic() - started, 1)


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:
        if response.status != 200:
            raise OSError(f"{url}: HTTP {response.status}")
        return response.read()


def database_writes(database_url: str) -> dict:
    """PostgreSQL's running totals of rows inserted, updated and deleted in user tables."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as connection:
        row = connection.execute(
            "SELECT coalesce(sum(n_tup_ins), 0), coalesce(sum(n_tup_upd), 0), "
            "coalesce(sum(n_tup_del), 0) FROM pg_stat_user_tables"
        ).fetchone()
    return {"inserted": int(row[0]), "updated": int(row[1]), "deleted": int(row[2])}


def writes_between(before: dict, after: dict) -> dict:
    return {key: after[key] - before[key] for key in before}


def measure_pages(runner: Runner, options: Options, pages: list[dict], tool: str) -> dict:
    """Each page under load, cache warm then cache off; the floor at each page's size."""
    results = {
        page["name"]: {
            "path": page["path"],
            "cache_warm": None,
            "cache_off": None,
            "floor": None,
            "floor_off": None,
        }
        for page in pages
    }
    writes = {}
    for cache_on in (True, False):
        mode = "cache_warm" if cache_on else "cache_off"
        servers.clear_cache(runner.servers.redis_url, options.cache_key_prefix)
        before = database_writes(runner.servers.database_url)
        with runner.gunicorn(cache_on=cache_on) as base:
            for page in pages:
                if cache_on and page.get("reference"):
                    continue
                url = base + page["path"]
                size = len(fetch(url))
                results[page["name"]]["bytes"] = size
                # Page and floor take turns, so that a change in the machine's speed
                # (its neighbours) weighs on both alike: each mode has a floor of its own.
                floor_url = f"{base}/bench/floor/{size}/"
                run, floor = _paired(runner, tool, url, floor_url)
                results[page["name"]]["floor" if cache_on else "floor_off"] = floor
                results[page["name"]][mode] = run
                _report_run(options, f"{page['name']} ({mode})", run)
                _report_run(options, f"floor at {size:,} bytes", floor)
        # Backends report their counters when they end: read them once gunicorn is gone.
        time.sleep(1.0)
        writes[mode] = writes_between(before, database_writes(runner.servers.database_url))
    return {"pages": results, "writes": writes}


def _idle(runner: Runner) -> None:
    wait_until_idle(runner.gunicorn_pid, runner.servers.database_url)


def _run(runner: Runner, tool: str, url: str, seconds: float) -> load.LoadResult:
    options = runner.options
    return load.run_load(
        tool, url, seconds=seconds, connections=options.connections, threads=options.threads
    )


def _paired(runner: Runner, tool: str, url: str, floor_url: str) -> tuple[dict, dict]:
    """``url`` and the floor in turns, ``rounds`` times each, for ``duration`` in all."""
    options = runner.options
    if options.warmup > 0:
        _run(runner, tool, url, options.warmup)
        _run(runner, tool, floor_url, 1)  # the floor has nothing to warm but the workers
    rounds = max(1, min(options.rounds, int(options.duration)))
    chunk = options.duration / rounds
    pages, floors = [], []
    for _ in range(rounds):
        _idle(runner)
        pages.append(_run(runner, tool, url, chunk))
        _idle(runner)
        floors.append(_run(runner, tool, floor_url, chunk))
    _idle(runner)
    return load.combine(pages).as_dict(), load.combine(floors).as_dict()


def _report_run(options: Options, label: str, result: dict) -> None:
    say(
        options,
        f"  {label}: {result['requests_per_second']:,.0f} req/s, p50 {result['p50_ms']} ms, "
        f"p99 {result['p99_ms']} ms" + (f", {result['errors']} errors" if result["errors"] else ""),
    )


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "system": f"{platform.system()} {platform.release()}",
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "python_loop_ms": python_loop_ms(),
    }


def python_loop_ms(steps: int = 2_000_000) -> float:
    """Milliseconds for a fixed pure-Python loop (best of three): how fast this machine is
    right now, so that runs on different days (or neighbours) can be compared."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for step in range(steps):
            total += step
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 1)


def versions(chosen: servers.Servers, tool: str) -> dict:
    import django
    import gunicorn
    import psycopg
    import redis

    with psycopg.connect(chosen.database_url, autocommit=True) as connection:
        postgres = connection.execute("SHOW server_version").fetchone()[0]
    client = redis.Redis.from_url(chosen.redis_url)
    try:
        redis_server = client.info("server").get("redis_version", "?")
    finally:
        client.close()
    return {
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": postgres,
        "redis": redis_server,
        "gunicorn": gunicorn.__version__,
        "psycopg": psycopg.__version__,
        "load_generator": load.tool_version(tool),
    }


def run(options: Options) -> dict:
    """The whole benchmark; returns the results (also written to options.results_dir)."""
    started = time.perf_counter()
    started_at = datetime.now().astimezone()
    tool = load.find_tool(options.tool)
    load_at_start = machine()
    chosen = servers.choose_servers(database_url_=options.database_url, redis_url=options.redis_url)
    say(options, f"database: {chosen.database_source}; redis: {chosen.redis_source}")
    software = versions(chosen, tool)
    workdir = Path(tempfile.mkdtemp(prefix="xiehui-bench-"))
    timings: dict[str, float] = {}
    try:
        runner = Runner(options, chosen, workdir)

        def phase(name: str, since: float) -> float:
            now = time.perf_counter()
            timings[name] = round(now - since, 1)
            return now

        mark = time.perf_counter()
        say(options, "compiling translations, collecting static files, migrating")
        subprocess.run(
            [sys.executable, "-m", "scripts.compile_messages"],
            cwd=BASE_DIR,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        # Production settings serve hashed static file names from the manifest.
        runner.manage("collectstatic", "--noinput", quiet=True)
        runner.manage("migrate", "--noinput", quiet=True)
        seed = runner.manage_json("seed_bench", *options.seed_args)
        mark = phase("seed", mark)
        if options.tiny_comparison:
            runner.manage("migrate", "--noinput", quiet=True, database_url=chosen.tiny_database_url)
            runner.manage("seed_bench", "--tiny", quiet=True, database_url=chosen.tiny_database_url)
        say(options, "counting queries per page")
        servers.clear_cache(chosen.redis_url, options.cache_key_prefix)
        queries = runner.manage_json("bench_queries")
        tiny_queries = None
        if options.tiny_comparison:
            tiny_queries = runner.manage_json(
                "bench_queries", database_url=chosen.tiny_database_url
            )
        mark = phase("queries", mark)

        member_import = None
        if options.import_rows:
            sizes_text = " and ".join(f"{n:,}" for n in options.import_rows)
            say(options, f"timing member imports of {sizes_text} rows")
            member_import = runner.manage_json(
                "bench_member_import", "--rows", *(str(n) for n in options.import_rows)
            )
            mark = phase("member_import", mark)

        dashboard = None
        if options.dashboard_runs:
            say(options, "timing the back office's front page (the dashboard)")
            dashboard = {
                "main": runner.manage_json(
                    "bench_dashboard", "--runs", str(options.dashboard_runs)
                ),
                "tiny": None,
            }
            if options.tiny_comparison:
                dashboard["tiny"] = runner.manage_json(
                    "bench_dashboard", "--runs", "3", database_url=chosen.tiny_database_url
                )
            mark = phase("dashboard", mark)

        search = None
        if options.search:
            say(options, "timing the news search")
            search = runner.manage_json("bench_search", "--runs", str(options.search_runs))
            mark = phase("search", mark)

        digest = None
        subscribers = seed["counts"]["subscribers"]
        sizes = sorted({min(size, subscribers) for size in options.digest_sizes if size > 0})
        if sizes:
            say(options, f"sending digests to {', '.join(f'{n:,}' for n in sizes)} subscribers")
            digest = {
                "floor": runner.manage_json(
                    "bench_digest", "--floor", "--subscribers", str(sizes[-1])
                ),
                "runs": [
                    runner.manage_json("bench_digest", "--subscribers", str(size)) for size in sizes
                ],
            }
            mark = phase("digest", mark)

        pages = [page for page in queries["pages"] if page["name"] in options.pages]
        if options.references:
            pages += [dict(reference, reference=True) for reference in REFERENCES]
        say(
            options,
            f"loading {len(pages)} pages with {tool} for {options.duration:g} s each "
            f"({options.connections} connections, {options.workers} gunicorn workers)",
        )
        served = measure_pages(runner, options, pages, tool)
        phase("pages", mark)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        chosen.close()

    timings["total"] = round(time.perf_counter() - started, 1)
    results = report.assemble(
        date=started_at.date().isoformat(),
        started_at=started_at.isoformat(timespec="seconds"),
        machine=load_at_start,
        versions=software,
        servers={"database": chosen.database_source, "redis": chosen.redis_source},
        settings={
            "load_generator": tool,
            "duration_s": options.duration,
            "warmup_s": options.warmup,
            "rounds": max(1, min(options.rounds, int(options.duration))),
            "connections": options.connections,
            "threads": options.threads,
            "gunicorn_workers": options.workers,
            "gunicorn_worker_class": "sync",
        },
        seed=seed,
        queries=queries,
        tiny_queries=tiny_queries,
        served=served,
        search=search,
        digest=digest,
        member_import=member_import,
        dashboard=dashboard,
        timings=timings,
    )
    paths = report.write_results(results, options.results_dir)
    say(options, f"results: {', '.join(str(path) for path in paths)}")
    if options.update_readme:
        report.update_readme(results)
    for target in results["targets"]:
        say(
            options,
            f"{report.verdict(target['met']):>12}  {target['target']}: {target['measured']}",
        )
    say(options, f"done in {timings['total']:.0f} s")
    return results


def parse_args(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description="Run the Xiehui benchmark (make bench).")
    parser.add_argument(
        "--duration", type=float, default=Options.duration, help="seconds of load per page"
    )
    parser.add_argument(
        "--warmup", type=float, default=Options.warmup, help="seconds of warm-up per page"
    )
    parser.add_argument(
        "--rounds", type=int, default=Options.rounds, help="turns of page and floor"
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk's threads")
    parser.add_argument("--workers", type=int, default=Options.workers, help="gunicorn workers")
    parser.add_argument("--tool", choices=("auto", "wrk", "ab", "python"), default="auto")
    parser.add_argument("--pages", nargs="+", choices=ALL_PAGES, default=list(ALL_PAGES))
    parser.add_argument("--no-search", action="store_true")
    parser.add_argument("--search-runs", type=int, default=50)
    parser.add_argument(
        "--digest-sizes", type=int, nargs="*", default=[1_000, 10_000], help="0 to skip"
    )
    parser.add_argument(
        "--import-rows", type=int, nargs="*", default=[500, 5_000], help="none to skip"
    )
    parser.add_argument(
        "--dashboard-runs",
        type=int,
        default=Options.dashboard_runs,
        help="renders of the admin's front page to time (0 to skip)",
    )
    parser.add_argument("--no-tiny", action="store_true", help="skip the tiny-data comparison")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    parser.add_argument("--no-readme", action="store_true", help="leave README.md alone")
    parser.add_argument(
        "--seed-args",
        nargs=argparse.REMAINDER,
        default=[],
        help="options for seed_bench, e.g. --seed-args --articles 20000 (must come last)",
    )
    args = parser.parse_args(argv)
    return Options(
        seed_args=args.seed_args,
        pages=tuple(args.pages),
        duration=args.duration,
        warmup=args.warmup,
        rounds=args.rounds,
        connections=args.connections,
        threads=args.threads,
        workers=args.workers,
        tool=args.tool,
        search=not args.no_search,
        search_runs=args.search_runs,
        digest_sizes=tuple(args.digest_sizes),
        import_rows=tuple(size for size in args.import_rows if size > 0),
        dashboard_runs=max(0, args.dashboard_runs),
        tiny_comparison=not args.no_tiny,
        results_dir=args.results_dir,
        update_readme=not args.no_readme,
    )


def main(argv: list[str] | None = None) -> None:
    run(parse_args(argv))


if __name__ == "__main__":
    main()
