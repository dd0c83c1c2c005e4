"""The back office's front page: the to-do list, then the dashboard's figures for a year.

The figures are checked on small hand-built data (``facts``: every company,
bill, registration and delivery is there for a reason named beside it), for
2025 as of 1 June 2026; the page and its downloads for ``?year=2025`` (the
clock is not moved: 2025 is past whatever today is, so its figures are
fixed, bar what is overdue, which is due in 2025 or at the end of 2099).
"""

import html
import importlib
import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import openpyxl
import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from digests.models import DigestDelivery, DigestRun, Subscriber
from dues.models import DuesBill, Payment, PaymentMethod
from events.models import Event, Registration
from members.models import (
    Application,
    City,
    Company,
    CouncilSeat,
    IndustrySegment,
    ProfileChange,
    SeatRole,
    Term,
)
from notices.models import Notice, NoticeDelivery, NoticeMailing
from portal.dashboard import SPECS, Dashboard, chosen_year, offered_years
from portal.svg_charts import Series, bar_chart
from tests.accounts.builders import credit_code, make_company, make_contact
from tests.conftest import shanghai
from tests.queries import assert_fixed_and_few, page_queries

pytestmark = pytest.mark.django_db

YEAR = 2025
TODAY = date(2026, 6, 1)
PAGE = f"/admin/?year={YEAR}"
EXPORT = reverse("admin:dashboard_export")
CJK = re.compile(r"[\u4e00-\u9fff]")


def build(key: str, year: int = YEAR, today: date = TODAY):
    with translation.override("zh-hans"):
        return Dashboard(year, today=today).build(key)


def rows_of(figure) -> dict:
    """The figure's rows by their first cell (a city, a year, a status)."""
    return {row[0]: row[1:] for row in figure.rows}


# The data ------------------------------------------------------------------------------------


def bill(company, year, amount, *, due_on=date(YEAR, 3, 31), waived=False) -> DuesBill:
    return DuesBill.objects.create(
        company=company,
        year=year,
        role=SeatRole.MEMBER,
        standard_amount=Decimal(amount),
        amount=Decimal(amount),
        due_on=due_on,
        waived=waived,
        adjustment_reason="经理事会同意减免" if waived else "",
    )


def payment(bill_, amount, *, by, sequence) -> Payment:
    return Payment.objects.create(
        bill=bill_,
        amount=Decimal(amount),
        method=PaymentMethod.BANK_TRANSFER,
        paid_on=date(YEAR, 3, 16),
        recorded_by=by,
        receipt_year=YEAR,
        receipt_sequence=sequence,
    )


def registration(event, n: int, **fields) -> Registration:
    return Registration.objects.create(
        event=event,
        company=fields.pop("company"),
        attendee_name=f"参会人{n}",
        attendee_phone=f"1390000{n:04d}",
        **fields,
    )


