"""The figures on the back office's front page, for a chosen year.

Each figure is read with one aggregate query (GROUP BY with conditional
counts and sums), some figures share one; the page runs the same number of
queries for ten companies as for ten thousand (tests/portal/test_dashboard.py,
and ``bench_dashboard`` at the benchmark's scale: 5,000 members, half a
million digest deliveries a year). The deliveries are the one figure too big
to count on every view: see ``Dashboard.deliveries``. A figure is shown, and
exported, only to a user with the view permission of its model: money (the
dues) only with ``dues.view_duesbill``.

The year: ``?year=``, by default this year in the association's time zone
(Asia/Shanghai); the years offered run from the first found in the data to
this year. Membership is counted at the end of the year (today, for this
year): companies that had joined by then (or have no joining date) and had
not withdrawn. A company's withdrawal is dated by ``Company.withdrawn_on``;
those withdrawn before the date was kept are counted as withdrawn, in no
year.

Money is Decimal in yuan, never float.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Count,
    F,
    FilteredRelation,
    Max,
    Min,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import ExtractYear
from django.utils import timezone, translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from digests.models import HARD_BOUNCE_LIMIT, DigestDelivery, DigestRun, Subscriber
from dues.models import ZERO, DuesBill, Payment
from dues.templatetags.money import yuan
from events.attendance import with_attendance
from events.models import Event, Registration
from members.models import Application, City, Company, ProfileChange, SeatRole, Term
from notices.models import NoticeDelivery, NoticeMailing

from . import svg_charts
from .svg_charts import BLUE, GREEN, GREY, ORANGE, PURPLE, SKY, VERMILLION, Series

EVENTS_SHOWN = 15  # events in the chart and the page's table; the export has them all
YEARS_OF_MOVEMENT = 10
YEARS_OF_DUES = 5
CENT = Decimal("0.01")
PERMILLE = Decimal("0.1")
# notices.services marks a mail not sent to an address suppressed after bounces so.
SUPPRESSED_SKIP = "address suppressed"
# A delivery's status (digests and notices have the same, outbox.batches) as the charts
# show it; queued and sending are "waiting".
OUTCOME_OF_STATUS = {"sent": "sent", "failed": "failed", "skipped": "skipped"}
DELIVERIES_CACHE_SECONDS = 60 * 60 * 24 * 30
# For digests and notices: the year's runs (mailings), with their month and when each
# finished; and their deliveries by status, with those not sent to a suppressed address.
DELIVERIES = {
    "digest": (
        f"""
        SELECT 'digest', id, EXTRACT(MONTH FROM scheduled_for)::int, finished_at
        FROM {DigestRun._meta.db_table}
        WHERE scheduled_for >= %(first_day)s AND scheduled_for < %(next_year)s
        """,
        f"""
        SELECT 'digest', run_id, status, COUNT(*), 0 FROM {DigestDelivery._meta.db_table}
        WHERE run_id = ANY(%(digest_ids)s) GROUP BY run_id, status
        """,
    ),
    "notice": (
        f"""
        SELECT 'notice', id, EXTRACT(MONTH FROM send_at AT TIME ZONE %(zone)s)::int, finished_at
        FROM {NoticeMailing._meta.db_table}
        WHERE send_at >= %(start)s AND send_at < %(stop)s
        """,
        f"""
        SELECT 'notice', mailing_id, status, COUNT(*),
               COUNT(*) FILTER (WHERE status = 'skipped' AND error LIKE %(suppressed)s)
        FROM {NoticeDelivery._meta.db_table}
        WHERE mailing_id = ANY(%(notice_ids)s) GROUP BY mailing_id, status
        """,
    ),
}


def this_year() -> int:
    return timezone.localdate().year


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "count"  # text, count, money or percent


@dataclass
class Figure:
    """One figure: its chart, and the table (and spreadsheet) of the same numbers."""

    key: str
    title: str
    columns: list[Column]
    rows: list[list]
    chart: SafeString
    total: list | None = None
    note: str = ""
    # The page's table when it shows fewer rows than the export (the events).
    page_rows: list[list] | None = None

    def cells(self, row: list) -> list[str]:
        return [_cell(value, column.kind) for value, column in zip(row, self.columns, strict=True)]

    @property
    def table_rows(self) -> list[list[str]]:
        return [
            self.cells(row) for row in (self.page_rows if self.page_rows is not None else self.rows)
        ]

    @property
    def table_total(self) -> list[str] | None:
        return self.cells(self.total) if self.total else None

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]

    def sheet_rows(self) -> list[list]:
        """The rows of the spreadsheet: money as Decimal yuan with two places."""
        rows = [*self.rows, *([self.total] if self.total else [])]
        return [
            [value.quantize(CENT) if isinstance(value, Decimal) else value for value in row]
            for row in rows
        ]


def _cell(value, kind: str) -> str:
    if value is None:
        return "–"
    if kind == "money":
        return yuan(value)
    if kind == "percent":
        return f"{value}%"
    if kind == "count":
        return f"{value:,}"
    return str(value)


def sentences(*texts: str) -> str:
    """Sentences one after the other: with a space between them, but not in Chinese, whose
    full stop (。) has its own."""
    separator = "" if (translation.get_language() or "").startswith("zh") else " "
    return separator.join(text for text in texts if text)


def short_yuan(value) -> str:
    """¥8,000 or ¥12.5万: for the charts' labels (the tables give the exact amount)."""
    value = Decimal(value)
    if abs(value) >= 10_000:
        text = f"{value / 10_000:,.1f}".removesuffix(".0")
        return f"¥{text}万"
    return f"¥{value:,.0f}"


