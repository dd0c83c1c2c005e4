"""Time the back office's front page (the to-do list and the dashboard); print JSON.

    python manage.py bench_dashboard --runs 30

The seed (seed_bench) makes the members, their seats, the events with their
registrations and the subscribers; what else the dashboard counts is made
here, at the same scale, for this year and the years before it: five years of
dues bills for every member (most paid, a few overdue or waived), a weekly
digest to every active subscriber from January to today, a notice a month
to a contact of every member, applications and profile changes.

Those rows are committed and vacuumed before the page is timed, as a
database that has lived with them would be (rows still uncommitted, or never
vacuumed, make PostgreSQL read every row of an index-only scan from the
table too: 374 ms against 228 ms here), and removed afterwards, whatever
happens, so that the benchmark's database is left as it was. Each row made
carries a mark (``MARK``, the runs' ``MADE_AT``) by which they are found: a
run killed half-way is cleaned up by the next.

The page is the admin's index as a superuser sees it (every figure), through
Django's test client with DEBUG off: the first render, with an empty cache,
timed and its queries counted on its own; two more unmeasured; then
``--runs`` timed (median and 95th percentile), and one more with its SQL
queries counted.
"""

import json
import math
import statistics
import time
from datetime import UTC, datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from bench.seed import check_database
from digests.models import DigestDelivery, Subscriber
from dues.models import DuesBill, Payment
from events.models import Event, Registration
from members.models import Application, Company, ProfileChange
from notices.models import NoticeDelivery
from portal.dashboard import YEARS_OF_DUES

PATH = "/admin/"
WARM_UP = 3  # renders before the timed ones, the first of them reported on its own
MARK = "基准测试"
EMAIL = "bench-dashboard"  # the superuser's and the contacts' addresses start so
MADE_AT = datetime(2000, 1, 1, tzinfo=UTC)  # the digest runs' created_at (they have no text)
# The tables the fill writes to, vacuumed after it and after the clean-up.
FILLED = (
    "accounts_user",
    "members_contact",
    "members_application",
    "members_profilechange",
    "dues_duesbill",
    "dues_payment",
    "digests_digestrun",
    "digests_digestdelivery",
    "notices_notice",
    "notices_noticemailing",
    "notices_noticedelivery",
)
MEMBER = "status IN ('active', 'suspended')"

