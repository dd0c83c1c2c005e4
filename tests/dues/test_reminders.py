"""Dues reminders from beat: each offset once per bill, none once settled, none twice after a crash.

A year of days runs through beat's task (``send_dues_reminders``) with the
clock set to each day in turn; the mail is counted at a real SMTP server.
"""

from collections import Counter
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from dues import services, tasks
from dues.models import DuesBill
from members.models import SeatRole
from outbox.models import OutgoingMail
from tests.dues.builders import bills, fee_schedule, seated_company, treasurer

pytestmark = pytest.mark.django_db(transaction=True)

SHANGHAI = ZoneInfo("Asia/Shanghai")
DUE = date(2027, 3, 31)


def at(day: date):
    """The clock at 09:30 in Shanghai on ``day``, as beat would run the task."""
    return mock.patch.object(
        timezone, "now", return_value=datetime.combine(day, time(9, 30), tzinfo=SHANGHAI)
    )


def reminder_keys() -> Counter:
    return Counter(
        OutgoingMail.objects.filter(template="dues-reminder").values_list("key", flat=True)
    )


@pytest.fixture
def companies(settings):
    settings.DUES_REMINDER_OFFSETS = [-30, -7, 14, 45]
    fee_schedule()
    return [
        seated_company("浙江甲仪表有限公司", SeatRole.COUNCIL, seed=1, contacts=2),
        seated_company("浙江乙仪表有限公司", seed=2),
        seated_company("浙江丙仪表有限公司", seed=3),
    ]


def run_year(start: date, *, on_day=None) -> None:
    day = start
    while day < start + timedelta(days=365):
        with at(day):
            if on_day is not None:
                on_day(day)
            tasks.send_dues_reminders()
        day += timedelta(days=1)


def test_it_sends_each_reminder_once_and_none_after_payment(companies, smtp_server):
    a, b, c = companies
    with at(date(2027, 1, 5)):
        made = {bill.company_id: bill for bill in bills(2027, DUE)}
    paid_on = date(2027, 4, 3)  # b pays after the due date: its later reminders stop

    def pay(day):
        if day == paid_on:
            services.payment_record(
                bill=made[b.pk], amount=Decimal("3000"), method="cash", paid_on=day, by=treasurer()
            )

    run_year(date(2027, 1, 5), on_day=pay)

    keys = reminder_keys()
    assert set(keys.values()) == {1}, "a reminder was queued twice"
    for company in (a, c):
        bill = made[company.pk]
        assert {key for key in keys if key.startswith(f"dues-reminder:{bill.pk}:")} == {
            f"dues-reminder:{bill.pk}:{offset}" for offset in (-30, -7, 14, 45)
        }
    b_bill = made[b.pk]
    assert {key for key in keys if key.startswith(f"dues-reminder:{b_bill.pk}:")} == {
        f"dues-reminder:{b_bill.pk}:-30",
        f"dues-reminder:{b_bill.pk}:-7",
    }
    # At the SMTP server: each reminder once, to the primary contact with the colleague in copy.
    subjects = [message["Subject"] for _rcpts, message in smtp_server.handler.messages]
    assert sum("会费缴纳提醒" in x or "会费已逾期" in x for x in subjects) == sum(keys.values())
    to_a = [
        rcpts
        for rcpts, message in smtp_server.handler.messages
        if a.name in message["Subject"] and "会费缴纳通知" not in message["Subject"]
    ]
    assert len(to_a) == 4
    assert all(sorted(rcpts) == ["c1-0@example.com", "c1-1@example.com"] for rcpts in to_a)


def test_a_waived_bill_gets_no_reminder(companies):
    with at(date(2027, 1, 5)):
        made = bills(2027, DUE)
    services.bills_waive(bills=made, reason="受灾减免")

    with at(DUE - timedelta(days=7)):
        assert tasks.send_dues_reminders() == 0
    assert reminder_keys() == Counter()


def test_a_worker_killed_mid_run_sends_nothing_twice_when_restarted(companies):
    with at(date(2027, 1, 5)):
        bills(2027, DUE)
    day = DUE - timedelta(days=30)
    real_send = services._send_notice
    calls = []

    def dies_after_the_first(bill, **kwargs):
        if calls:
            raise SystemExit("worker killed")
        calls.append(bill.pk)
        return real_send(bill, **kwargs)

    with (
        at(day),
        mock.patch.object(services, "_send_notice", dies_after_the_first),
        pytest.raises(SystemExit),
    ):
        tasks.send_dues_reminders()
    assert sum(reminder_keys().values()) == 1  # the first one was committed before the kill

    with at(day):
        assert tasks.send_dues_reminders() == 2  # the restarted worker: the other two
        assert tasks.send_dues_reminders() == 0  # and a rerun: nothing
    assert sum(reminder_keys().values()) == 3
    assert set(reminder_keys().values()) == {1}


def test_the_admin_can_send_one_now_for_open_bills_only(companies):
    with at(date(2027, 1, 5)):
        made = bills(2027, DUE)
    with at(date(2027, 1, 6)):
        services.payment_record(
            bill=made[0], amount=made[0].amount, method="cash", paid_on=date(2027, 1, 6),
            by=treasurer(),
        )  # fmt: skip

        assert services.dues_reminder_send_now(bills=DuesBill.objects.all()) == 2