@dataclass(frozen=True)
class Spec:
    key: str
    section: str
    permission: str
    build: Callable[[Dashboard], Figure]


SECTIONS = {
    "members": gettext_lazy("Members"),
    "dues": gettext_lazy("Dues"),
    "events": gettext_lazy("Events"),
    "mail": gettext_lazy("Mail"),
    "applications": gettext_lazy("Applications and changes"),
}
SPECS: dict[str, Spec] = {}


def figure(key: str, *, section: str, permission: str):
    def register(build):
        SPECS[key] = Spec(key, section, permission, build)
        return build

    return register


def visible_specs(user) -> list[Spec]:
    """The figures ``user`` may see, in the page's order."""
    return [spec for spec in SPECS.values() if user.has_perm(spec.permission)]


def offered_years(today: date | None = None) -> list[int]:
    """Every year from the first found in the data to the last (at most next year), and this
    year, newest first: one query, of each table's first and last date."""
    today = today or timezone.localdate()

    def span(queryset, field: str, *, year=ExtractYear):
        # One row: the first and the last year (grouped by a constant: by nothing).
        return (
            queryset.order_by()
            .annotate(one=Value(1))
            .values("one")
            .annotate(first=year(Min(field)), last=year(Max(field)))
            .values_list("first", "last")
        )

    def as_is(expression):
        return expression

    spans = (
        span(Company.objects.all(), "joined_on")
        .union(
            span(Company.objects.all(), "withdrawn_on"),
            span(DuesBill.objects.all(), "year", year=as_is),
            span(Event.objects.exclude(status=Event.Status.DRAFT), "starts_at"),
            span(DigestRun.objects.all(), "scheduled_for"),
            span(NoticeMailing.objects.all(), "send_at"),
            span(Application.objects.all(), "submitted_at"),
            all=True,
        )
        .order_by()
    )
    found = [int(year) for pair in spans for year in pair if year]
    first = max(min(found, default=today.year), 1901)
    last = min(max(found, default=today.year), today.year + 1)
    return sorted({*range(first, last + 1), today.year}, reverse=True)


def chosen_year(value, years: list[int]) -> int:
    """``?year=`` when it is one of ``years``, else this year."""
    try:
        year = int(value)
    except (TypeError, ValueError):
        return this_year()
    return year if year in years else this_year()