FILL = [
    # Dues: a bill a year for every company that had joined, ¥8,000 for the council's
    # (the seed's first 200), ¥3,000 for the rest; 1 in 97 waived.
    """
    INSERT INTO dues_duesbill
        (company_id, year, role, standard_amount, amount, due_on, waived,
         adjustment_reason, created_at)
    SELECT c.id, y, NULL, fee, fee, make_date(y, 3, 31), (c.id + y) %% 97 = 0,
           %(mark)s, now()
    FROM members_company c
    CROSS JOIN generate_series(%(first)s, %(year)s) AS y
    CROSS JOIN LATERAL (SELECT CASE WHEN c.id <= 200 THEN 8000 ELSE 3000 END AS fee) f
    WHERE c.status <> 'applicant'
      AND (c.joined_on IS NULL OR extract(year FROM c.joined_on) <= y)
    ON CONFLICT DO NOTHING
    """,
    # Paid in full (8 in 10), half (1 in 10) or not at all; receipts numbered by bill.
    """
    INSERT INTO dues_payment
        (bill_id, amount, method, reference, paid_on, recorded_by_id, recorded_at,
         receipt_year, receipt_sequence)
    SELECT b.id, CASE WHEN b.id %% 10 = 8 THEN b.amount / 2 ELSE b.amount END,
           'bank_transfer', %(mark)s, LEAST(make_date(b.year, 3, 16), %(today)s), %(user)s,
           now(), b.year, 1000000 + b.id
    FROM dues_duesbill b
    WHERE b.adjustment_reason = %(mark)s AND NOT b.waived AND b.id %% 10 < 9
    """,
    # A weekly digest to every active subscriber, Mondays from January to today.
    """
    WITH runs AS (
        INSERT INTO digests_digestrun (frequency, scheduled_for, created_at, finished_at)
        SELECT 'weekly', day::date, %(made_at)s, now()
        FROM generate_series(
            make_date(%(year)s, 1, 1)
                + (8 - extract(isodow FROM make_date(%(year)s, 1, 1))::int) %% 7,
            %(today)s, interval '7 days'
        ) AS day
        ON CONFLICT DO NOTHING
        RETURNING id, scheduled_for
    )
    INSERT INTO digests_digestdelivery
        (run_id, subscriber_id, status, window_start, window_end, attempts, error, sent_at)
    SELECT r.id, s.id,
           CASE (r.id + s.id) %% 200 WHEN 0 THEN 'failed' WHEN 1 THEN 'skipped' ELSE 'sent' END,
           r.scheduled_for - 7, r.scheduled_for, 1, '', r.scheduled_for
    FROM runs r CROSS JOIN digests_subscriber s WHERE s.status = 'active'
    """,
    # A contact for every member, for the notices.
    f"""
    WITH users AS (
        INSERT INTO accounts_user
            (password, is_superuser, email, name, is_staff, is_active, date_joined)
        SELECT '!', false, %(email)s || '-' || id || '@example.com', %(mark)s, false, true, now()
        FROM members_company WHERE {MEMBER}
        RETURNING id, email
    )
    INSERT INTO members_contact (user_id, company_id, job_title, phone, is_primary, created_at)
    SELECT id, split_part(split_part(email, '@', 1), '-', 3)::bigint, %(mark)s, '', false, now()
    FROM users
    """,
    # A notice a month, on the 10th, to every member's contact: 1 in 100 bounced, 1 in 100
    # not sent to an address suppressed.
    """
    WITH notices AS (
        INSERT INTO notices_notice
            (title, document_number, issued_on, body, audience, roles, cities, is_pinned,
             status, published_at, asks_reply, ask_attending, ask_people, ask_names, ask_text,
             created_at, updated_at)
        SELECT %(mark)s || month, '', make_date(%(year)s, month, 10), '', 'members', '{}', '{}',
               false, 'published', now(), false, false, false, false, '', now(), now()
        FROM generate_series(1, %(month)s) AS month
        RETURNING id, issued_on
    ), mailings AS (
        INSERT INTO notices_noticemailing
            (notice_id, number, send_at, filled_at, finished_at, created_at)
        SELECT id, 0, issued_on + time '10:00', now(), now(), now() FROM notices
        RETURNING id
    )
    INSERT INTO notices_noticedelivery (mailing_id, contact_id, status, attempts, error)
    SELECT m.id, c.id,
           CASE (m.id + c.id) %% 100 WHEN 0 THEN 'failed' WHEN 1 THEN 'skipped' ELSE 'sent' END,
           1,
           CASE (m.id + c.id) %% 100 WHEN 1 THEN 'address suppressed after bounces' ELSE '' END
    FROM mailings m CROSS JOIN members_contact c WHERE c.job_title = %(mark)s
    """,
    # Applications and profile changes through the year, a few still waiting.
    """
    INSERT INTO members_application
        (company_name, short_name, credit_code, city, address, website, introduction,
         contact_name, contact_title, contact_email, contact_phone, business_licence,
         status, rejection_reason, submitted_at)
    SELECT %(mark)s || n, '', '91330100MA' || lpad(n::text, 8, '0'), 'hangzhou', '', '', '',
           '王芳', '', 'apply' || n || '@example.com', '0571-88888888', '',
           (ARRAY['submitted', 'under_review', 'approved', 'approved'])[n %% 4 + 1], '',
           make_date(%(year)s, 1, 1) + (n %% 300) * interval '1 day'
    FROM generate_series(1, 120) AS n
    """,
    f"""
    INSERT INTO members_profilechange
        (company_id, changes, new_logo, status, rejection_reason, submitted_at)
    SELECT id, jsonb_build_object('bench', %(mark)s), '',
           CASE WHEN id %% 5 = 0 THEN 'pending' ELSE 'approved' END,
           '', make_date(%(year)s, 1, 1) + (id %% 300) * interval '1 day'
    FROM members_company WHERE {MEMBER} AND id %% 20 = 0
    """,
]

# What the fill made, children first.
CLEAN = [
    """
    DELETE FROM notices_noticedelivery WHERE mailing_id IN (
        SELECT m.id FROM notices_noticemailing m JOIN notices_notice n ON n.id = m.notice_id
        WHERE n.title LIKE %(marked)s AND n.body = ''
    )
    """,
    """
    DELETE FROM notices_noticemailing WHERE notice_id IN (
        SELECT id FROM notices_notice WHERE title LIKE %(marked)s AND body = ''
    )
    """,
    "DELETE FROM notices_notice WHERE title LIKE %(marked)s AND body = ''",
    """
    DELETE FROM digests_digestdelivery
    WHERE run_id IN (SELECT id FROM digests_digestrun WHERE created_at = %(made_at)s)
    """,
    "DELETE FROM digests_digestrun WHERE created_at = %(made_at)s",
    "DELETE FROM dues_payment WHERE reference = %(mark)s",
    "DELETE FROM dues_duesbill WHERE adjustment_reason = %(mark)s",
    "DELETE FROM members_profilechange WHERE changes = jsonb_build_object('bench', %(mark)s)",
    "DELETE FROM members_application WHERE company_name LIKE %(marked)s",
    """
    DELETE FROM members_contact WHERE user_id IN (
        SELECT id FROM accounts_user WHERE email LIKE %(emails)s
    )
    """,
]
PARAMS = {
    "mark": MARK,
    "marked": f"{MARK}%",
    "made_at": MADE_AT,
    "email": EMAIL,
    "emails": f"{EMAIL}%@example.com",
}


