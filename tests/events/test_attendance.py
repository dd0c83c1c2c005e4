"""After the event: who came, and the attendance rate in the back office's list of events."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events.attendance import attendance_rate, with_attendance
from events.models import Event, Registration
from tests.accounts.builders import make_company
from tests.queries import count_queries

pytestmark = pytest.mark.django_db

CONFIRMED, ATTENDED = Registration.Status.CONFIRMED, Registration.Status.ATTENDED
WAITLISTED, CANCELLED = Registration.Status.WAITLISTED, Registration.Status.CANCELLED


def event_with_people(title: str, *, days_ago: int, seed: int = 1) -> Event:
    """Four booked (two checked in at the door, one marked attended, one who did not come),
    a walk-in, a cancelled walk-in, one on the waitlist and one cancelled."""
    starts_at = timezone.now() - timedelta(days=days_ago)
    event = Event.objects.create(
        title=title,
        status=Event.Status.PUBLISHED,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=3),
    )
    company = make_company(f"{title}单位", seed=seed)
    checked_in = starts_at + timedelta(minutes=5)
    for n, (status, fields) in enumerate(
        (
            (ATTENDED, {"checked_in_at": checked_in}),
            (ATTENDED, {"checked_in_at": checked_in}),
            (ATTENDED, {}),
            (CONFIRMED, {}),
            (ATTENDED, {"checked_in_at": checked_in, "walk_in": True}),
            (CANCELLED, {"walk_in": True}),
            (WAITLISTED, {}),
            (CANCELLED, {}),
        )
    ):
        Registration.objects.create(
            event=event,
            company=company,
            attendee_name=f"参会人{n}",
            attendee_phone=f"1380000{seed:02d}{n:02d}",
            status=status,
            **fields,
        )
    return event


def test_it_counts_the_booked_the_checked_in_and_the_walk_ins():
    event = with_attendance(Event.objects).get(pk=event_with_people("交流会", days_ago=3).pk)

    assert (event.confirmed_count, event.checked_in_count, event.walk_in_count) == (4, 4, 1)
    assert event.booked_checked_in_count == 3
    assert attendance_rate(event) == 0.75  # walk-ins left out: they would pass 100 %


def test_an_event_not_over_yet_has_no_rate():
    event = event_with_people("明天的会", days_ago=-1)
    assert attendance_rate(with_attendance(Event.objects).get(pk=event.pk)) is None


def test_the_list_of_events_shows_the_rate_in_the_same_queries_for_more_events(admin_client):
    event_with_people("十月交流会", days_ago=40)
    url = reverse("admin:events_event_changelist")

    page = admin_client.get(url).content.decode()
    assert "出席率" in page
    assert '<span title="已确认的 4 人中有 3 人签到">75%</span>' in page

    few = count_queries(admin_client, url)
    for n in range(2, 12):
        event_with_people(f"第{n}场", days_ago=n, seed=n)
    assert count_queries(admin_client, url) == few