@pytest.fixture
def facts(db):
    """Companies, seats, bills, events, mail, applications and changes, each with its reason."""
    treasurer = User.objects.create_user("caiwu@example.com", "x", name="财务王", is_staff=True)
    automation = IndustrySegment.objects.create(name="工业自动化与控制系统", order=1)
    meters = IndustrySegment.objects.create(name="流量与计量仪表", order=2)
    # The term that covers the end of 2025, and the current one (from June 2026).
    sixth = Term.objects.create(
        ordinal=6, name="第六届理事会", starts_on=date(2021, 6, 1), ends_on=date(2026, 5, 31)
    )
    seventh = Term.objects.create(
        ordinal=7,
        name="第七届理事会",
        starts_on=date(2026, 6, 1),
        ends_on=date(2031, 5, 31),
        is_current=True,
    )

    def company(name, seed, **fields):
        return make_company(name, seed=seed, **fields)

    # A member since 2010: council unit in the sixth term, vice-president unit in the seventh.
    jia = company(
        "浙江甲仪表有限公司", 1, city=City.HANGZHOU, industry=automation, joined_on=date(2010, 1, 1)
    )
    CouncilSeat.objects.create(term=sixth, company=jia, role=SeatRole.COUNCIL)
    CouncilSeat.objects.create(term=seventh, company=jia, role=SeatRole.VICE_PRESIDENT)
    # Joined in 2025.
    yi = company(
        "宁波乙仪表有限公司", 2, city=City.NINGBO, industry=meters, joined_on=date(2025, 3, 1)
    )
    CouncilSeat.objects.create(term=sixth, company=yi, role=SeatRole.MEMBER)
    # Joined on the last day of 2025: a member at its end; no seat, no industry.
    bing = company("杭州丙仪表有限公司", 3, city=City.HANGZHOU, joined_on=date(2025, 12, 31))
    # Joined in 2026: not a member at the end of 2025.
    ding = company(
        "温州丁仪表有限公司", 4, city=City.WENZHOU, industry=automation, joined_on=date(2026, 1, 5)
    )
    CouncilSeat.objects.create(term=seventh, company=ding, role=SeatRole.MEMBER)
    # Withdrew in February 2026: still a member at the end of 2025.
    wu = company(
        "杭州戊仪表有限公司",
        5,
        city=City.HANGZHOU,
        industry=meters,
        joined_on=date(2015, 5, 1),
        status=Company.Status.WITHDRAWN,
        withdrawn_on=date(2026, 2, 1),
    )
    CouncilSeat.objects.create(term=sixth, company=wu, role=SeatRole.MEMBER)
    # Withdrew in June 2025: not a member at its end.
    company(
        "宁波己仪表有限公司",
        6,
        city=City.NINGBO,
        joined_on=date(2012, 1, 1),
        status=Company.Status.WITHDRAWN,
        withdrawn_on=date(2025, 6, 30),
    )
    # Withdrew on the last day of 2025: not a member at its end.
    company(
        "温州癸仪表有限公司",
        10,
        city=City.WENZHOU,
        joined_on=date(2020, 4, 1),
        status=Company.Status.WITHDRAWN,
        withdrawn_on=date(2025, 12, 31),
    )
    # Suspended, no city and no joining date: a member, counted without a year of joining.
    company("庚仪表有限公司", 7, city="", status=Company.Status.SUSPENDED)
    # An applicant: no member, and in no year.
    company("辛仪表有限公司", 8, status=Company.Status.APPLICANT)
    # Withdrawn before withdrawals were dated: in no year, and no member.
    ren = company("壬仪表有限公司", 9, status=Company.Status.WITHDRAWN)
    Company.objects.filter(pk=ren.pk).update(withdrawn_on=None)

    # 2025's bills, as of 1 June 2026: 甲 paid in full and ¥500 more (refunded later),
    # 乙 paid ¥1,000 of ¥3,000 due in March (overdue ¥2,000), 戊 waived, 丙 due at the
    # end of 2099 (not yet due). 2024: 甲 paid. 2020 is more than five years back.
    jia_2025 = bill(jia, 2025, "8000")
    payment(jia_2025, "8000", by=treasurer, sequence=1)
    payment(jia_2025, "500", by=treasurer, sequence=2)
    payment(bill(yi, 2025, "3000"), "1000", by=treasurer, sequence=3)
    bill(wu, 2025, "3000", waived=True)
    bill(bing, 2025, "3000", due_on=date(2099, 12, 31))
    payment(bill(jia, 2024, "8000", due_on=date(2024, 3, 31)), "8000", by=treasurer, sequence=4)
    bill(jia, 2020, "8000", due_on=date(2020, 3, 31))

    # Events: the liaison day in May 2025 with every kind of registration; one on New
    # Year's Day 2025 in Shanghai (still 2024 in UTC); a draft and a 2024 event, left out.
    def event(title, starts_at, status=Event.Status.PUBLISHED):
        return Event.objects.create(
            title=title,
            kind=Event.Kind.LIAISON_DAY,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=8),
            status=status,
        )

    new_year = event("新春团拜会", shanghai(2025, 1, 1, 0, 30))
    registration(new_year, 1, company=jia)
    liaison = event("浙仪协工作联系人交流活动", shanghai(2025, 5, 10, 9))
    checked_in = shanghai(2025, 5, 10, 8, 50)
    registration(liaison, 2, company=jia, checked_in_at=checked_in)  # came
    registration(liaison, 3, company=jia)  # did not come
    registration(liaison, 4, company=yi, status=Registration.Status.ATTENDED)  # marked
    registration(liaison, 5, company=yi, status=Registration.Status.WAITLISTED)
    registration(liaison, 6, company=yi, status=Registration.Status.CANCELLED)
    registration(
        liaison,
        7,
        company=bing,
        walk_in=True,
        status=Registration.Status.ATTENDED,
        checked_in_at=checked_in,
    )
    registration(  # a walk-in taken back: cancelled, not a walk-in
        liaison, 8, company=bing, walk_in=True, status=Registration.Status.CANCELLED
    )
    registration(
        event("理事会会议（草稿）", shanghai(2025, 6, 1, 9), Event.Status.DRAFT), 9, company=jia
    )
    registration(event("2024年会", shanghai(2024, 12, 20, 9)), 10, company=jia)

    # Digests: March 2025 (sent 2, failed 1, skipped 1, queued 1), April (sent 1); a run
    # of 30 December 2024 is 2024's.
    subscribers = [
        Subscriber.objects.create(email=f"reader{n}@example.com", status=status, hard_bounces=hb)
        for n, (status, hb) in enumerate(
            [
                (Subscriber.Status.ACTIVE, 0),
                (Subscriber.Status.ACTIVE, 1),
                (Subscriber.Status.ACTIVE, 0),
                (Subscriber.Status.SUPPRESSED, 3),
                (Subscriber.Status.UNSUBSCRIBED, 0),
            ]
        )
    ]

    def digests(scheduled_for, statuses):
        run = DigestRun.objects.create(frequency="weekly", scheduled_for=scheduled_for)
        for subscriber, status in zip(subscribers, statuses, strict=False):
            DigestDelivery.objects.create(
                run=run,
                subscriber=subscriber,
                status=status,
                window_start=shanghai(2025, 1, 1),
                window_end=shanghai(2025, 1, 8),
            )

    S = DigestDelivery.Status
    digests(date(2025, 3, 3), [S.SENT, S.SENT, S.FAILED, S.SKIPPED, S.QUEUED])
    digests(date(2025, 4, 7), [S.SENT])
    digests(date(2024, 12, 30), [S.SENT])

    # A notice mailed in March 2025 (sent, bounced, suppressed, skipped, sending); its
    # reminder at 00:10 on New Year's Day 2026 in Shanghai is 2026's.
    contacts = [make_contact(jia, f"contact{n}@example.com", primary=n == 0) for n in range(5)]
    notice = Notice.objects.create(title="关于召开第六届理事会第五次会议的通知")
    first = NoticeMailing.objects.create(notice=notice, number=0, send_at=shanghai(2025, 3, 15))
    reminder = NoticeMailing.objects.create(
        notice=notice, number=1, send_at=shanghai(2026, 1, 1, 0, 10)
    )
    for contact, (status, error) in zip(
        contacts,
        [
            (S.SENT, ""),
            (S.FAILED, "550 5.1.1 mailbox unavailable"),
            (S.SKIPPED, "address suppressed after bounces"),
            (S.SKIPPED, "contact no longer active"),
            (S.SENDING, ""),
        ],
        strict=True,
    ):
        NoticeDelivery.objects.create(mailing=first, contact=contact, status=status, error=error)
    NoticeDelivery.objects.create(mailing=reminder, contact=contacts[0], status=S.SENT)

    # Applications: one of each status in 2025, and one submitted in 2024 still waiting.
    A = Application.Status
    for n, (status, submitted_at) in enumerate(
        [
            (A.SUBMITTED, shanghai(2025, 2, 1)),
            (A.UNDER_REVIEW, shanghai(2025, 4, 1)),
            (A.APPROVED, shanghai(2025, 5, 1)),
            (A.REJECTED, shanghai(2025, 6, 1)),
            (A.SUBMITTED, shanghai(2024, 11, 1)),
        ]
    ):
        Application.objects.create(
            company_name=f"申请单位{n}",
            credit_code=credit_code(100 + n),
            city=City.HUZHOU,
            contact_name="王芳",
            contact_email=f"apply{n}@example.com",
            contact_phone="0574-88888888",
            status=status,
            rejection_reason="材料不全" if status == A.REJECTED else "",
            submitted_at=submitted_at,
        )
    # Profile changes: two waiting and one approved from 2025, one waiting from 2024.
    P = ProfileChange.Status
    for status, submitted_at in [
        (P.PENDING, shanghai(2025, 7, 1)),
        (P.PENDING, shanghai(2025, 8, 1)),
        (P.APPROVED, shanghai(2025, 9, 1)),
        (P.PENDING, shanghai(2024, 9, 1)),
    ]:
        ProfileChange.objects.create(
            company=jia,
            changes={"phone": {"old": "", "new": "0571-1"}},
            status=status,
            submitted_at=submitted_at,
        )
    return SimpleNamespace(liaison=liaison, new_year=new_year)