class Dashboard:
    """The figures of ``year``; each query runs once, when a figure first needs it."""

    def __init__(self, year: int | None = None, *, today: date | None = None):
        self.today = today or timezone.localdate()
        self.year = year or self.today.year

    @property
    def end(self) -> date:
        """The day membership is counted at: the year's last, or today for this year."""
        return date(self.year, 12, 31) if self.year < self.today.year else self.today

    def build(self, key: str) -> Figure:
        return SPECS[key].build(self)

    # Queries

    @cached_property
    def members(self) -> list[dict]:
        """Members at ``end`` by city, industry and council role: one query."""
        end = self.end
        joined = Q(joined_on__isnull=True) | Q(joined_on__lte=end)
        staying = Q(status__in=[Company.Status.ACTIVE, Company.Status.SUSPENDED]) | Q(
            status=Company.Status.WITHDRAWN, withdrawn_on__gt=end
        )
        if self.year >= self.today.year:
            terms = Term.objects.filter(is_current=True)
        else:
            terms = Term.objects.filter(
                Q(ends_on__gte=end) | Q(ends_on__isnull=True), starts_on__lte=end
            )
        # The term of the day (the latest, should two overlap), joined to each company's
        # seat in it: a company has one seat a term.
        term = Subquery(terms.order_by("-ordinal").values("pk")[:1])
        return list(
            Company.objects.filter(joined & staying)
            .annotate(seat=FilteredRelation("seats", condition=Q(seats__term=term)))
            .values("city", "industry__name", "industry__order", seat_role=F("seat__role"))
            .annotate(n=Count("pk"))
            .order_by()
        )

    @cached_property
    def movement(self) -> list[dict]:
        """Companies by year joined and year withdrawn (and status): one query."""
        return list(
            Company.objects.exclude(status=Company.Status.APPLICANT)
            .values(
                "status",
                joined_year=ExtractYear("joined_on"),
                withdrawn_year=ExtractYear("withdrawn_on"),
            )
            .annotate(n=Count("pk"))
            .order_by()
        )

    @cached_property
    def dues(self) -> dict[int, dict]:
        """The bills of the last years up to ``year``, summed by year: one query.

        Each bill's payments are summed once (a join to their sums by bill, not
        a subquery per bill and column); a bill is overdue as DuesBill's status
        says: not waived, not paid in full, due before today. What is
        ``outstanding`` is taken bill by bill, so that money over one bill's
        amount does not hide another bill's debt.
        """
        bill, payment = DuesBill._meta.db_table, Payment._meta.db_table
        overdue = "NOT waived AND paid < amount AND due_on < %(today)s"
        sql = f"""
            WITH bills AS (
                SELECT b.year, b.amount, b.waived, b.due_on, COALESCE(p.paid, 0) AS paid
                FROM {bill} b LEFT JOIN (
                    SELECT bill_id, SUM(amount) AS paid FROM {payment} GROUP BY bill_id
                ) p ON p.bill_id = b.id
                WHERE b.year > %(first)s AND b.year <= %(year)s
            )
            SELECT
                year,
                COUNT(*),
                COALESCE(SUM(amount) FILTER (WHERE NOT waived), 0),
                SUM(paid),
                COALESCE(SUM(GREATEST(amount - paid, 0)) FILTER (WHERE NOT waived), 0),
                COALESCE(SUM(amount - paid) FILTER (WHERE {overdue}), 0),
                COUNT(*) FILTER (WHERE {overdue}),
                COUNT(*) FILTER (WHERE waived)
            FROM bills GROUP BY year ORDER BY year
        """
        names = (
            "year",
            "bills",
            "expected",
            "collected",
            "outstanding",
            "overdue",
            "overdue_bills",
            "waived",
        )
        params = {"first": self.year - YEARS_OF_DUES, "year": self.year, "today": self.today}
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        return {row["year"]: row for row in rows}

    @cached_property
    def events(self) -> list[dict]:
        """The year's events (not drafts) with their registrations counted: one query.

        Counted as at the door and on the event's admin page (events.attendance):
        booked are the confirmed registrations made beforehand, attended those of
        them checked in, walk-ins those registered at the door (not cancelled).
        """
        rows = (
            with_attendance(
                Event.objects.exclude(status=Event.Status.DRAFT).filter(starts_at__year=self.year)
            )
            .annotate(
                waitlisted=Count(
                    "registrations",
                    filter=Q(registrations__status=Registration.Status.WAITLISTED),
                ),
                cancelled=Count(
                    "registrations",
                    filter=Q(registrations__status=Registration.Status.CANCELLED),
                ),
            )
            .values(
                "pk",
                "title",
                "starts_at",
                "confirmed_count",
                "booked_checked_in_count",
                "walk_in_count",
                "waitlisted",
                "cancelled",
            )
            .order_by("starts_at", "pk")
        )
        return [
            {
                "pk": row["pk"],
                "title": row["title"],
                "starts_at": row["starts_at"],
                "booked": row["confirmed_count"],
                "attended": row["booked_checked_in_count"],
                "walk_ins": row["walk_in_count"],
                "waitlisted": row["waitlisted"],
                "cancelled": row["cancelled"],
            }
            for row in rows
        ]

    sources = ("digest", "notice")

    @cached_property
    def deliveries(self) -> dict[str, dict[tuple[int, str], int]]:
        """The year's digest and notice mails by month and outcome: two queries at most.

        A weekly digest to 10,000 addresses is half a million deliveries a year:
        too many to count on every view of the page. So the year's runs and
        mailings are read first (with when each finished), and their deliveries
        are counted by status, from the index on (run, status), only for those
        not in the cache: a run's counts are kept under its finished time, and
        do not change while it keeps it (sending a failed mail again reopens
        the run, so it finishes at another time). Until a run finishes it is
        counted on each view.
        """
        counts: dict[str, dict] = {name: defaultdict(int) for name in DELIVERIES}
        chosen = [name for name in DELIVERIES if name in self.sources]
        if not chosen:
            return counts
        params = {
            "first_day": date(self.year, 1, 1),
            "next_year": date(self.year + 1, 1, 1),
            "start": timezone.make_aware(datetime(self.year, 1, 1)),
            "stop": timezone.make_aware(datetime(self.year + 1, 1, 1)),
            "zone": timezone.get_current_timezone_name(),
            "suppressed": f"{SUPPRESSED_SKIP}%",
        }
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(DELIVERIES[name][0] for name in chosen), params)
            schedule = {(kind, pk): (month, finished) for kind, pk, month, finished in cursor}
        keys = {
            sending: f"dashboard:deliveries:{sending[0]}:{sending[1]}:{finished.timestamp()}"
            for sending, (_month, finished) in schedule.items()
            if finished is not None
        }
        cached = cache.get_many(list(keys.values())) if keys else {}
        by_sending = {sending: cached[key] for sending, key in keys.items() if key in cached}
        missing = [sending for sending in schedule if sending not in by_sending]
        if missing:
            ids = {name: [pk for kind, pk in missing if kind == name] for name in chosen}
            params.update({f"{name}_ids": ids[name] for name in chosen})
            with connection.cursor() as cursor:
                cursor.execute(" UNION ALL ".join(DELIVERIES[name][1] for name in chosen), params)
                fresh = defaultdict(list)
                for kind, pk, status, n, suppressed in cursor:
                    fresh[kind, pk].append((status, n, suppressed))
            for sending in missing:
                by_sending[sending] = fresh.get(sending, [])
            cache.set_many(
                {keys[s]: by_sending[s] for s in missing if s in keys},
                timeout=DELIVERIES_CACHE_SECONDS,
            )
        for (kind, pk), rows in by_sending.items():
            month = schedule[kind, pk][0]
            for status, n, suppressed in rows:
                counts[kind][month, "suppressed"] += suppressed
                counts[kind][month, OUTCOME_OF_STATUS.get(status, "waiting")] += n - suppressed
        return counts

    @cached_property
    def subscribers(self) -> dict[str, dict]:
        rows = (
            Subscriber.objects.values("status")
            .annotate(n=Count("pk"), bounced=Count("pk", filter=Q(hard_bounces__gt=0)))
            .order_by()
        )
        return {row["status"]: row for row in rows}

    def _by_status(self, model) -> dict[str, dict]:
        rows = (
            model.objects.values("status")
            .annotate(
                total=Count("pk"),
                in_year=Count("pk", filter=Q(submitted_at__year=self.year)),
            )
            .order_by()
        )
        return {row["status"]: row for row in rows}

    @cached_property
    def applications(self) -> dict[str, dict]:
        """Membership applications by status, all and submitted in the year: one query."""
        return self._by_status(Application)

    @cached_property
    def profile_changes(self) -> dict[str, dict]:
        return self._by_status(ProfileChange)

    def open_applications(self) -> int:
        return sum(
            self.applications.get(status, {}).get("total", 0)
            for status in (Application.Status.SUBMITTED, Application.Status.UNDER_REVIEW)
        )

    def pending_profile_changes(self) -> int:
        return self.profile_changes.get(ProfileChange.Status.PENDING, {}).get("total", 0)


