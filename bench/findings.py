"""What profiling found behind each missed target: cause, fix, before and after.

A results file lists the entries of the targets its run missed. The figures
here were measured once, on 2026-11-29, on the benchmark's two-core machine
while other test suites were running on it (so they are noisy): the profiles
with cProfile, "before" with the code as it is, "after" with the fix applied
to a copy of the code (the fixes are in other apps, for their owners to make;
``results/2026-11-29-fixes-measured.diff`` is the prototype that was measured,
not a finished change). ``make bench`` itself measures only the code as it is.
"""

INTRO = """
Profiled on 2026-11-29 on the benchmark's machine while other test suites ran
on it (cProfile). "Before" is the code of the first `make bench` run, "after"
the fix measured on a copy (`bench/results/2026-11-29-fixes-measured.diff`).
The fixes for cached pages, search, the home page, the news list and the
digest were then applied to the code; the tables above measure the code with
them. What is still missed is explained below.
"""

FINDINGS: dict[str, str] = {
    "cached_pages": """
**Profile** (cProfile, 2,000 cached `/events/` requests through Django's WSGI
handler): 29 % of the time builds `redis.Redis` objects. Django's
`RedisCacheClient.get_client()` makes a new client for every cache call, and
redis-py 8's constructor copies its ~170 response callbacks each time: 48 µs
of a 96 µs `cache.get`. A cached page makes two such calls, one after the
other (the content generation, then the page), so two round trips to Redis.

**Fix** (`config/cache.py`, `portal/cache.py`):
1. `FailOpenRedisCache` uses a client class whose `get_client()` keeps one
   `redis.Redis` per connection pool (`self._class = ReusingRedisCacheClient`;
   the client is thread-safe, the pool does the rest).
2. `public_page` reads the generation and the page in one `MGET`, keyed by
   the generation this process saw last; the page counts only if the
   generation read with it is still that one, else it falls back to the two
   reads (so a content change still makes every page stale at once).

**Before → after**: in-process, a cached page 0.44–0.51 ms → 0.26–0.28 ms
against a floor of 0.17 ms. Under gunicorn, page and floor taking turns:
0.46–0.52× the floor (this run) → 0.68–0.78× (home 0.71, news list 0.68,
article 0.70, search 0.78, events 0.70). The rest is the one Redis round trip
and unpickling the response, with Redis, PostgreSQL, gunicorn and wrk sharing
two cores; storing `(status, headers, body)` instead of a pickled
`HttpResponse` would trim a little more.
""",
    "uncached_pages": """
**Cannot be met on this stack, measured.** The floor costs 0.14–0.17 ms
in-process; the portal's empty layout (`base.html`: navigation, language
links, one query for the sections) costs 2.2 ms, the reference row in the
pages table. Under gunicorn the fixed cost per request (accept, parse, close,
wrk's own share of two cores) dilutes this, and the empty layout lands at
about 0.2–0.3× the floor: 0.25× leaves a page about 2.5 ms of work including
its SQL, which Django's template engine spends on the layout alone. Real pages
cost 6–40 ms even after the fixes below (the article page: templates 55 %,
its four queries 35 %), i.e. 0.02–0.15×. Meeting the target would take
another template engine (Jinja2 renders such templates 3–5× faster) or
cached fragments, which "cache off" excludes.

**Costs that grew with the data** (fix regardless of the target; before →
after in-process with the fix applied to a copy, 100,000 articles):
- Home (`bulletin.selectors.latest_articles_by_section`): a window function
  ranks every published article to keep five per section: 116–185 ms. Each
  section's newest ids with `ArraySubquery` (an index walk per section), then
  one query for those articles: 3–5 ms, same result. Home 214 → 37 ms.
- News list (`bulletin/filters.py`): the company filter renders every listed
  company mentioned in the news as an `<option>`: ≈5,000 options, 350 KB of
  the 375 KB page, a 90 ms query and ~170 ms of rendering. Make it a hidden
  field (company pages link to `?company=<id>`) or an autocomplete.
  `published_years()` reads every article (`DISTINCT date_trunc`, 22–24 ms):
  take the range between `Min`/`Max(published_at)` (two index probes). News
  list 475 → 40 ms, 375 KB → 26 KB.
- Article (`article_neighbours`): loads every article of the issue (500 at
  this scale) to find two neighbours; two `LIMIT 1` queries on (section
  order, position, id) before and after the article would not grow.
""",
    "search_p95": """
**Profile**: the search ranks (`ts_rank`) and counts *every* match. 仪表 is
in 55 % of the articles (54,701): the count took 296 ms and the ranked page
452 ms; PostgreSQL rightly prefers a parallel sequential scan for a query that
matches half the table, so the index cannot help, and the search was slower
than the `icontains` scan it should beat by 20×.

**Fix** (`bulletin.selectors.article_search`): rank only the newest 1,000
matches (a bitmap scan of the GIN index, then the newest by date), list their
ids once in rank order, and page through that list (its length is the count:
show "1,000+" when capped). Apply the search after the section, year and
company filters in `ArticleFilter`, so that they narrow the candidates.

**Before → after** (p50 / p95 over 50 runs; three runs of each, on a machine
running other test suites): 仪表 693–855 / 725–905 ms → 25–28 / 62–71 ms;
知识产权示范企业 142–155 / 149–196 ms → 45–58 / 77–98 ms. With the page
cache off the search page went from 1 to 20 requests a second. The phrase
stays above the limit here: its 11,538 matches sit on 9,400
heap pages, because article rows are wide (about 4.6 per 8 KB page: body and
search words are stored inline, compressed), and the candidate step visits
them all (≈30 ms when the machine is quiet). Storing the search words and the
body out of line (`toast_tuple_target`) would shrink the heap about 8×.
""",
    "search_speedup": """
See the search latency above: with every match ranked and counted, the
search for a common word was slower than the sequential `icontains` scan
(which PostgreSQL runs on three processes). Ranking only the newest 1,000
matches made it 23–24× faster than the scan for 仪表 (0.8× before) and
10–16× for the phrase (4.7× before); the phrase is held back by the heap
visits described above.
""",
    "digest_time": """
**Profile** (cProfile, 300 digests): rendering the digest templates 52 % of
the time (about 130 `date` filters per message, for content that is the same
for every subscriber with the same window and sections), sending 34 % (the
floor's share: building the MIME message and SMTP), marking each delivery
sent 7 % (a transaction with two UPDATEs, four round trips per message).

**Fix** (`digests/messages.py`, `digests/services.py`):
1. Render each edition once per batch: subscribers with the same frequency,
   window and chosen sections get the same content; render it with
   placeholders for the address and the two links, then fill those in per
   subscriber (escaped in the HTML part).
2. Mark a delivery sent in one statement: `WITH sent AS (UPDATE delivery …
   RETURNING subscriber_id) UPDATE subscriber … FROM sent`, atomic by itself.

**Before → after**, 1,000 subscribers, each against a floor measured just
before it: 12.4–12.95 s against 4.26–4.37 s (2.9–3.0×) → 7.7–8.2 s against
4.2–4.5 s (1.8×); 10,000 subscribers in a whole `make bench`: 122.7 s against
41.5 s (2.96×, this run) → 75.5 s against 42.9 s (1.76×). Peak memory
unchanged (127 MB at 1,000 and at 10,000).
""",
}


def for_results(results: dict) -> list[str]:
    """Markdown paragraphs on every target that was missed at some point: what the
    profile showed, the fix, before and after, and whether ``results`` meets it now."""
    lines: list[str] = [INTRO.strip(), ""]
    for target in results["targets"]:
        text = FINDINGS.get(target["id"])
        if text:
            status = {True: "met", False: "missed"}.get(target["met"], "not measured")
            lines += [f"### {target['target']} ({status} in this run)", "", text.strip(), ""]
    return lines[:-1] if len(lines) > 2 else []