# The figures ---------------------------------------------------------------------------------


def test_a_withdrawal_is_dated_when_the_status_changes(db):
    company = make_company("浙江测试仪表有限公司")
    assert company.withdrawn_on is None
    company.status = Company.Status.WITHDRAWN
    company.save(update_fields=["status"])
    company.refresh_from_db()
    assert company.withdrawn_on is not None
    company.status = Company.Status.ACTIVE
    company.save(update_fields=["status"])
    company.refresh_from_db()
    assert company.withdrawn_on is None


def test_it_counts_the_members_at_the_end_of_the_year_by_role_city_and_industry(facts):
    # 甲, 乙, 丙 (joined on 31 December), 戊 (withdrew in 2026) and 庚 (suspended).
    roles = rows_of(build("members_by_role"))
    assert roles["理事单位"] == [1]  # 甲's seat in the sixth term
    assert roles["会员单位"] == [2]  # 乙 and 戊
    assert roles["副理事长单位"] == [0]  # 甲's seat from June 2026 is not 2025's
    assert sum(count for (count,) in roles.values()) == 5
    assert build("members_by_role").total[1] == 5

    cities = rows_of(build("members_by_city"))
    assert cities["杭州市"] == [3]  # 甲, 丙, 戊
    assert cities["宁波市"] == [1]  # 乙 (己 withdrew in 2025)
    assert cities["温州市"] == [0]  # 丁 joined in 2026, 癸 withdrew on 31 December
    assert sum(count for (count,) in cities.values()) == 5  # 庚 without a city too

    industries = build("members_by_industry").rows
    assert industries[:2] == [["工业自动化与控制系统", 1], ["流量与计量仪表", 2]]  # by order
    assert industries[2][1] == 2  # 丙 and 庚 have none


