"""Postponing an event in the back office tells its registrants once, with both dates."""

import pytest
from django.core import mail
from django.urls import reverse

from events.models import Event, Registration
from members.models import Company
from tests.admin_forms import change_form_data
from tests.conftest import shanghai

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def liaison_day():
    event = Event.objects.create(
        title="SINCE1992，我们在“仪”起——浙仪协工作联系人交流活动",
        kind=Event.Kind.LIAISON_DAY,
        starts_at=shanghai(2030, 10, 21, 9),
        ends_at=shanghai(2030, 10, 21, 17),
        city="杭州",
        status=Event.Status.PUBLISHED,
        capacity=30,
    )
    company = Company.objects.create(name="浙江正泰中自控制工程有限公司", short_name="正泰中自")
    for name, email, status in [
        ("陈庆", "chenqing@example.com", Registration.Status.CONFIRMED),
        ("张小莉", "zhangxiaoli@example.com", Registration.Status.WAITLISTED),
        ("刘威", "liuwei@example.com", Registration.Status.CANCELLED),
    ]:
        Registration.objects.create(
            event=event, company=company, attendee_name=name, attendee_email=email, status=status
        )
    return event


def _save(admin_client, event, **changes):
    url = reverse("admin:events_event_change", args=[event.pk])
    data = change_form_data(admin_client.get(url))
    data.update(changes)
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def test_it_tells_each_registrant_once_with_both_dates(admin_client, liaison_day):
    _save(
        admin_client,
        liaison_day,
        starts_at_0="2030-10-28",
        starts_at_1="09:00:00",
        ends_at_0="2030-10-28",
        ends_at_1="17:00:00",
        _confirm_mailing="1",  # the confirmation page's button: test_admin_confirm_mailing.py
    )

    assert sorted(message.to[0] for message in mail.outbox) == [
        "chenqing@example.com",
        "zhangxiaoli@example.com",
    ]
    for message in mail.outbox:
        assert "原定时间：2030年10月21日 09:00" in message.body
        assert "现定时间：2030年10月28日 09:00—17:00" in message.body
    liaison_day.refresh_from_db()
    assert liaison_day.original_starts_at == shanghai(2030, 10, 21, 9)

    # Saving the event again without moving it mails nobody.
    _save(admin_client, liaison_day, title="浙仪协工作联系人交流活动（改期）")
    assert len(mail.outbox) == 2


def test_it_tells_registrants_when_the_event_is_cancelled(admin_client, liaison_day):
    _save(admin_client, liaison_day, status=Event.Status.CANCELLED, _confirm_mailing="1")
    assert len(mail.outbox) == 2
    assert all("活动取消" in message.subject for message in mail.outbox)
    assert Event.objects.get().starts_at == liaison_day.starts_at  # the date did not move