# The figures, in the page's order.


def _count_figure(
    dashboard: Dashboard,
    key: str,
    title: str,
    label_header: str,
    value_header: str,
    items: list[tuple[str, int]],
    *,
    colour: str = BLUE,
    note: str = "",
    empty: str = "",
) -> Figure:
    labels = [label for label, _value in items]
    values = [value for _label, value in items]
    chart = svg_charts.bar_chart(
        chart_id=f"chart-{key}",
        title=title,
        categories=labels,
        series=[Series(value_header, values, colour)],
        empty=empty or _("Nothing to show for %(year)s.") % {"year": dashboard.year},
    )
    return Figure(
        key=key,
        title=title,
        columns=[Column(label_header, "text"), Column(value_header)],
        rows=[[label, value] for label, value in items],
        total=[_("Total"), sum(values)],
        chart=chart,
        note=note,
    )


def _member_note(dashboard: Dashboard) -> str:
    if dashboard.year >= dashboard.today.year:
        return _("Member companies today (active or suspended).")
    return _("Member companies at the end of %(year)s.") % {"year": dashboard.year}


@figure("members_by_role", section="members", permission="members.view_company")
def members_by_role(dashboard: Dashboard) -> Figure:
    counts = defaultdict(int)
    for row in dashboard.members:
        counts[row["seat_role"]] += row["n"]
    items = [(str(role.label), counts.get(role.value, 0)) for role in SeatRole]
    items.append((_("No seat in the term"), counts.get(None, 0)))
    return _count_figure(
        dashboard,
        "members_by_role",
        _("Members by council role, %(year)s") % {"year": dashboard.year},
        _("Council role"),
        _("Member companies"),
        items,
        note=sentences(
            _member_note(dashboard),
            _("The role is the company's seat in the council term of that day."),
        ),
    )