def test_this_years_members_are_todays_in_the_current_term(facts):
    # On 1 June 2026: 甲, 乙, 丙, 丁 and 庚; 戊 withdrew in February.
    roles = rows_of(build("members_by_role", year=2026))
    assert roles["副理事长单位"] == [1]  # 甲 in the seventh term
    assert roles["会员单位"] == [1]  # 丁
    assert sum(count for (count,) in roles.values()) == 5


def test_it_counts_joins_and_withdrawals_per_year(facts):
    figure = build("joins_withdrawals")
    years = rows_of(figure)
    assert list(years)[0] == 2016 and list(years)[-1] == 2025
    assert years[2025] == [2, 2, 0]  # 乙 and 丙 joined, 己 and 癸 withdrew
    assert years[2020] == [1, 0, 1]  # 癸 joined
    assert years[2016] == [0, 0, 0]  # 戊 joined in 2015, before the ten years
    assert figure.total[1:] == [3, 2, 1]
    # 庚 and 壬 have no joining date, 壬 no withdrawal date; the applicant is not counted.
    assert re.findall(r"\d+", figure.note) == ["2", "1"]
    assert rows_of(build("joins_withdrawals", year=2026))[2026] == [1, 1, 0]  # 丁; 戊


def test_it_sums_the_dues_expected_collected_and_overdue_in_decimal_yuan(facts):
    figure = build("dues")
    years = rows_of(figure)
    assert list(years) == [2024, 2025]  # five years back at most: 2020's bill is left out
    bills, expected, collected, outstanding, not_due, overdue, late_bills, share = years[2025]
    assert bills == 4
    assert expected == Decimal("14000.00")  # 甲 8,000 + 乙 3,000 + 丙 3,000; 戊 waived
    assert collected == Decimal("9500.00")
    # 甲's ¥500 over its bill does not pay 乙's or 丙's.
    assert outstanding == Decimal("5000.00")
    assert not_due == Decimal("3000.00")  # 丙, due in 2099
    assert overdue == Decimal("2000.00")  # 乙
    assert late_bills == 1
    assert share == Decimal("67.9")  # 9,500 / 14,000 in per cent, one place
    assert years[2024] == [
        1,
        Decimal("8000.00"),
        Decimal("8000.00"),
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("0.00"),
        0,
        Decimal("100.0"),
    ]
    for row in figure.rows:
        assert not any(isinstance(value, float) for value in row)
        assert all(isinstance(value, Decimal) for value in row[2:7])


def test_it_counts_registrations_and_attendance_per_event(facts):
    figure = build("events")
    assert [row[0] for row in figure.rows] == ["新春团拜会", "浙仪协工作联系人交流活动"]
    new_year, liaison = figure.rows
    assert new_year[1] == date(2025, 1, 1)  # the day in Shanghai
    # Registered (2 confirmed, 1 marked attended), checked in (1 at the door, 1 marked),
    # not checked in, walk-ins (not the cancelled one), waitlisted, cancelled.
    assert liaison[2:] == [3, 2, 1, 1, 1, 2]
    assert new_year[2:] == [1, 0, 1, 0, 0, 0]
    assert figure.total[2:] == [4, 2, 2, 1, 1, 2]


