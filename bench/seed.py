"""Fill the database with synthetic content at a chosen scale, fast (see seed_bench).

Rows go in with PostgreSQL's COPY (psycopg 3 ``cursor.copy``), never one
INSERT at a time; the articles, whose search words (rjieba segmentation)
are most of the work, are built and copied by a pool of worker processes,
one bulletin issue at a time. The GIN indexes of the articles are dropped
during the load and built afterwards: on two cores that takes as long as
keeping them (37.7 s against 37.1 s at the default scale, measured back to
back) and leaves compact, freshly built indexes. Search words are made with
the models' own ``build_search_tokens()``, as ``save()`` would make them.

The scale of the last complete load is kept in a small table of its own
(``bench_seed``), so that a later run with the same scale reuses the data.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import json
import multiprocessing
import random
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta

import psycopg
from django.apps import apps
from django.core.management.color import no_style
from django.db import connection

from awards.models import Award, Honour
from bulletin.models import Article, Issue, Section
from digests.models import Subscriber
from events.models import AgendaItem, Event, Registration
from members.models import Company, CouncilSeat, IndustrySegment, Office, Officer, SeatRole, Term
from portal.search import html_to_text, index_tokens

from . import synthetic
from .synthetic import Vocabulary

SEED_TABLE = "bench_seed"
# The apps whose tables a load empties and fills.
SEEDED_APPS = ("members", "bulletin", "events", "awards", "digests")
ARTICLE_GIN_INDEXES = ("bulletin_article_search", "bulletin_article_title_trgm")


@dataclass(frozen=True)
class Scale:
    """How much data to make; the defaults are the benchmark's."""

    companies: int = 5_000
    articles: int = 100_000
    years: int = 10
    issues_per_year: int = 20
    events: int = 2_000
    honours: int = 20_000
    subscribers: int = 10_000
    body_bytes: int = 2_000
    seed: int = 1992

    @classmethod
    def tiny(cls) -> Scale:
        """A few seconds' worth, the same shape: for the tests and the query-count comparison."""
        return cls(
            companies=60,
            articles=400,
            years=2,
            issues_per_year=4,
            events=30,
            honours=120,
            subscribers=50,
        )

    @property
    def issues(self) -> int:
        return self.years * self.issues_per_year

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Progress:
    """What the loader reports: a phase, how far it is, and how far the whole load is."""

    phase: str
    done: int
    total: int
    fraction: float  # of the whole load


# Share of the load's time each phase takes at the default scale (for one progress bar).
PHASE_WEIGHTS = {
    "prepare": 0.01,
    "companies": 0.03,
    "articles": 0.70,
    "events": 0.02,
    "honours": 0.02,
    "subscribers": 0.01,
    "indexes": 0.14,
    "analyze": 0.07,
}


def _columns(model, fields: Sequence[str]) -> list[str]:
    return [model._meta.get_field(name).column for name in fields]