@figure("members_by_city", section="members", permission="members.view_company")
def members_by_city(dashboard: Dashboard) -> Figure:
    counts = defaultdict(int)
    for row in dashboard.members:
        counts[row["city"]] += row["n"]
    items = [(str(label), counts.pop(value, 0)) for value, label in City.choices]
    # No city, or one no longer among the choices: counted, so the total is every member.
    if unplaced := sum(counts.values()):
        items.append((_("Not given"), unplaced))
    return _count_figure(
        dashboard,
        "members_by_city",
        _("Members by city, %(year)s") % {"year": dashboard.year},
        _("City"),
        _("Member companies"),
        items,
        note=_member_note(dashboard),
    )


@figure("members_by_industry", section="members", permission="members.view_company")
def members_by_industry(dashboard: Dashboard) -> Figure:
    counts, order = defaultdict(int), {}
    for row in dashboard.members:
        name = row["industry__name"]
        counts[name] += row["n"]
        order[name] = (row["industry__order"] is None, row["industry__order"] or 0, name or "")
    items = [(name, counts[name]) for name in sorted(counts, key=order.get) if name is not None]
    if counts.get(None):
        items.append((_("No industry segment"), counts[None]))
    return _count_figure(
        dashboard,
        "members_by_industry",
        _("Members by industry segment, %(year)s") % {"year": dashboard.year},
        _("Industry segment"),
        _("Member companies"),
        items,
        colour=GREEN,
        note=_member_note(dashboard),
    )


