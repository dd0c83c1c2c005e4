"""Registrants hear about a moved or cancelled event, and are reminded the day before."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from events.models import Event, Registration
from events.notices import event_change_notify, event_reminders_send
from members.models import Company
from tests.conftest import shanghai

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def event():
    event = Event.objects.create(
        title="浙仪协工作联系人交流活动",
        starts_at=shanghai(2030, 10, 21, 9),
        ends_at=shanghai(2030, 10, 21, 17),
        venue="中控科技体验中心",
        city="杭州",
        status=Event.Status.PUBLISHED,
    )
    company = Company.objects.create(name="浙江中控技术股份有限公司", short_name="中控技术")
    for name, email, status in [
        ("陈庆", "chenqing@example.com", Registration.Status.CONFIRMED),
        ("张小莉", "zhangxiaoli@example.com", Registration.Status.WAITLISTED),
        ("刘威", "liuwei@example.com", Registration.Status.CANCELLED),
    ]:
        Registration.objects.create(
            event=event, company=company, attendee_name=name, attendee_email=email, status=status
        )
    return event


def postpone(event, days=7):
    previous = event.starts_at
    event.starts_at += timedelta(days=days)
    event.ends_at += timedelta(days=days)
    event.save()
    return event_change_notify(
        event=event, previous_starts_at=previous, previous_status=event.status
    )


def test_it_tells_confirmed_and_waitlisted_registrants_of_a_new_date_once(event):
    assert postpone(event) == 2
    assert sorted(m.to[0] for m in mail.outbox) == [
        "chenqing@example.com",
        "zhangxiaoli@example.com",
    ]
    body = mail.outbox[0].body
    assert "原定时间：2030年10月21日 09:00" in body
    assert "现定时间：2030年10月28日 09:00—17:00" in body
    # The same change, saved again, mails nobody.
    assert (
        event_change_notify(
            event=event,
            previous_starts_at=event.starts_at - timedelta(days=7),
            previous_status=event.status,
        )
        == 0
    )
    assert len(mail.outbox) == 2


def test_it_announces_a_second_postponement_again(event):
    postpone(event)
    postpone(event)
    assert len(mail.outbox) == 4


def test_it_tells_registrants_of_a_cancellation(event):
    event.status = Event.Status.CANCELLED
    event.save()
    assert (
        event_change_notify(
            event=event, previous_starts_at=event.starts_at, previous_status="published"
        )
        == 2
    )
    assert all("活动取消" in m.subject for m in mail.outbox)


def test_it_stays_quiet_when_nothing_registrants_care_about_changed(event):
    event.title = "浙仪协工作联系人交流活动（第二期）"
    event.save()
    assert (
        event_change_notify(
            event=event, previous_starts_at=event.starts_at, previous_status=event.status
        )
        == 0
    )
    assert mail.outbox == []


def test_it_reminds_confirmed_attendees_the_day_before_once(event):
    tomorrow = timezone.localdate() + timedelta(days=1)
    event.starts_at = shanghai(tomorrow.year, tomorrow.month, tomorrow.day, 9)
    event.ends_at = event.starts_at + timedelta(hours=8)
    event.save()
    assert event_reminders_send() == 1
    assert event_reminders_send() == 0
    assert [m.to for m in mail.outbox] == [["chenqing@example.com"]]
    assert "明天见" in mail.outbox[0].subject
    assert "calendar.ics" in mail.outbox[0].body