def test_it_counts_the_deliveries_by_month_and_outcome(facts):
    digests = build("digest_deliveries")
    assert len(digests.headers) == 6  # month, sent, failed, skipped, waiting, all
    assert len(digests.rows) == 12  # a past year: every month
    march, april = digests.rows[2], digests.rows[3]
    assert march[1:] == [2, 1, 1, 1, 5]  # sent, failed, skipped, waiting, all
    assert april[1:] == [1, 0, 0, 0, 1]
    assert digests.total[1:] == [3, 1, 1, 1, 6]  # not the run of 30 December 2024

    notices = build("notice_deliveries")
    march = notices.rows[2]
    assert march[1:] == [1, 1, 1, 1, 1, 5]  # sent, bounced, suppressed, skipped, waiting
    assert notices.total[1:] == [1, 1, 1, 1, 1, 5]  # the reminder is 2026's
    assert build("notice_deliveries", year=2026).total[1:] == [1, 0, 0, 0, 0, 1]


def test_a_finished_runs_counts_are_kept_and_a_reopened_run_counted_again(facts, private_cache):
    finished = shanghai(2025, 4, 30)
    DigestRun.objects.update(finished_at=finished)
    NoticeMailing.objects.update(finished_at=finished)

    def deliveries():
        with CaptureQueriesContext(connection) as queries:
            counts = Dashboard(YEAR, today=TODAY).deliveries
        return counts, len(queries)

    counts, first = deliveries()
    assert counts["digest"][3, "sent"] == 2 and counts["notice"][3, "suppressed"] == 1
    counts, again = deliveries()
    assert again == first - 1 == 1  # the year's runs and mailings: their counts are kept
    assert counts["digest"][3, "sent"] == 2 and counts["notice"][3, "suppressed"] == 1
    assert counts["digest"][3, "failed"] == 1

    # Sending the failed mail again reopens its run: counted on each view until it finishes,
    # then kept again under its new finishing time.
    DigestDelivery.objects.filter(status="failed").update(status="sent")
    march = DigestRun.objects.filter(scheduled_for=date(2025, 3, 3))
    march.update(finished_at=None)
    counts, reopened = deliveries()
    assert (counts["digest"][3, "sent"], counts["digest"][3, "failed"], reopened) == (3, 0, 2)
    march.update(finished_at=finished + timedelta(days=1))
    assert deliveries()[0]["digest"][3, "sent"] == 3
    assert deliveries()[1] == 1


def test_it_counts_subscribers_by_status_with_their_bounces(facts):
    figure = build("subscribers")
    by_status = {row[0]: row[1:] for row in figure.rows}
    with translation.override("zh-hans"):
        label = {status.value: str(status.label) for status in Subscriber.Status}
    assert by_status[label["active"]] == [3, 1]  # addresses, with hard bounces
    assert by_status[label["suppressed"]] == [1, 1]
    assert by_status[label["unsubscribed"]] == [1, 0]
    assert by_status[label["pending"]] == [0, 0]
    assert figure.total[1:] == [5, 2]


def test_it_counts_open_applications_and_profile_changes(facts):
    with translation.override("zh-hans"):
        A, P = Application.Status, ProfileChange.Status
        applications = {row[0]: row[1:] for row in build("applications").rows}
        assert applications[str(A.SUBMITTED.label)] == [1, 2]  # in 2025, in all years
        assert applications[str(A.UNDER_REVIEW.label)] == [1, 1]
        assert applications[str(A.APPROVED.label)] == [1, 1]
        assert applications[str(A.REJECTED.label)] == [1, 1]
        changes = {row[0]: row[1:] for row in build("profile_changes").rows}
        assert changes[str(P.PENDING.label)] == [2, 3]
        assert changes[str(P.APPROVED.label)] == [1, 1]
    dashboard = Dashboard(YEAR, today=TODAY)
    assert dashboard.open_applications() == 3
    assert dashboard.pending_profile_changes() == 3