@figure("joins_withdrawals", section="members", permission="members.view_company")
def joins_withdrawals(dashboard: Dashboard) -> Figure:
    joins, withdrawals = defaultdict(int), defaultdict(int)
    undated_joins = undated_withdrawals = 0
    for row in dashboard.movement:
        if row["joined_year"] is None:
            undated_joins += row["n"]
        else:
            joins[row["joined_year"]] += row["n"]
        if row["status"] == Company.Status.WITHDRAWN:
            if row["withdrawn_year"] is None:
                undated_withdrawals += row["n"]
            else:
                withdrawals[row["withdrawn_year"]] += row["n"]
    years = list(range(dashboard.year - YEARS_OF_MOVEMENT + 1, dashboard.year + 1))
    title = _("Joins and withdrawals per year, %(first)s–%(last)s") % {
        "first": years[0],
        "last": years[-1],
    }
    chart = svg_charts.bar_chart(
        chart_id="chart-joins_withdrawals",
        title=title,
        categories=[str(year) for year in years],
        series=[
            Series(_("Joined"), [joins[year] for year in years], BLUE),
            Series(_("Withdrew"), [withdrawals[year] for year in years], ORANGE),
        ],
        highlight=str(dashboard.year),
        empty=_("No company joined or withdrew in these years."),
    )
    notes = []
    if undated_joins:
        notes.append(_("%(count)s companies have no joining date.") % {"count": undated_joins})
    if undated_withdrawals:
        notes.append(
            _("%(count)s withdrawn companies have no withdrawal date.")
            % {"count": undated_withdrawals}
        )
    rows = [
        [year, joins[year], withdrawals[year], joins[year] - withdrawals[year]] for year in years
    ]
    return Figure(
        key="joins_withdrawals",
        title=title,
        columns=[
            Column(_("Year"), "text"),
            Column(_("Joined")),
            Column(_("Withdrew")),
            Column(_("Net change")),
        ],
        rows=rows,
        total=[
            _("Total"),
            sum(row[1] for row in rows),
            sum(row[2] for row in rows),
            sum(row[3] for row in rows),
        ],
        chart=chart,
        note=sentences(*notes),
    )


@figure("dues", section="dues", permission="dues.view_duesbill")
def dues(dashboard: Dashboard) -> Figure:
    by_year = dashboard.dues
    years = sorted({*by_year, dashboard.year})
    rows = []
    for year in years:
        row = by_year.get(year, {})
        expected = row.get("expected") or ZERO
        collected = row.get("collected") or ZERO
        outstanding = row.get("outstanding") or ZERO
        overdue = row.get("overdue") or ZERO
        share = (collected * 100 / expected).quantize(PERMILLE, ROUND_HALF_UP) if expected else None
        rows.append(
            [
                year,
                row.get("bills", 0),
                expected,
                collected,
                outstanding,
                outstanding - overdue,
                overdue,
                row.get("overdue_bills", 0),
                share,
            ]
        )
    title = _("Dues expected, collected and overdue, %(year)s") % {"year": dashboard.year}
    columns = [
        Column(_("Year"), "text"),
        Column(_("Bills")),
        Column(_("Expected"), "money"),
        Column(_("Collected"), "money"),
        Column(_("Outstanding"), "money"),
        Column(_("Not yet due"), "money"),
        Column(_("Overdue"), "money"),
        Column(_("Overdue bills")),
        Column(_("Collected (%)"), "percent"),
    ]
    # A year's bar: what was paid, then what is owed (not yet due, overdue): the expected.
    series = [
        Series(columns[index].header, [row[index] for row in rows], colour)
        for index, colour in ((3, GREEN), (5, SKY), (6, VERMILLION))
    ]
    chart = svg_charts.bar_chart(
        chart_id="chart-dues",
        title=title,
        categories=[str(row[0]) for row in rows],
        series=series,
        stacked=True,
        highlight=str(dashboard.year),
        formatter=short_yuan,
        exact=yuan,
        empty=_("No dues bills for %(year)s yet.") % {"year": dashboard.year},
    )
    return Figure(
        key="dues",
        title=title,
        columns=columns,
        rows=rows,
        chart=chart,
        note=_(
            "Expected: the bills not waived; overdue: what is still owed on bills past their "
            "due date today."
        ),
    )