def fill(user: User, today) -> None:
    """What the dashboard counts beyond the seed, for ``today``'s year and those before."""
    params = {
        **PARAMS,
        "first": today.year - YEARS_OF_DUES + 1,
        "year": today.year,
        "month": today.month,
        "today": today,
        "user": user.pk,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in FILL:
            cursor.execute(sql, params)


def clean() -> None:
    """Remove what a fill made (this run's, or an earlier one's that did not finish)."""
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in CLEAN:
            cursor.execute(sql, PARAMS)
        # The superuser and the contacts' accounts, with what Django links to them.
        User.objects.filter(email__startswith=EMAIL, email__endswith="@example.com").delete()


def vacuum() -> None:
    with connection.cursor() as cursor:
        for table in FILLED:
            cursor.execute(f'VACUUM (ANALYZE) "{table}"')


def counts(year: int) -> dict:
    return {
        "companies": Company.objects.count(),
        "dues_bills": DuesBill.objects.count(),
        "payments": Payment.objects.count(),
        "events_this_year": Event.objects.filter(starts_at__year=year).count(),
        "registrations": Registration.objects.count(),
        "subscribers": Subscriber.objects.count(),
        "digest_deliveries_this_year": DigestDelivery.objects.filter(
            run__scheduled_for__year=year
        ).count(),
        "notice_deliveries_this_year": NoticeDelivery.objects.filter(
            mailing__send_at__year=year
        ).count(),
        "applications": Application.objects.count(),
        "profile_changes": ProfileChange.objects.count(),
    }


def measure(client: Client, runs: int) -> dict:
    def get():
        response = client.get(PATH, secure=True)
        if response.status_code != 200 or b'id="dashboard"' not in response.content:
            raise CommandError(f"{PATH} answered {response.status_code} without the dashboard")
        return response

    # The first render counts the year's deliveries (portal.dashboard keeps the counts of
    # finished runs in the cache); the next ones find them there. Each request empties the
    # query log as it starts: start from an empty one, so that the count sees it all.
    reset_queries()
    with CaptureQueriesContext(connection) as first_queries:
        started = time.perf_counter()
        get()
        first_ms = (time.perf_counter() - started) * 1000
    first_count = len(first_queries.captured_queries)  # read from the log: before the next
    for _ in range(WARM_UP - 1):
        get()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = get()
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        get()
    times.sort()
    return {
        "queries": len(captured.captured_queries),
        "queries_first": first_count,
        "first_ms": round(first_ms, 1),
        "runs": runs,
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[math.ceil(0.95 * len(times)) - 1], 1),  # nearest rank
        "max_ms": round(times[-1], 1),
        "bytes": len(response.content),
    }


class Command(BaseCommand):
    help = "Time the admin's front page (to-do list and dashboard) at the database's scale."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=30)
        parser.add_argument(
            "--no-fill", action="store_true", help="measure the data as it is (no dues, mail …)"
        )
        parser.add_argument("--output", help="write the results, as JSON, to this file")

    def handle(self, *args, runs: int, no_fill: bool, output: str | None, **options):
        if runs < 1:
            raise CommandError("--runs: at least 1")
        try:
            check_database()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from None
        today = timezone.localdate()
        hosts = [*settings.ALLOWED_HOSTS, "testserver"]
        clean()
        try:
            user = User.objects.create_superuser(f"{EMAIL}@example.com", None, name=MARK)
            started = time.perf_counter()
            if not no_fill:
                fill(user, today)
                vacuum()
            fill_s = round(time.perf_counter() - started, 2)
            rows = counts(today.year)
            with override_settings(DEBUG=False, ALLOWED_HOSTS=hosts):
                client = Client()
                client.force_login(user)
                measured = measure(client, runs)
                client.logout()
        finally:
            clean()
            vacuum()
        result = {"year": today.year, **measured, "fill_s": fill_s, "rows": rows}
        self.stderr.write(
            f"dashboard: {result['queries']} queries, median {result['median_ms']} ms, "
            f"p95 {result['p95_ms']} ms over {runs} renders; the first "
            f"{result['first_ms']} ms, {result['queries_first']} queries"
        )
        data = json.dumps(result, ensure_ascii=False)
        if output:
            with open(output, "w", encoding="utf-8") as file:
                file.write(data)
        else:
            self.stdout.write(data)