def test_the_years_offered_are_those_in_the_data_and_a_bad_year_falls_back(facts):
    years = offered_years(today=TODAY)
    assert years[0] == 2026 and {2010, 2012, 2015, 2020, 2024, 2025} <= set(years)
    assert years == sorted(years, reverse=True)
    assert 1999 not in years
    assert chosen_year("2025", years) == 2025
    for bad in ("1999", "abc", "", None, "2025.5", "99999999999999999999"):
        assert chosen_year(bad, years) == timezone.localdate().year, bad


def test_a_chart_escapes_its_labels_and_keeps_those_that_fit_whole():
    svg = bar_chart(
        chart_id="c",
        title="<标题>",
        categories=["2024", "2025", "<b>甲&乙</b>"],
        series=[Series("会员单位", [1, 2, 3])],
    )
    assert "<b>" not in svg and "&lt;b&gt;甲&amp;乙&lt;/b&gt;" in svg
    assert '<title id="c-t">&lt;标题&gt;</title>' in svg
    years = bar_chart(
        chart_id="d", title="t", categories=["2024", "2025"], series=[Series("s", [1, 2])]
    )
    assert ">2024</text>" in years and ">2025</text>" in years  # not cut to "20…"
    assert 'x2="' in years and ">1.5<" not in years  # whole numbers on a count's axis


# The page ------------------------------------------------------------------------------------


FIGURE = re.compile(
    r'<section class="module dashboard-figure" id="figure-(\w+)".*?</section>', re.S
)


def figures_on(content: str) -> dict[str, str]:
    return {match.group(1): match.group(0) for match in FIGURE.finditer(content)}


