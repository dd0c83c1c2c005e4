"""Benchmark results: the targets they are judged by, the results files, the README's table.

    python -m bench.report          # rewrite README.md's table from the latest results

``bench/results/<date>.json`` holds every figure; ``<date>.md`` is the same
for people; README.md shows the latest run between ``<!-- bench:start -->``
and ``<!-- bench:end -->`` in its "Benchmarks" section.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from . import findings

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = BASE_DIR / "bench" / "results"
README = BASE_DIR / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
# The reference rows (bench.run.REFERENCES), judged by no target.
REFERENCES = {
    "layout": "reference: an empty page in the portal's layout (1 query)",
    "one_query": "reference: the floor plus 1 one-row query through the ORM",
    "five_queries": "reference: the floor plus 5 one-row queries through the ORM",
}

CACHED_RATIO = 0.7
UNCACHED_RATIO = 0.25
MAX_QUERIES = 10
SEARCH_P95_MS = 50.0
SEARCH_ARTICLES = 100_000
SEARCH_SPEEDUP = 20.0
DIGEST_RATIO = 2.0
IMPORT_SECONDS = 60
DASHBOARD_MS = 200.0
DASHBOARD_QUERIES = 20
DIGEST_MEMORY_GROWTH = 0.10  # peak memory may differ by this share between sizes

TARGETS = {
    "cached_pages": f"cached anonymous pages ≥ {CACHED_RATIO}× the floor's throughput",
    "uncached_pages": f"uncached pages ≥ {UNCACHED_RATIO}× the floor's throughput",
    "queries": f"queries per page constant in the data size and ≤ {MAX_QUERIES}",
    "no_writes": "no database writes at all on an anonymous page view",
    "search_p95": f"search p95 ≤ {SEARCH_P95_MS:g} ms at {SEARCH_ARTICLES:,} articles",
    "search_speedup": f"search ≥ {SEARCH_SPEEDUP:g}× faster than a sequential icontains scan",
    "digest_time": f"digest ≤ {DIGEST_RATIO:g}× the floor's time for 10,000 messages",
    "digest_memory": "peak memory of the sending worker does not grow with the subscribers",
    "member_import": f"5,000 member rows read, previewed and imported in < {IMPORT_SECONDS} s",
    "dashboard": (
        f"the back office's front page (dashboard) in < {DASHBOARD_MS:g} ms (p95), with "
        f"≤ {DASHBOARD_QUERIES} queries, the same at both data sizes"
    ),
}


def _ratio(value: float | None, floor: float | None) -> float | None:
    if value is None or not floor:
        return None
    return round(value / floor, 4)


def _pages(queries: dict, tiny_queries: dict | None, served: dict) -> list[dict]:
    tiny = {page["name"]: page for page in (tiny_queries or {}).get("pages", [])}
    rows = []
    for page in queries["pages"]:
        load = served["pages"].get(page["name"])
        if load is None:
            continue
        floor, floor_off = _floors(load)
        warm, off = load.get("cache_warm") or {}, load.get("cache_off") or {}
        tiny_page = tiny.get(page["name"])
        rows.append(
            {
                "name": page["name"],
                "label": page["label"],
                "path": page["path"],
                "bytes": load.get("bytes", page["cache_off"]["bytes"]),
                "queries": page["cache_off"]["queries"],
                "queries_tiny": tiny_page["cache_off"]["queries"] if tiny_page else None,
                "queries_cached": page["cache_warm"]["queries"],
                "writes": page["cache_off"]["writes"] + page["cache_warm"]["writes"],
                "cache_warm": warm,
                "cache_off": off,
                "floor": load.get("floor"),
                "floor_off": load.get("floor_off"),
                "ratio_warm": _ratio(warm.get("requests_per_second"), floor),
                "ratio_off": _ratio(off.get("requests_per_second"), floor_off),
            }
        )
    for name, label in REFERENCES.items():
        reference = served["pages"].get(name)
        if reference is None:
            continue
        floor, floor_off = _floors(reference)
        warm, off = reference.get("cache_warm") or {}, reference.get("cache_off") or {}
        rows.append(
            {
                "name": name,
                "label": label,
                "path": reference.get("path", ""),
                "reference": True,
                "bytes": reference.get("bytes"),
                "queries": None,
                "queries_tiny": None,
                "queries_cached": None,
                "writes": [],
                "cache_warm": warm,
                "cache_off": off,
                "floor": reference.get("floor"),
                "floor_off": reference.get("floor_off"),
                "ratio_warm": _ratio(warm.get("requests_per_second"), floor),
                "ratio_off": _ratio(off.get("requests_per_second"), floor_off),
            }
        )
    return rows


def _floors(load: dict) -> tuple[float | None, float | None]:
    """The floor's requests per second measured beside the page, cache warm and cache off.

    Results from before 2026-12-01 measured the floor with the cache warm only.
    """
    warm = (load.get("floor") or {}).get("requests_per_second")
    off = (load.get("floor_off") or {}).get("requests_per_second")
    return warm, off or warm


def _target(name: str, met: bool | None, measured: str) -> dict:
    return {"id": name, "target": TARGETS[name], "measured": measured, "met": met}


def evaluate(results: dict) -> list[dict]:
    """Each target with what was measured and whether it is met (None: not measured)."""
    pages = [page for page in results["pages"] if not page.get("reference")]
    targets = []
    for key, name, limit in (
        ("ratio_warm", "cached_pages", CACHED_RATIO),
        ("ratio_off", "uncached_pages", UNCACHED_RATIO),
    ):
        ratios = [(page[key], page["name"]) for page in pages if page[key] is not None]
        if ratios:
            worst, worst_page = min(ratios)
            below = sum(ratio < limit for ratio, _ in ratios)
            measured = (
                f"lowest {_times(worst)}× ({worst_page}); {len(ratios) - below} of "
                f"{len(ratios)} pages meet it"
            )
            references = [
                f"{page['label'].removeprefix('reference: ')}: {_times(page[key])}×"
                for page in results["pages"]
                if page.get("reference") and page[key] is not None
            ]
            if references:
                measured += f" (for reference, {'; '.join(references)})"
            targets.append(_target(name, below == 0, measured))
        else:
            targets.append(_target(name, None, "not measured"))

    most = max((page["queries"] for page in pages), default=0)
    compared = [page for page in pages if page["queries_tiny"] is not None]
    changed = [page["name"] for page in compared if page["queries"] != page["queries_tiny"]]
    measured = f"at most {most} queries per page"
    if compared:
        measured += (
            "; the same at both data sizes"
            if not changed
            else f"; differs between data sizes on {', '.join(changed)}"
        )
    else:
        measured += "; one data size only"
    met = most <= MAX_QUERIES and not changed
    # Constancy needs two sizes: with one, only a miss of the limit is a verdict.
    targets.append(_target("queries", met if compared or not met else None, measured))

    in_process = sum(len(page["writes"]) for page in pages)
    served = results.get("writes_during_load", {})
    server_rows = sum(sum(mode.values()) for mode in served.values())
    targets.append(
        _target(
            "no_writes",
            in_process == 0 and server_rows == 0,
            f"{in_process} writing statements in-process; {server_rows} rows written "
            "while gunicorn served the pages",
        )
    )

    search = results.get("search")
    if search:
        articles = search["database_rows"]["articles"]
        worst = max(query["search"]["p95_ms"] for query in search["queries"])
        slowest = min(query["speedup_vs_icontains"] for query in search["queries"])
        scale = "" if articles == SEARCH_ARTICLES else f" (at {articles:,} articles)"
        targets.append(
            _target("search_p95", worst <= SEARCH_P95_MS, f"worst p95 {worst} ms{scale}")
        )
        targets.append(
            _target(
                "search_speedup",
                slowest >= SEARCH_SPEEDUP,
                f"at least {slowest}× faster (median against median){scale}",
            )
        )
    else:
        targets.append(_target("search_p95", None, "not measured"))
        targets.append(_target("search_speedup", None, "not measured"))

    digest = results.get("digest")
    if digest and digest["runs"]:
        largest = digest["runs"][-1]
        ratio = round(largest["seconds"] / digest["floor"]["seconds"], 2)
        count = f"{largest['subscribers']:,} messages"
        targets.append(
            _target(
                "digest_time",
                ratio <= DIGEST_RATIO and largest["sent"] == largest["received"],
                f"{ratio}× the floor's time for {count}",
            )
        )
        if len(digest["runs"]) > 1:
            smallest = digest["runs"][0]
            growth = largest["peak_memory_mb"] - smallest["peak_memory_mb"]
            targets.append(
                _target(
                    "digest_memory",
                    growth <= DIGEST_MEMORY_GROWTH * smallest["peak_memory_mb"],
                    f"{smallest['peak_memory_mb']} MB at {smallest['subscribers']:,}, "
                    f"{largest['peak_memory_mb']} MB at {largest['subscribers']:,} subscribers",
                )
            )
        else:
            targets.append(_target("digest_memory", None, "one size only"))
    else:
        targets.append(_target("digest_time", None, "not measured"))
        targets.append(_target("digest_memory", None, "not measured"))
    imported = (results.get("member_import") or {}).get("runs") or []
    if imported:
        largest = imported[-1]
        targets.append(
            _target(
                "member_import",
                largest["total_s"] < IMPORT_SECONDS and largest["errors"] == 0,
                f"{largest['rows']:,} rows in {largest['total_s']} s "
                f"(read {largest['read_s']}, preview {largest['preview_s']}, "
                f"import {largest['apply_s']}); peak "
                + ", ".join(f"{run['peak_memory_mb']} MB at {run['rows']:,}" for run in imported),
            )
        )
    else:
        targets.append(_target("member_import", None, "not measured"))
    targets.append(_dashboard_target(results.get("dashboard")))
    return targets


def _dashboard_target(dashboard: dict | None) -> dict:
    if not dashboard:
        return _target("dashboard", None, "not measured")
    main, tiny = dashboard["main"], dashboard.get("tiny")
    rows = main["rows"]

    def queries(run: dict) -> str:
        return f"{run['queries_first']} then {run['queries']}"

    measured = (
        f"median {main['median_ms']} ms, p95 {main['p95_ms']} ms over {main['runs']} renders "
        f"(the first, with an empty cache, {main['first_ms']} ms); {queries(main)} queries"
        + (f" ({queries(tiny)} on the tiny data)" if tiny else "; one data size only")
        + f"; {rows['companies']:,} companies, {rows['dues_bills']:,} dues bills, "
        f"{rows['events_this_year']:,} events and "
        f"{rows['digest_deliveries_this_year'] + rows['notice_deliveries_this_year']:,} "
        f"deliveries in {main['year']}"
    )
    within = (
        main["p95_ms"] < DASHBOARD_MS
        and max(main["queries_first"], main["queries"]) <= DASHBOARD_QUERIES
    )
    same = tiny is not None and queries(tiny) == queries(main)
    # Like the pages' queries: constancy needs two sizes; with one, only a miss is a verdict.
    return _target("dashboard", (within and same) if tiny or not within else None, measured)


def assemble(
    *,
    date: str,
    started_at: str,
    machine: dict,
    versions: dict,
    servers: dict,
    settings: dict,
    seed: dict,
    queries: dict,
    tiny_queries: dict | None,
    served: dict,
    search: dict | None,
    digest: dict | None,
    timings: dict,
    member_import: dict | None = None,
    dashboard: dict | None = None,
) -> dict:
    results = {
        "date": date,
        "started_at": started_at,
        "duration_seconds": timings.get("total"),
        "phase_seconds": timings,
        "machine": machine,
        "versions": versions,
        "servers": servers,
        "settings": settings,
        "data": {
            "scale": seed["scale"],
            "rows": seed["counts"],
            "reused": seed["reused"],
            "seeded_at": seed.get("seeded_at"),
            "seed_seconds": seed["timings"],
            "tiny_rows": (tiny_queries or {}).get("database_rows"),
        },
        "pages": _pages(queries, tiny_queries, served),
        "writes_during_load": served["writes"],
        "search": search,
        "digest": digest,
        "member_import": member_import,
        "dashboard": dashboard,
    }
    if digest and digest["runs"]:
        results["digest"]["ratio_to_floor"] = round(
            digest["runs"][-1]["seconds"] / digest["floor"]["seconds"], 2
        )
    results["targets"] = evaluate(results)
    return results


# Markdown


def verdict(value: bool | None) -> str:
    return {True: "met", False: "missed", None: "not measured"}[value]


def _met(value: bool | None) -> str:
    return "**missed**" if value is False else verdict(value)


def _num(value, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def _times(ratio: float | None) -> str:
    """A ratio to the floor: two decimals, two significant digits below 0.1 (0.0031)."""
    if ratio is None:
        return "–"
    return f"{ratio:.2g}" if ratio < 0.1 else f"{ratio:.2f}"


def targets_table(results: dict) -> list[str]:
    lines = ["| target | measured | |", "|---|---|---|"]
    for target in results["targets"]:
        lines.append(f"| {target['target']} | {target['measured']} | {_met(target['met'])} |")
    return lines


def pages_table(results: dict) -> list[str]:
    lines = [
        "| page | bytes | queries | cached req/s | × floor | p50 / p99 ms "
        "| uncached req/s | × floor | p50 / p99 ms | floor req/s (warm / off) |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for page in results["pages"]:
        warm, off = page["cache_warm"] or {}, page["cache_off"] or {}
        floor_warm, floor_off = _floors(page)
        queries = "–" if page["queries"] is None else str(page["queries"])
        if page["queries_tiny"] is not None:
            queries += f" ({page['queries_tiny']})"
        lines.append(
            f"| {page['label']} | {page['bytes']:,} | {queries} "
            f"| {_num(warm.get('requests_per_second'))} | {_times(page['ratio_warm'])} "
            f"| {_num(warm.get('p50_ms'), 1)} / {_num(warm.get('p99_ms'), 1)} "
            f"| {_num(off.get('requests_per_second'))} | {_times(page['ratio_off'])} "
            f"| {_num(off.get('p50_ms'), 1)} / {_num(off.get('p99_ms'), 1)} "
            f"| {_num(floor_warm)} / {_num(floor_off)} |"
        )
    return lines


def search_table(results: dict) -> list[str]:
    search = results.get("search")
    if not search:
        return ["Not measured."]
    lines = [
        "| query | matches | search p50 / p95 ms | without index p50 ms "
        "| icontains scan p50 ms | × faster than icontains |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for query in search["queries"]:
        indexed = query["search"]
        lines.append(
            f"| {query['query']} | {indexed['matches']:,} "
            f"| {indexed['p50_ms']:,.1f} / {indexed['p95_ms']:,.1f} "
            f"| {query['search_without_index']['p50_ms']:,.1f} "
            f"| {query['icontains_scan']['p50_ms']:,.1f} | {query['speedup_vs_icontains']} |"
        )
    return lines


def digest_table(results: dict) -> list[str]:
    digest = results.get("digest")
    if not digest:
        return ["Not measured."]
    floor = digest["floor"]
    lines = [
        "| | messages | seconds | messages/s | × floor's time | peak memory |",
        "|---|--:|--:|--:|--:|--:|",
        f"| floor: pre-rendered, one connection | {floor['sent']:,} | {floor['seconds']} "
        f"| {floor['messages_per_second']:,.0f} | 1 | – |",
    ]
    for run in digest["runs"]:
        ratio = "–"
        if run["subscribers"] == floor["messages"]:
            ratio = f"{run['seconds'] / floor['seconds']:.2f}"
        lines.append(
            f"| digest to {run['subscribers']:,} subscribers | {run['sent']:,} "
            f"| {run['seconds']} | {run['messages_per_second']:,.0f} | {ratio} "
            f"| {run['peak_memory_mb']} MB |"
        )
    lines.append("")
    lines.append(
        f"A message: {floor['message_bytes']:,} bytes on average (each subscriber's weekly "
        "digest of the newest week of news in the sections they chose, HTML and text; the "
        "floor sends the same editions). Every run's messages all reached the sink: "
        + ", ".join(f"{run['received']:,} of {run['sent']:,}" for run in digest["runs"])
        + "."
    )
    return lines


def dashboard_table(results: dict) -> list[str]:
    dashboard = results.get("dashboard")
    if not dashboard:
        return ["Not measured."]
    lines = [
        "| data | queries (first, then) | first render ms | median ms | p95 ms | slowest ms "
        "| bytes | companies | dues bills | digest / notice deliveries this year |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for name, run in (("benchmark", dashboard["main"]), ("tiny", dashboard.get("tiny"))):
        if run is None:
            continue
        rows = run["rows"]
        lines.append(
            f"| {name} | {run['queries_first']}, {run['queries']} | {run['first_ms']} "
            f"| {run['median_ms']} | {run['p95_ms']} "
            f"| {run['max_ms']} | {run['bytes']:,} | {rows['companies']:,} "
            f"| {rows['dues_bills']:,} | {rows['digest_deliveries_this_year']:,} / "
            f"{rows['notice_deliveries_this_year']:,} |"
        )
    return lines


def markdown(results: dict) -> str:
    machine, versions, settings = results["machine"], results["versions"], results["settings"]
    data = results["data"]
    rows = data["rows"]
    seed = data["seed_seconds"]
    phases = ", ".join(f"{name} {sec:.1f} s" for name, sec in seed.items() if name != "total")
    seed_text = f"seed_bench loaded them in {seed.get('total', 0):.1f} s ({phases})"
    if data["reused"]:
        seed_text = (
            f"{seed_text} at {data.get('seeded_at') or 'an earlier run'}, and this run reused them"
        )
    tool = settings["load_generator"]
    lines = [
        f"# Benchmark results, {results['date']}",
        "",
        f"`make bench`, started {results['started_at']}, took "
        f"{results['duration_seconds'] / 60:.1f} minutes "
        f"({', '.join(f'{k} {v:.0f} s' for k, v in results['phase_seconds'].items())}).",
        "",
        f"- Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gb']} GB, "
        f"{machine['system']}; load average at the start {machine['load_average_at_start']}"
        + (
            f"; a 2,000,000-step Python loop took {machine['python_loop_ms']:g} ms."
            if machine.get("python_loop_ms")
            else "."
        ),
        "- Versions: "
        + ", ".join(f"{name} {version}" for name, version in results["versions"].items()),
        f"- Servers: {results['servers']['database']}; {results['servers']['redis']}.",
        f"- Data: {rows['companies']:,} companies, {rows['articles']:,} articles in "
        f"{rows['issues']:,} issues, {rows['events']:,} events, {rows['honours']:,} honours, "
        f"{rows['subscribers']:,} subscribers; {seed_text}.",
        f"- Load: {versions.get('load_generator', tool)}, {settings['connections']} connections, "
        f"{settings['threads']} threads, {settings['duration_s']:g} s per page and mode after "
        f"{settings['warmup_s']:g} s of warm-up (page and floor take turns, "
        f"{settings.get('rounds', 1)} runs each); gunicorn with {settings['gunicorn_workers']} "
        f"{settings['gunicorn_worker_class']} workers, production settings, on 127.0.0.1.",
        "",
        "## Targets",
        "",
        *targets_table(results),
        "",
        "## Pages",
        "",
        "Requests per second for an anonymous visitor, with the page cache warm and with it off "
        "(`PAGE_CACHE_SECONDS=0`), against the floor: a view that returns as many bytes from "
        "memory through the same middleware and gunicorn. Queries: with the cache off "
        "(in brackets, on the tiny data set); with the cache warm every page needs none.",
        "",
        *pages_table(results),
        "",
        "The reference rows are never page-cached; they are measured with the cache off "
        "only, each against its floor: what any page costs before its own content.",
        "",
        "Rows written while gunicorn served the pages: "
        + "; ".join(
            f"{mode.replace('_', ' ')}: {sum(counts.values())}"
            for mode, counts in results["writes_during_load"].items()
        )
        + " (PostgreSQL's row counters for the database, before and after).",
        "",
        "## Search",
        "",
        "The news page's search (`article_search` on the news list's articles, then the count "
        "and page 1 of 20), timed in-process; "
        "without the index: the same with index scans switched off; icontains: "
        "`title__icontains | body__icontains`, count and page 1 (a sequential scan).",
        "",
        *search_table(results),
        "",
        "## Digest",
        "",
        "A weekly digest (`digest_run_create` + `digest_run_send`) to a counting SMTP sink on "
        "loopback, against the floor: the same subscribers' messages, each subscriber's "
        "edition rendered beforehand, sent over one SMTP connection through Django's SMTP "
        "backend (which builds each MIME message as it sends). Peak memory: the sending "
        "process's maximum resident set.",
        "",
        *digest_table(results),
        "",
        "## Dashboard",
        "",
        "The back office's front page (`/admin/`: the to-do list and every figure of the "
        "dashboard) as a superuser sees it, rendered in-process through Django's test client "
        "with DEBUG off (`bench_dashboard`): the first render with an empty cache (it counts "
        "the year's deliveries, which the next renders find in the cache), two more "
        "unmeasured, then the timed ones. Beyond the seed, the command makes five years of "
        "dues bills and payments, this year's weekly digests to every subscriber, a notice a "
        "month to a contact of every member, applications and profile changes; it commits "
        "and vacuums them before measuring (as a database that has lived with them), and "
        "removes them afterwards.",
        "",
        *dashboard_table(results),
    ]
    notes = findings.for_results(results)
    if notes:
        lines += ["", "## Targets missed on the way: profiles, causes and fixes", "", *notes]
    return "\n".join(lines) + "\n"


def write_results(results: dict, directory: Path = RESULTS_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    json_path = directory / f"{results['date']}.json"
    md_path = directory / f"{results['date']}.md"
    json_path.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", "utf-8")
    md_path.write_text(markdown(results), "utf-8")
    return [json_path, md_path]


def readme_table(results: dict) -> str:
    lines = [
        START,
        f"Latest run: {results['date']} ([results](bench/results/{results['date']}.md)), "
        f"{results['machine']['cores']} cores, {results['data']['rows']['articles']:,} articles, "
        f"{results['settings']['load_generator']}.",
        "",
        *targets_table(results),
        "",
        *pages_table(results),
        END,
    ]
    return "\n".join(lines)


def update_readme(results: dict, readme: Path = README) -> None:
    """Replace the table between the markers in README.md's Benchmarks section."""
    text = readme.read_text("utf-8")
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        raise RuntimeError(f"{readme} has no {START} … {END} markers")
    readme.write_text(text[:start] + readme_table(results) + text[end + len(END) :], "utf-8")


def latest_results(directory: Path = RESULTS_DIR) -> dict:
    files = sorted(directory.glob("????-??-??.json"))
    if not files:
        raise RuntimeError(f"No results in {directory}: run make bench first.")
    return json.loads(files[-1].read_text("utf-8"))


def refresh(results: dict) -> dict:
    """Ratios and verdicts recomputed from the measured figures (after a change of rules)."""
    for page in results["pages"]:
        floors = _floors(page)
        for mode, key, floor in zip(
            ("cache_warm", "cache_off"), ("ratio_warm", "ratio_off"), floors, strict=True
        ):
            page[key] = _ratio((page.get(mode) or {}).get("requests_per_second"), floor)
    results["targets"] = evaluate(results)
    return results


def main() -> None:
    results = refresh(latest_results())
    write_results(results, RESULTS_DIR)
    update_readme(results)
    print(f"README.md and {results['date']}.md rewritten from {results['date']}.json")


if __name__ == "__main__":
    sys.exit(main())