def copy_rows(cursor, model, fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """COPY ``rows`` (tuples in the order of ``fields``) into ``model``'s table."""
    columns = ", ".join(f'"{column}"' for column in _columns(model, fields))
    count = 0
    with cursor.copy(f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def copy_m2m(cursor, through, left: str, right: str, pairs: Iterable[tuple[int, int]]) -> int:
    columns = f'"{left}", "{right}"'
    count = 0
    with cursor.copy(f'COPY "{through._meta.db_table}" ({columns}) FROM STDIN') as copy:
        for pair in pairs:
            copy.write_row(pair)
            count += 1
    return count


def check_database() -> str:
    """The default database's name, if it is one a benchmark may empty; else an error.

    seed_bench empties the content tables and bench_digest rewrites subscribers:
    never on a database that is not the benchmark's (``*bench*``) or a test's.
    """
    name = connection.settings_dict["NAME"]
    if "bench" not in name and not name.startswith("test_"):
        raise RuntimeError(
            f"{name} is not a benchmark database: the benchmark's commands run only on "
            "databases named *bench* (make bench uses xiehui_bench) or test databases."
        )
    return name


def stored_load() -> dict | None:
    """The last complete load in this database: its scale, when, and how long it took."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [SEED_TABLE])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(
            f"SELECT scale, seeded_at, timings FROM {SEED_TABLE} ORDER BY seeded_at DESC LIMIT 1"
        )
        row = cursor.fetchone()
    if row is None:
        return None
    scale, seeded_at, timings = (json.loads(v) if isinstance(v, str) else v for v in row)
    return {"scale": scale, "seeded_at": seeded_at.isoformat(), "timings": timings}


def stored_scale() -> dict | None:
    """The scale of the last complete load in this database, or None."""
    load = stored_load()
    return load["scale"] if load else None


def loaded_counts() -> dict[str, int]:
    return {
        "companies": Company.objects.count(),
        "articles": Article.objects.count(),
        "issues": Issue.objects.count(),
        "events": Event.objects.count(),
        "honours": Honour.objects.count(),
        "subscribers": Subscriber.objects.count(),
    }


def is_loaded(scale: Scale) -> bool:
    """True when this database holds a complete load of ``scale``."""
    if stored_scale() != scale.as_dict():
        return False
    counts = loaded_counts()
    return (
        counts["companies"] == scale.companies
        and counts["articles"] == scale.articles
        and counts["issues"] == scale.issues
        and counts["events"] == scale.events
        and counts["honours"] == scale.honours
        and counts["subscribers"] == scale.subscribers
    )


# jieba segments each run of Chinese characters (and letters and digits) between
# punctuation and spaces on its own, so a text's words are its clauses' words: and
# the synthetic articles repeat their clauses, so each is segmented once per worker
# (Article.build_search_tokens gives the same words; a test compares them).
_CLAUSE_BREAK = re.compile(r"[\s，。、；：！？“”‘’（）《》【】]+")


@functools.lru_cache(maxsize=200_000)
def _clause_tokens(clause: str) -> str:
    return index_tokens(clause)


def search_tokens(*texts: str) -> str:
    """``index_tokens(*texts)``, a clause at a time, each clause segmented once."""
    words = (
        _clause_tokens(clause)
        for text in texts
        if text
        for clause in _CLAUSE_BREAK.split(text)
        if clause
    )
    return " ".join(word for word in words if word)


# The articles, in worker processes (forked: they inherit the plan below).

_plan: ArticlePlan | None = None
_worker_connection: psycopg.Connection | None = None


@dataclass
class ArticlePlan:
    """What every article worker needs to build any issue's articles on its own."""

    scale: Scale
    section_ids: list[int]
    section_slugs: list[str]
    issue_ids: list[int]
    issue_dates: list[datetime]  # publication time of each issue, oldest first
    company_ids: list[int]
    company_short_names: list[str]
    company_cum_weights: list[float]
    per_issue: list[int]  # articles in each issue
    first_id: list[int]  # id of each issue's first article

    def issue_articles(self, index: int) -> tuple[list[tuple], list[tuple[int, int]]]:
        """Rows of issue ``index``'s articles and their (article, company) mentions."""
        scale = self.scale
        rng = random.Random(scale.seed * 1_000_003 + index)
        vocabulary = Vocabulary(rng)
        end = self.issue_dates[index]
        start = self.issue_dates[index - 1] if index else end - (self.issue_dates[1] - end)
        span = (end - start).total_seconds()
        count = self.per_issue[index]
        titles: set[str] = set()
        rows, mentions = [], []
        for position in range(1, count + 1):
            article_id = self.first_id[index] + position - 1
            section = rng.choices(range(len(self.section_ids)), synthetic.SECTION_WEIGHTS)[0]
            mentioned = sorted(
                set(
                    rng.choices(
                        range(len(self.company_ids)),
                        cum_weights=self.company_cum_weights,
                        k=rng.choice((1, 1, 1, 2, 2, 3)),
                    )
                )
            )
            published_at = start + timedelta(seconds=span * position / (count + 1))
            title, subtitle, summary, paragraphs, source = vocabulary.article(
                self.section_slugs[section],
                [self.company_short_names[i] for i in mentioned],
                published_at.year,
                scale.body_bytes,
            )
            while title in titles:  # unique within the issue
                title = f"{title}（{rng.randint(2, 99)}）"
            titles.add(title)
            body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
            draft = rng.random() < 0.005
            rows.append(
                (
                    article_id,
                    title,
                    subtitle,
                    self.section_ids[section],
                    self.issue_ids[index],
                    position,
                    summary,
                    body,
                    source,
                    "",
                    Article.Status.DRAFT if draft else Article.Status.PUBLISHED,
                    None if draft else published_at,
                    rng.random() < 0.01,
                    published_at,
                    published_at,
                    search_tokens(title, subtitle, summary, html_to_text(body), source),
                )
            )
            mentions.extend((article_id, self.company_ids[i]) for i in mentioned)
        return rows, mentions


ARTICLE_FIELDS = (
    "id",
    "title",
    "subtitle",
    "section",
    "issue",
    "position",
    "summary",
    "body",
    "source",
    "cover",
    "status",
    "published_at",
    "featured",
    "created_at",
    "updated_at",
    "search_tokens",
)


def _connection_params() -> dict:
    """How to reach the default database with plain psycopg (no Django cursor or adapters)."""
    params = connection.get_connection_params()
    return {key: value for key, value in params.items() if key not in ("cursor_factory", "context")}


def _worker_init(conninfo: dict) -> None:
    global _worker_connection
    _worker_connection = psycopg.connect(**conninfo)


def _load_issue(index: int) -> int:
    """Build and COPY one issue's articles (in a worker); returns how many."""
    assert _plan is not None and _worker_connection is not None
    rows, mentions = _plan.issue_articles(index)
    with _worker_connection.transaction(), _worker_connection.cursor() as cursor:
        copy_rows(cursor, Article, ARTICLE_FIELDS, rows)
        copy_m2m(cursor, Article.companies.through, "article_id", "company_id", mentions)
    return len(rows)


class Loader:
    """One load of ``scale`` into the default database, reporting through ``report``."""

    def __init__(self, scale: Scale, *, workers: int, report: Callable[[Progress], None]):
        self.scale = scale
        self.workers = max(1, workers)
        self.report = report
        self.rng = random.Random(scale.seed)
        self.vocabulary = Vocabulary(self.rng)
        # The data's "now": the newest issue comes out an hour ago.
        self.now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        self.end = self.now - timedelta(hours=1)
        self.timings: dict[str, float] = {}
        self._phase_started = time.perf_counter()
        self._done_weight = 0.0

    # Progress

    def _progress(self, phase: str, done: int, total: int) -> None:
        weight = PHASE_WEIGHTS[phase]
        fraction = self._done_weight + weight * (done / total if total else 1)
        self.report(Progress(phase, done, total, min(fraction, 1.0)))

    def _finish_phase(self, phase: str) -> None:
        now = time.perf_counter()
        self.timings[phase] = round(now - self._phase_started, 2)
        self._phase_started = now
        self._done_weight += PHASE_WEIGHTS[phase]

    # The load

    def run(self) -> dict[str, float]:
        started = time.perf_counter()
        self.prepare()
        self.load_companies()
        self.load_articles()
        self.load_events()
        self.load_honours()
        self.load_subscribers()
        self.build_indexes()
        self.analyze()
        self.timings["total"] = round(time.perf_counter() - started, 2)
        self._record()
        return self.timings

    def prepare(self) -> None:
        """Empty the seeded apps' tables and drop the articles' GIN indexes."""
        self._progress("prepare", 0, 1)
        tables = [
            model._meta.db_table
            for label in SEEDED_APPS
            for model in apps.get_app_config(label).get_models(include_auto_created=True)
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {SEED_TABLE} "
                "(scale jsonb NOT NULL, seeded_at timestamptz NOT NULL, timings jsonb NOT NULL)"
            )
            cursor.execute(f"DELETE FROM {SEED_TABLE}")
            quoted = ", ".join(f'"{table}"' for table in tables)
            cursor.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
            for name in ARTICLE_GIN_INDEXES:
                cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
        self._finish_phase("prepare")

    def load_companies(self) -> None:
        """Sections, industry segments, companies, council terms, seats and officers."""
        scale, rng = self.scale, self.rng
        total = scale.companies
        with connection.cursor() as cursor:
            copy_rows(
                cursor,
                Section,
                ("id", "name", "english_name", "slug", "order", "description"),
                [
                    (i, name, english, slug, i, "")
                    for i, (name, english, slug) in enumerate(synthetic.SECTIONS, start=1)
                ],
            )
            copy_rows(
                cursor,
                IndustrySegment,
                ("id", "name", "english_name", "order"),
                [
                    (i, name, english, i)
                    for i, (name, english) in enumerate(synthetic.SEGMENTS, start=1)
                ],
            )
            names = self.vocabulary.companies(total)
            self.company_names = names
            rows = []
            for i, company in enumerate(names, start=1):
                segment = rng.randrange(len(synthetic.SEGMENTS))
                status = rng.choices(
                    [Company.Status.ACTIVE, Company.Status.SUSPENDED, Company.Status.WITHDRAWN],
                    [95, 2, 3],
                )[0]
                if i <= 200:  # the council's companies are active and listed
                    status = Company.Status.ACTIVE
                founded = rng.randint(1985, 2018)
                description = self.vocabulary.description(company, synthetic.SEGMENTS[segment][0])
                english_name = ""
                if rng.random() < 0.3:
                    english_name = self.vocabulary.english_name(company)
                model = Company(
                    name=company.name,
                    short_name=company.short_name,
                    english_name=english_name,
                    description=description,
                )
                created = self.end - timedelta(days=rng.randint(0, 365 * scale.years))
                row = (
                    i,
                    company.name,
                    company.short_name,
                    english_name,
                    [],
                    Vocabulary.credit_code(i) if rng.random() < 0.8 else None,
                    company.city,
                    f"{company.city_name}市{company.district}科技路{rng.randint(1, 999)}号",
                    f"https://www.c{i:05d}.example.cn",
                    f"0571-{rng.randint(80000000, 89999999)}",
                    f"info@c{i:05d}.example.cn" if rng.random() < 0.5 else "",
                    "",
                    description,
                    founded,
                    status,
                    date(max(founded, 1992), 1, 1) + timedelta(days=rng.randint(0, 3000)),
                    i <= 200 or rng.random() < 0.97,
                    created,
                    created,
                    segment + 1,
                    model.build_search_tokens(),
                )
                rows.append((*row, self._withdrawn_on(i, status, joined_on=row[15])))
                if i % 500 == 0:
                    self._progress("companies", i, total)
            copy_rows(
                cursor,
                Company,
                (
                    "id",
                    "name",
                    "short_name",
                    "english_name",
                    "aliases",
                    "credit_code",
                    "city",
                    "address",
                    "website",
                    "phone",
                    "public_email",
                    "logo",
                    "description",
                    "founded_year",
                    "status",
                    "joined_on",
                    "listed",
                    "created_at",
                    "updated_at",
                    "industry",
                    "search_tokens",
                    "withdrawn_on",
                ),
                rows,
            )
            self._load_council(cursor)
        self._finish_phase("companies")

    def _withdrawn_on(self, i: int, status: str, *, joined_on: date) -> date | None:
        """A withdrawn company's date of withdrawal, as Company.save() keeps it: one to eight
        years after joining, not after today (no draw from the generator, so the rest of
        the data is as it was before withdrawals were dated)."""
        if status != Company.Status.WITHDRAWN:
            return None
        return max(
            joined_on, min(joined_on + timedelta(days=365 + i * 7919 % 2555), self.end.date())
        )

    def _load_council(self, cursor) -> None:
        """Three terms; in the current one every active company has a seat, president unit first.

        Company 1 is the president unit, 2–16 vice-president units, 17–21
        supervisor units, 22–200 council units, the rest member units.
        """
        rng = self.rng
        year = self.end.year
        terms = [
            (1, 5, "第五届理事会", date(year - 15, 6, 1), date(year - 10, 5, 31), False),
            (2, 6, "第六届理事会", date(year - 10, 6, 1), date(year - 5, 5, 31), False),
            (3, 7, "第七届理事会", date(year - 5, 6, 1), date(year, 5, 31), True),
        ]
        copy_rows(
            cursor, Term, ("id", "ordinal", "name", "starts_on", "ends_on", "is_current"), terms
        )

        def role(company_id: int) -> SeatRole:
            if company_id == 1:
                return SeatRole.PRESIDENT
            if company_id <= 16:
                return SeatRole.VICE_PRESIDENT
            if company_id <= 21:
                return SeatRole.SUPERVISOR
            if company_id <= 200:
                return SeatRole.COUNCIL
            return SeatRole.MEMBER

        seats = []
        for company_id in range(1, self.scale.companies + 1):
            seats.append((3, company_id, role(company_id)))
            for term in (1, 2):
                if rng.random() < 0.5:
                    seats.append((term, company_id, max(role(company_id), SeatRole.COUNCIL)))
        copy_rows(cursor, CouncilSeat, ("term", "company", "role"), seats)

        officers = []
        for term_id, *_rest in terms:
            names: set[str] = set()
            offices = [(Office.PRESIDENT, 1)] + [(Office.VICE_PRESIDENT, c) for c in range(2, 17)]
            offices += [(Office.SECRETARY_GENERAL, None), (Office.DEPUTY_SECRETARY_GENERAL, None)]
            offices += [(Office.CHIEF_SUPERVISOR, 17)] + [(Office.SUPERVISOR, c) for c in (18, 19)]
            for order, (office, company_id) in enumerate(offices, start=1):
                if company_id is not None and company_id > self.scale.companies:
                    company_id = None
                name = self.vocabulary.person()
                while name in names:
                    name = self.vocabulary.person()
                names.add(name)
                job = rng.choice(synthetic.JOB_TITLES)
                short = self.company_names[company_id - 1].short_name if company_id else "协会"
                officers.append((term_id, name, office, company_id, f"{short}{job}", order))
        copy_rows(
            cursor, Officer, ("term", "name", "office", "company", "affiliation", "order"), officers
        )

    def _article_plan(self) -> ArticlePlan:
        scale = self.scale
        issues = scale.issues
        # Issues come out at regular intervals over the years, the last an hour ago.
        interval = timedelta(days=365 * scale.years / issues)
        dates = [self.end - interval * (issues - 1 - i) for i in range(issues)]
        rows, numbers = [], {}
        for i, moment in enumerate(dates, start=1):
            local = moment.astimezone(synthetic_zone())
            numbers[local.year] = numbers.get(local.year, 0) + 1
            number = numbers[local.year]
            rows.append(
                (i, local.year, number, f"{local.year}年第{number}期", local.date(), "", "")
            )
        with connection.cursor() as cursor:
            copy_rows(
                cursor,
                Issue,
                ("id", "year", "number", "title", "published_on", "cover", "pdf"),
                rows,
            )
        base, extra = divmod(scale.articles, issues)
        per_issue = [base + (1 if i < extra else 0) for i in range(issues)]
        first_id = list(itertools.accumulate([1, *per_issue[:-1]]))
        # A few companies (the council's) are in the news far more often than the rest.
        weights = [40.0 if i == 0 else 8.0 if i < 200 else 1.0 for i in range(scale.companies)]
        return ArticlePlan(
            scale=scale,
            section_ids=list(range(1, len(synthetic.SECTIONS) + 1)),
            section_slugs=[slug for _name, _english, slug in synthetic.SECTIONS],
            issue_ids=list(range(1, issues + 1)),
            issue_dates=dates,
            company_ids=list(range(1, scale.companies + 1)),
            company_short_names=[company.short_name for company in self.company_names],
            company_cum_weights=list(itertools.accumulate(weights)),
            per_issue=per_issue,
            first_id=first_id,
        )

    def load_articles(self) -> None:
        global _plan
        plan = _plan = self._article_plan()
        self.plan = plan
        total, done = self.scale.articles, 0
        self._progress("articles", 0, total)
        indices = range(self.scale.issues)
        if self.workers == 1:
            _worker_init(_connection_params())
            try:
                for index in indices:
                    done += _load_issue(index)
                    self._progress("articles", done, total)
            finally:
                _close_worker_connection()
        else:
            connection.close()  # never share a socket with forked children
            context = multiprocessing.get_context("fork")
            with context.Pool(self.workers, _worker_init, (_connection_params(),)) as pool:
                for count in pool.imap_unordered(_load_issue, indices):
                    done += count
                    self._progress("articles", done, total)
        self._finish_phase("articles")

    def _article_at(self, moment: datetime) -> int | None:
        """The id of an article published around ``moment`` (for report and source links)."""
        index = bisect.bisect_left(self.plan.issue_dates, moment)
        if index >= len(self.plan.issue_dates):
            return None
        return self.plan.first_id[index] + self.rng.randrange(self.plan.per_issue[index])

    def load_events(self) -> None:
        """Events over the years and a few months ahead, with agendas and registrations."""
        scale, rng = self.scale, self.rng
        total = scale.events
        first = self.end - timedelta(days=365 * scale.years)
        span = (self.end + timedelta(days=120) - first).total_seconds()
        events, co_organisers, agenda, registrations = [], [], [], []
        for event_id in range(1, total + 1):
            kind, pattern = rng.choice(synthetic.EVENT_KINDS)
            slots = self.vocabulary.slots(
                [company.short_name for company in rng.sample(self.company_names, 1)],
                self.end.year,
            )
            title = f"{slots['year']}年{pattern.format(**slots)}"
            starts_at = first + timedelta(seconds=span * event_id / (total + 1))
            starts_at = starts_at.replace(minute=0, second=0, microsecond=0)
            local_hour = 9 if rng.random() < 0.7 else 14
            starts_at = starts_at.replace(hour=(local_hour - 8) % 24)  # Asia/Shanghai is UTC+8
            all_day = rng.random() < 0.2
            ends_at = starts_at + timedelta(hours=rng.choice((3, 4, 8, 32)))
            upcoming = starts_at > self.now
            status = rng.choices(
                [Event.Status.PUBLISHED, Event.Status.POSTPONED, Event.Status.CANCELLED, "draft"],
                [92, 3, 3, 2],
            )[0]
            report = None if upcoming or rng.random() < 0.7 else self._article_at(ends_at)
            capacity = rng.choice((None, 30, 50, 100, 200))
            opens = starts_at - timedelta(days=30) if rng.random() < 0.8 else None
            closes = starts_at - timedelta(days=1) if opens else None
            city = rng.choice(synthetic.CITIES)[1]
            events.append(
                (
                    event_id,
                    title,
                    kind,
                    f"{city}举办{pattern.format(**slots)}，围绕{slots['topic']}开展交流。",
                    f"<p>{rng.choice(synthetic.SENTENCES).format(**slots)}</p>",
                    starts_at,
                    ends_at,
                    all_day,
                    starts_at - timedelta(days=7) if status == "postponed" else None,
                    f"{city}{rng.choice(synthetic.VENUES)}",
                    city,
                    synthetic.ASSOCIATION,
                    capacity,
                    rng.choice((None, 2, 3)),
                    opens,
                    closes,
                    rng.random() < 0.6,
                    status,
                    report,
                    starts_at - timedelta(days=40),
                    starts_at - timedelta(days=rng.randint(1, 40)),
                )
            )
            for company_id in sorted(
                set(rng.choices(range(1, scale.companies + 1), k=rng.randint(0, 2)))
            ):
                co_organisers.append((event_id, company_id))
            for order in range(1, rng.randint(3, 6) + 1):
                agenda.append(
                    (
                        event_id,
                        None if all_day else starts_at.time().replace(hour=8 + order),
                        None,
                        rng.choice(synthetic.TOPICS)
                        + rng.choice(("主题报告", "圆桌讨论", "案例分享")),
                        self.vocabulary.person(),
                        "",
                        order,
                    )
                )
            for k in range(rng.randint(0, 8)):
                registrations.append(
                    (
                        event_id,
                        rng.randint(1, scale.companies),
                        self.vocabulary.person(),
                        rng.choice(synthetic.JOB_TITLES),
                        f"138{rng.randint(10000000, 99999999)}",
                        f"attendee{k}.event{event_id}@example.com",
                        rng.choices(["confirmed", "waitlisted", "cancelled"], [85, 5, 10])[0],
                        starts_at - timedelta(days=10),
                        starts_at - timedelta(days=10),
                        "{}",
                        False,
                    )
                )
            if event_id % 200 == 0:
                self._progress("events", event_id, total)
        with connection.cursor() as cursor:
            copy_rows(
                cursor,
                Event,
                (
                    "id",
                    "title",
                    "kind",
                    "summary",
                    "description",
                    "starts_at",
                    "ends_at",
                    "all_day",
                    "original_starts_at",
                    "venue",
                    "city",
                    "organiser",
                    "capacity",
                    "per_company_limit",
                    "registration_opens_at",
                    "registration_closes_at",
                    "members_only",
                    "status",
                    "report",
                    "created_at",
                    "updated_at",
                ),
                events,
            )
            copy_m2m(cursor, Event.co_organisers.through, "event_id", "company_id", co_organisers)
            copy_rows(
                cursor,
                AgendaItem,
                ("event", "starts_at", "ends_at", "title", "speaker", "host", "order"),
                agenda,
            )
            copy_rows(
                cursor,
                Registration,
                (
                    "event",
                    "company",
                    "attendee_name",
                    "attendee_title",
                    "attendee_phone",
                    "attendee_email",
                    "status",
                    "created_at",
                    "updated_at",
                    "answers",
                    "walk_in",
                ),
                registrations,
            )
        self._finish_phase("events")

    def load_honours(self) -> None:
        scale, rng = self.scale, self.rng
        awards = [
            (i, name, issuer, level, kind, "")
            for i, (name, issuer, level, kind) in enumerate(synthetic.AWARDS, start=1)
        ]
        first_year = self.end.year - scale.years + 1
        seen: set[tuple] = set()
        rows = []
        # The council's companies collect more honours than the rest.
        weights = list(
            itertools.accumulate(
                12.0 if i == 0 else 4.0 if i < 200 else 1.0 for i in range(scale.companies)
            )
        )
        while len(rows) < scale.honours:
            award_id, _name, _issuer, _level, kind, _ = rng.choice(awards)
            year = rng.randint(first_year, self.end.year)
            company_id = rng.choices(range(1, scale.companies + 1), cum_weights=weights)[0]
            person = self.vocabulary.person() if kind == "person" else ""
            project = rng.choice(synthetic.PRODUCT_NAMES) if kind in ("product", "project") else ""
            key = (award_id, year, company_id, person, project)
            if key in seen:
                continue
            seen.add(key)
            awarded_on = date(year, rng.randint(1, 12), rng.randint(1, 28))
            created_at = datetime(year, awarded_on.month, awarded_on.day, 2, tzinfo=UTC)
            created_at = min(created_at + timedelta(days=rng.randint(0, 20)), self.end)
            prefix = rng.choice(synthetic.DOCUMENT_PREFIXES)
            rows.append(
                (
                    award_id,
                    year,
                    company_id,
                    person,
                    project,
                    rng.choice(synthetic.GRADES),
                    f"{prefix}〔{year}〕{rng.randint(1, 300)}号" if rng.random() < 0.6 else "",
                    awarded_on,
                    self._article_at(created_at) if rng.random() < 0.2 else None,
                    rng.random() < 0.95,
                    created_at,
                )
            )
            if len(rows) % 2000 == 0:
                self._progress("honours", len(rows), scale.honours)
        with connection.cursor() as cursor:
            copy_rows(
                cursor, Award, ("id", "name", "issuer", "level", "kind", "description"), awards
            )
            copy_rows(
                cursor,
                Honour,
                (
                    "award",
                    "year",
                    "company",
                    "person",
                    "project",
                    "grade",
                    "document_number",
                    "awarded_on",
                    "source_article",
                    "verified",
                    "created_at",
                ),
                rows,
            )
        self._finish_phase("honours")

    def load_subscribers(self) -> None:
        """Confirmed weekly subscribers whose last digest was a week ago; a third chose sections."""
        scale, rng = self.scale, self.rng
        last_digest = self.end - timedelta(days=7)
        rows, sections = [], []
        domains = ("example.com", "example.cn", "example.org", "example.net")
        for i in range(1, scale.subscribers + 1):
            confirmed = self.end - timedelta(days=rng.randint(8, 365 * scale.years))
            rows.append(
                (
                    i,
                    f"reader{i:06d}@{domains[i % len(domains)]}",
                    "weekly",
                    "active",
                    0,
                    confirmed,
                    None,
                    last_digest,
                    confirmed,
                )
            )
            if rng.random() < 0.3:
                for section_id in rng.sample(range(1, len(synthetic.SECTIONS) + 1), 2):
                    sections.append((i, section_id))
        with connection.cursor() as cursor:
            copy_rows(
                cursor,
                Subscriber,
                (
                    "id",
                    "email",
                    "frequency",
                    "status",
                    "hard_bounces",
                    "confirmed_at",
                    "unsubscribed_at",
                    "last_digest_at",
                    "created_at",
                ),
                rows,
            )
            copy_m2m(cursor, Subscriber.sections.through, "subscriber_id", "section_id", sections)
        self._progress("subscribers", 1, 1)
        self._finish_phase("subscribers")

    def build_indexes(self) -> None:
        """Recreate the articles' GIN indexes as the models define them; reset the sequences."""
        self._progress("indexes", 0, len(ARTICLE_GIN_INDEXES))
        indexes = [index for index in Article._meta.indexes if index.name in ARTICLE_GIN_INDEXES]
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
        for done, index in enumerate(indexes, start=1):
            with connection.schema_editor(atomic=False) as editor:
                editor.add_index(Article, index)
            self._progress("indexes", done, len(indexes))
        models = [
            model
            for label in SEEDED_APPS
            for model in apps.get_app_config(label).get_models(include_auto_created=True)
        ]
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
            cursor.execute("RESET maintenance_work_mem")
        self._finish_phase("indexes")

    def analyze(self) -> None:
        """VACUUM ANALYZE the loaded tables: statistics for the planner, a visibility map."""
        tables = [
            model._meta.db_table
            for label in SEEDED_APPS
            for model in apps.get_app_config(label).get_models(include_auto_created=True)
        ]
        with connection.cursor() as cursor:
            for done, table in enumerate(tables, start=1):
                cursor.execute(f'VACUUM (ANALYZE) "{table}"')
                self._progress("analyze", done, len(tables))
        self._finish_phase("analyze")

    def _record(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {SEED_TABLE} (scale, seeded_at, timings) VALUES (%s, now(), %s)",
                [json.dumps(self.scale.as_dict()), json.dumps(self.timings)],
            )


def _close_worker_connection() -> None:
    global _worker_connection
    if _worker_connection is not None:
        _worker_connection.close()
        _worker_connection = None


def synthetic_zone():
    from zoneinfo import ZoneInfo

    from django.conf import settings

    return ZoneInfo(settings.TIME_ZONE)