def table_of(section: str) -> tuple[list[str], list[list[str]], list[str] | None]:
    """The headers, the body's rows and the total of a figure's table, as shown."""
    table = re.search(r"<table>(.*?)</table>", section, re.S).group(1)
    headers = [html.unescape(h) for h in re.findall(r'<th scope="col">(.*?)</th>', table)]

    def rows(part: str) -> list[list[str]]:
        return [
            [html.unescape(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", part, re.S)
        ]

    body = re.search(r"<tbody>(.*?)</tbody>", table, re.S).group(1)
    total = re.search(r"<tfoot>(.*?)</tfoot>", table, re.S)
    return headers, rows(body), rows(total.group(1))[0] if total else None


def bars_of(section: str) -> list[tuple[str, str, str]]:
    """Each bar's category, series and value, from its tooltip."""
    svg = re.search(r"<svg .*?</svg>", section, re.S).group(0)
    bar = r"<rect [^>]*><title>([^<]*?) · ([^<]*)：([^<]*)</title></rect>"
    return [tuple(html.unescape(part) for part in match) for match in re.findall(bar, svg)]


def test_each_figure_is_an_inline_chart_with_a_table_of_the_same_numbers(admin_client, facts):
    response = admin_client.get(PAGE)
    assert response.status_code == 200
    content = response.content.decode()
    figures = figures_on(content)
    assert list(figures) == list(SPECS)  # a superuser sees them all, in order

    for key, section in figures.items():
        svg = re.search(r"<svg [^>]*>", section).group(0)
        assert 'role="img"' in svg and "aria-labelledby" in svg, key
        assert "<script" not in section, key
        headers, rows, _total = table_of(section)
        assert headers == build(key).headers, key
        by_category = {row[0]: dict(zip(headers[1:], row[1:], strict=True)) for row in rows}
        bars = bars_of(section)
        assert bars, f"{key}: no bars"
        for category, series, value in bars:
            assert by_category[category][series] == value, (key, category, series)
        # And the other way round: every value above zero in a charted column has its bar.
        charted = {series for _category, series, _value in bars}
        drawn = {(category, series) for category, series, _value in bars}
        for category, cells in by_category.items():
            for series in charted:
                if cells[series] not in ("0", "¥0.00", "–"):
                    assert (category, series) in drawn, (key, category, series)

    assert "¥9,500.00" in figures["dues"]  # the exact amount, in the table and the tooltip
    assert "2025 · 逾期：¥2,000.00" in html.unescape(figures["dues"])


def test_the_page_loads_no_script_from_outside(admin_client, facts):
    content = admin_client.get(PAGE).content.decode()
    for src in re.findall(r"<script[^>]*\bsrc=\"([^\"]*)\"", content):
        assert src.startswith("/") and not src.startswith("//"), src
    for href in re.findall(r"<link[^>]*\bhref=\"([^\"]*)\"", content):
        assert href.startswith("/") and not href.startswith("//"), href


def test_the_year_chosen_shows_that_years_figures(admin_client, facts):
    response = admin_client.get(PAGE)
    assert response.context["dashboard_year"] == YEAR
    content = response.content.decode()
    assert '<option value="2025" selected>' in content
    joins = figures_on(content)["joins_withdrawals"]
    assert re.search(r"<h4 [^>]*>2016\D+2025\D", joins)  # the ten years to 2025
    assert table_of(joins)[1][-1] == ["2025", "2", "2", "0"]  # 乙, 丙 joined; 己, 癸 withdrew
    assert f"?figure=dues&amp;year={YEAR}" in content


@pytest.mark.parametrize("year", ["1800", "abc", "2025-01", ""])
def test_a_bad_year_shows_this_years_figures(admin_client, facts, year):
    response = admin_client.get(f"/admin/?year={year}")
    assert response.status_code == 200
    assert response.context["dashboard_year"] == date.today().year


def test_the_to_do_list_is_still_first(admin_client, facts):
    content = admin_client.get(PAGE).content.decode()
    assert content.index('id="secretariat-todo"') < content.index('id="dashboard"')
    todo = dict(
        re.findall(
            r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>\s*<td><strong>(\d+)</strong>',
            content,
        )
    )
    assert todo["待审核的入会申请"] == "3"  # every year's, not only 2025's
    assert todo["待审核的资料变更"] == "3"


# The number of queries -----------------------------------------------------------------------


def add_rows(start: int, stop: int) -> None:
    """Per row a company with its seat and bills, an event with registrations, digests and
    notices delivered, an application and a profile change: each its own, so that a query
    per row shows up."""
    term = Term.objects.get_or_create(
        ordinal=6,
        defaults={"name": "第六届理事会", "starts_on": date(2021, 6, 1), "is_current": True},
    )[0]
    user = User.objects.get_or_create(email="caiwu@example.com", defaults={"name": "财务"})[0]
    notice = Notice.objects.get_or_create(title="关于缴纳2025年度会费的通知")[0]
    for n in range(start, stop):
        industry = IndustrySegment.objects.create(name=f"细分行业{n}", order=n)
        company = make_company(
            f"浙江测试{n}号仪表有限公司",
            seed=1000 + n,
            city=list(City)[n % len(City)],
            industry=industry,
            joined_on=date(2016 + n % 10, 1, 1),
        )
        CouncilSeat.objects.create(term=term, company=company, role=SeatRole.COUNCIL)
        for offset, year in enumerate((2024, 2025)):
            payment(bill(company, year, "5000"), "2000", by=user, sequence=100 + 2 * n + offset)
        event = Event.objects.create(
            title=f"会员企业走访交流活动{n}",
            starts_at=shanghai(2025, 1, 1) + timedelta(days=n),
            ends_at=shanghai(2025, 1, 1, 3) + timedelta(days=n),
            status=Event.Status.PUBLISHED,
        )
        registration(event, 2 * n, company=company)
        registration(event, 2 * n + 1, company=company, checked_in_at=event.starts_at)
        subscriber = Subscriber.objects.create(email=f"reader{n}@example.cn", status="active")
        run = DigestRun.objects.create(
            frequency="weekly", scheduled_for=date(2025, 1, 6) + timedelta(days=n)
        )
        DigestDelivery.objects.create(
            run=run,
            subscriber=subscriber,
            status="sent",
            window_start=shanghai(2025, 1, 1),
            window_end=shanghai(2025, 1, 6),
        )
        mailing = NoticeMailing.objects.create(
            notice=notice, number=n, send_at=shanghai(2025, 2, 1) + timedelta(days=n)
        )
        contact = make_contact(company, f"contact{n}@example.cn")
        NoticeDelivery.objects.create(mailing=mailing, contact=contact, status="failed")
        Application.objects.create(
            company_name=f"申请单位{n}",
            credit_code=credit_code(5000 + n),
            city=City.HUZHOU,
            contact_name="王芳",
            contact_email=f"apply{n}@example.cn",
            contact_phone="0574-88888888",
            submitted_at=shanghai(2025, 3, 1) + timedelta(days=n),
        )
        ProfileChange.objects.create(company=company, changes={}, submitted_at=shanghai(2025, 4, 1))


def test_the_page_runs_the_same_few_queries_for_3_rows_as_for_40(admin_client, private_cache):
    add_rows(0, 3)
    small = page_queries(admin_client, PAGE)
    add_rows(3, 40)
    large = page_queries(admin_client, PAGE)
    assert_fixed_and_few(small, large, limit=20)
    content = admin_client.get(PAGE).content.decode()
    assert table_of(figures_on(content)["members_by_role"])[2][1] == "40"  # the total


# The downloads -------------------------------------------------------------------------------


def sheet(response) -> list[list]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert ".xlsx" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def plain(value):
    """A cell's value as openpyxl reads it back: numbers as Decimal, dates as dates."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return Decimal(str(value)).normalize()
    return str(value)


@pytest.mark.parametrize("key", list(SPECS))
def test_each_figure_downloads_as_a_spreadsheet_with_chinese_headers(admin_client, facts, key):
    rows = sheet(admin_client.get(EXPORT, {"figure": key, "year": YEAR}))
    figure = build(key, today=timezone.localdate())
    assert rows[0] == figure.headers
    assert all(CJK.search(header) for header in rows[0]), rows[0]
    expected = [[plain(value) for value in row] for row in figure.sheet_rows()]
    assert [[plain(value) for value in row] for row in rows[1:]] == expected


def test_the_dues_download_has_the_amounts_in_yuan(admin_client, facts):
    response = admin_client.get(EXPORT, {"figure": "dues", "year": YEAR})
    rows = sheet(response)
    year_2025 = next(row for row in rows if row[0] == 2025)
    assert year_2025[1:8] == [4, 14000, 9500, 5000, 3000, 2000, 1]
    # Written from Decimal, as amounts in yuan with two places (a float gets no format).
    cells = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    row = next(r for r in cells.iter_rows(min_row=2) if r[0].value == 2025)
    assert [cell.number_format for cell in row[2:7]] == ["#,##0.00"] * 5


def test_an_unknown_figure_is_not_found(admin_client):
    assert admin_client.get(EXPORT, {"figure": "salaries"}).status_code == 404
    assert admin_client.get(EXPORT).status_code == 404


# Who sees what -------------------------------------------------------------------------------


def role(name: str) -> Group:
    """The group as accounts/migrations/0003_roles.py makes it (again, if a test emptied it)."""
    roles = importlib.import_module("accounts.migrations.0003_roles").ROLES
    group, _created = Group.objects.get_or_create(name=name)
    if not group.permissions.exists():
        for label, actions in roles[name].items():
            app_label, model = label.split(".")
            for action in actions:
                codename = "send_notice" if action == "send" else f"{action}_{model}"
                group.permissions.add(
                    Permission.objects.get(content_type__app_label=app_label, codename=codename)
                )
    return group


def staff(client, email: str, *, groups=(), permissions=()) -> User:
    user = User.objects.create_user(email, "x", name="秘书处", is_staff=True)
    user.groups.set(groups)
    user.user_permissions.set(permissions)
    client.force_login(user)
    return user


def test_an_editor_sees_no_money(client, admin_client, facts):
    # What the editor must not see is on the page for who may see it.
    superuser_page = admin_client.get(PAGE).content.decode()
    assert "会费" in superuser_page and "¥" in superuser_page

    staff(client, "bianji@example.com", groups=[role("编辑")])
    response = client.get(PAGE)
    assert response.status_code == 200
    content = response.content.decode()
    figures = figures_on(content)
    assert "members_by_city" in figures and "subscribers" in figures  # 编辑 views those
    assert "dues" not in figures
    assert "会费" not in content
    assert "¥" not in content
    assert "figure=dues" not in content
    assert client.get(EXPORT, {"figure": "dues", "year": YEAR}).status_code == 403
    assert client.get(EXPORT, {"figure": "members_by_city", "year": YEAR}).status_code == 200


def test_finance_sees_the_dues_and_downloads_them(client, facts):
    staff(client, "caiwu2@example.com", groups=[role("财务")])
    figures = figures_on(client.get(PAGE).content.decode())
    assert "dues" in figures and "¥9,500.00" in figures["dues"]
    assert "events" not in figures  # 财务 has no view of the registrations
    assert client.get(EXPORT, {"figure": "dues", "year": YEAR}).status_code == 200
    assert client.get(EXPORT, {"figure": "events", "year": YEAR}).status_code == 403


def test_staff_without_a_figure_permission_get_the_page_without_the_dashboard(client, facts):
    staff(
        client,
        "writer@example.com",
        permissions=Permission.objects.filter(codename="view_article"),
    )
    response = client.get(PAGE)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="dashboard"' not in content
    assert 'class="chart"' not in content
    assert "草稿文章" in content  # the to-do list is still there
    assert response.context["dashboard_sections"] == []
    assert client.get(EXPORT, {"figure": "members_by_city"}).status_code == 403