@figure("events", section="events", permission="events.view_registration")
def events(dashboard: Dashboard) -> Figure:
    every = dashboard.events
    shown = sorted(
        sorted(every, key=lambda e: (-(e["booked"] + e["walk_ins"]), e["starts_at"]))[
            :EVENTS_SHOWN
        ],
        key=lambda e: (e["starts_at"], e["pk"]),
    )
    counted = ("booked", "attended", "absent", "walk_ins", "waitlisted", "cancelled")
    for event in every:
        event["absent"] = event["booked"] - event["attended"]

    def row(event) -> list:
        return [
            event["title"],
            timezone.localtime(event["starts_at"]).date(),
            *(event[name] for name in counted),
        ]

    def sums(events) -> list[int]:
        return [sum(e[name] for e in events) for name in counted]

    title = _("Registrations and attendance per event, %(year)s") % {"year": dashboard.year}
    columns = [
        Column(_("Event"), "text"),
        Column(_("Date"), "text"),
        Column(_("Registered")),
        Column(_("Checked in")),
        Column(_("Not checked in")),
        Column(_("Walk-ins")),
        Column(_("Waitlisted")),
        Column(_("Cancelled")),
    ]
    # An event's bar: the registered who came, those who did not, then the walk-ins.
    chart = svg_charts.bar_chart(
        chart_id="chart-events",
        title=title,
        categories=[e["title"] for e in shown],
        series=[
            Series(columns[3].header, [e["attended"] for e in shown], GREEN),
            Series(columns[4].header, [e["absent"] for e in shown], SKY),
            Series(columns[5].header, [e["walk_ins"] for e in shown], ORANGE),
        ],
        stacked=True,
        empty=_("No events in %(year)s.") % {"year": dashboard.year},
    )
    page_rows = [row(e) for e in shown]
    shown_pks = {e["pk"] for e in shown}
    rest = [e for e in every if e["pk"] not in shown_pks]
    note = _(
        "Checked in: the registered who came (checked in at the door or marked as attended); "
        "walk-ins registered at the door."
    )
    if rest:
        page_rows.append([_("%(count)s other events") % {"count": len(rest)}, None, *sums(rest)])
        note = sentences(
            note,
            _(
                "The %(shown)s events with the most registrations of %(count)s; the Excel "
                "file lists them all."
            )
            % {"shown": len(shown), "count": len(every)},
        )
    return Figure(
        key="events",
        title=title,
        columns=columns,
        rows=[row(e) for e in every],
        page_rows=page_rows,
        total=[_("Total"), None, *sums(every)],
        chart=chart,
        note=note,
    )


OUTCOMES = {
    "sent": (gettext_lazy("Sent"), GREEN),
    "failed": (gettext_lazy("Bounced or failed"), VERMILLION),
    "suppressed": (gettext_lazy("Not sent: address suppressed"), ORANGE),
    "skipped": (gettext_lazy("Skipped"), GREY),
    "waiting": (gettext_lazy("Waiting to be sent"), SKY),
}


def _deliveries_figure(dashboard: Dashboard, source: str, title: str, outcomes) -> Figure:
    counts = dashboard.deliveries[source]
    last = (
        12
        if dashboard.year < dashboard.today.year
        else max([dashboard.today.month, *(month for month, _outcome in counts)])
    )
    months = range(1, last + 1)
    labels = [_("Month %(month)s") % {"month": month} for month in months]
    chart = svg_charts.bar_chart(
        chart_id=f"chart-{source}_deliveries",
        title=title,
        categories=labels,
        series=[
            Series(str(OUTCOMES[o][0]), [counts[m, o] for m in months], OUTCOMES[o][1])
            for o in outcomes
        ],
        stacked=True,
        empty=_("Nothing was mailed in %(year)s.") % {"year": dashboard.year},
    )
    rows = [
        [label, *(counts[month, o] for o in outcomes), sum(counts[month, o] for o in outcomes)]
        for label, month in zip(labels, months, strict=True)
    ]
    total = [_("Total"), *(sum(row[i] for row in rows) for i in range(1, len(outcomes) + 2))]
    return Figure(
        key=f"{source}_deliveries",
        title=title,
        columns=[
            Column(_("Month"), "text"),
            *(Column(str(OUTCOMES[o][0])) for o in outcomes),
            Column(_("All")),
        ],
        rows=rows,
        total=total,
        chart=chart,
    )


@figure("digest_deliveries", section="mail", permission="digests.view_digestdelivery")
def digest_deliveries(dashboard: Dashboard) -> Figure:
    figure = _deliveries_figure(
        dashboard,
        "digest",
        _("Digest deliveries by month, %(year)s") % {"year": dashboard.year},
        ("sent", "failed", "skipped", "waiting"),
    )
    figure.note = _(
        "An address is suppressed after %(limit)s hard bounces and gets no more digests."
    ) % {"limit": HARD_BOUNCE_LIMIT}
    return figure


@figure("notice_deliveries", section="mail", permission="notices.view_noticedelivery")
def notice_deliveries(dashboard: Dashboard) -> Figure:
    return _deliveries_figure(
        dashboard,
        "notice",
        _("Notice deliveries by month, %(year)s") % {"year": dashboard.year},
        ("sent", "failed", "suppressed", "skipped", "waiting"),
    )


@figure("subscribers", section="mail", permission="digests.view_subscriber")
def subscribers(dashboard: Dashboard) -> Figure:
    rows = dashboard.subscribers
    statuses = list(Subscriber.Status)
    title = _("Digest subscribers by status, today")
    chart = svg_charts.bar_chart(
        chart_id="chart-subscribers",
        title=title,
        categories=[str(status.label) for status in statuses],
        series=[
            Series(_("Addresses"), [rows.get(s, {}).get("n", 0) for s in statuses], BLUE),
        ],
        empty=_("No subscribers yet."),
    )
    table = [
        [str(s.label), rows.get(s, {}).get("n", 0), rows.get(s, {}).get("bounced", 0)]
        for s in statuses
    ]
    return Figure(
        key="subscribers",
        title=title,
        columns=[
            Column(_("Status"), "text"),
            Column(_("Addresses")),
            Column(_("With hard bounces")),
        ],
        rows=table,
        total=[_("Total"), sum(r[1] for r in table), sum(r[2] for r in table)],
        chart=chart,
        note=_("Today's state, whatever the year chosen."),
    )


def _review_figure(dashboard: Dashboard, key: str, title: str, rows: dict, statuses) -> Figure:
    chart = svg_charts.bar_chart(
        chart_id=f"chart-{key}",
        title=title,
        categories=[str(status.label) for status in statuses],
        series=[
            Series(
                _("Submitted in %(year)s") % {"year": dashboard.year},
                [rows.get(s, {}).get("in_year", 0) for s in statuses],
                PURPLE,
            )
        ],
        empty=_("None submitted in %(year)s.") % {"year": dashboard.year},
    )
    table = [
        [str(s.label), rows.get(s, {}).get("in_year", 0), rows.get(s, {}).get("total", 0)]
        for s in statuses
    ]
    return Figure(
        key=key,
        title=title,
        columns=[
            Column(_("Status"), "text"),
            Column(_("Submitted in %(year)s") % {"year": dashboard.year}),
            Column(_("All years")),
        ],
        rows=table,
        total=[_("Total"), sum(r[1] for r in table), sum(r[2] for r in table)],
        chart=chart,
    )


@figure("applications", section="applications", permission="members.view_application")
def applications(dashboard: Dashboard) -> Figure:
    return _review_figure(
        dashboard,
        "applications",
        _("Membership applications by status, %(year)s") % {"year": dashboard.year},
        dashboard.applications,
        list(Application.Status),
    )


@figure("profile_changes", section="applications", permission="members.view_profilechange")
def profile_changes(dashboard: Dashboard) -> Figure:
    return _review_figure(
        dashboard,
        "profile_changes",
        _("Profile changes by status, %(year)s") % {"year": dashboard.year},
        dashboard.profile_changes,
        list(ProfileChange.Status),
    )


@dataclass
class Section:
    key: str
    title: str
    figures: list[Figure] = field(default_factory=list)


def page_sections(user, dashboard: Dashboard) -> list[Section]:
    """The figures ``user`` may see, by section; the deliveries query only what they may see."""
    specs = visible_specs(user)
    keys = {spec.key for spec in specs}
    dashboard.sources = tuple(name for name in ("digest", "notice") if f"{name}_deliveries" in keys)
    sections: dict[str, Section] = {}
    for spec in specs:
        section = sections.setdefault(
            spec.section, Section(spec.section, str(SECTIONS[spec.section]))
        )
        section.figures.append(spec.build(dashboard))
    return list(sections.values())
