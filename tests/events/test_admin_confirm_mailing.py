"""A save that mails the registrants (the event moved or was cancelled) is confirmed first.

The first save shows the same form again with how many will be mailed; the
page's own form, submitted with its 确认保存并发送 button, saves and mails.
"""

from html.parser import HTMLParser

import pytest
from django.core import mail
from django.urls import reverse

from events.models import AgendaItem, Event, Registration
from members.models import Company
from outbox.models import OutgoingMail
from tests.admin_forms import change_form_data
from tests.conftest import shanghai

pytestmark = pytest.mark.django_db(transaction=True)

POSTPONED = {
    "starts_at_0": "2030-10-28",
    "starts_at_1": "09:00:00",
    "ends_at_0": "2030-10-28",
    "ends_at_1": "17:00:00",
}
CONFIRM = "_confirm_mailing"


@pytest.fixture
def liaison_day():
    event = Event.objects.create(
        title="浙仪协工作联系人交流活动",
        kind=Event.Kind.LIAISON_DAY,
        starts_at=shanghai(2030, 10, 21, 9),
        ends_at=shanghai(2030, 10, 21, 17),
        city="杭州",
        status=Event.Status.PUBLISHED,
        capacity=30,
    )
    AgendaItem.objects.create(event=event, order=1, title="签到")
    company = Company.objects.create(name="浙江正泰中自控制工程有限公司", short_name="正泰中自")
    for name, email, phone, status in [
        ("陈庆", "chenqing@example.com", "", Registration.Status.CONFIRMED),
        ("张小莉", "zhangxiaoli@example.com", "", Registration.Status.WAITLISTED),
        ("刘威", "liuwei@example.com", "", Registration.Status.CANCELLED),
        # Registered by mobile only, and the company has no contact to pass it on: not mailed.
        ("王军", "", "13905710000", Registration.Status.CONFIRMED),
    ]:
        Registration.objects.create(
            event=event,
            company=company,
            attendee_name=name,
            attendee_email=email,
            attendee_phone=phone,
            status=status,
        )
    return event


class ChangeForm(HTMLParser):
    """What the page's change form submits when ``button`` (a submit button's name) is
    clicked: every named field as shown, the checked boxes, the selected options."""

    def __init__(self, form_id: str, button: str):
        super().__init__()
        self.form_id, self.button = form_id, button
        self.data: dict[str, list[str]] = {}
        self.buttons: set[str] = set()
        self._in_form = False
        self._select = self._textarea = None

    def _add(self, name: str, value: str) -> None:
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._in_form = attrs.get("id") == self.form_id
        if not self._in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind == "submit":
                self.buttons.add(name)
                if name == self.button:
                    self._add(name, attrs.get("value", ""))
            elif kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._add(name, attrs.get("value", "on"))
            elif kind != "file":
                self._add(name, attrs.get("value", ""))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self._add(self._select, attrs.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self._add(name, "")

    def handle_data(self, data):
        if self._in_form and self._textarea:
            self.data[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def submitted(response, button: str) -> dict[str, list[str]]:
    form = ChangeForm("event_form", button)
    form.feed(response.content.decode())
    assert button in form.buttons, f"no {button} button in the change form"
    return form.data


def confirmation(response) -> str:
    """The text of the page's confirmation box, "" when it has none."""
    content = response.content.decode()
    start = content.find('class="module mailing-confirmation"')
    return "" if start < 0 else content[start : content.index("</section>", start)]


def change_url(event: Event, prefix: str = "") -> str:
    return prefix + reverse("admin:events_event_change", args=[event.pk])


def post_change(admin_client, event: Event, prefix: str = "", **changes):
    url = change_url(event, prefix)
    data = change_form_data(admin_client.get(url))
    data.update(changes)
    return admin_client.post(url, data)


def test_it_asks_before_mailing_a_postponement_and_keeps_the_form(admin_client, liaison_day):
    response = post_change(
        admin_client, liaison_day, **POSTPONED, **{"agenda_items-0-title": "签到及领取资料"}
    )

    assert response.status_code == 200
    box = confirmation(response)
    # Two are mailed: the confirmed and the waitlisted attendee with an address.
    assert "保存后将" in box and " 2 位报名" in box and "改期" in box
    assert "2030年10月21日 09:00" in box and "2030年10月28日 09:00" in box
    assert not response.context["errors"]
    # Nothing saved, nothing queued, nothing sent.
    liaison_day.refresh_from_db()
    assert liaison_day.starts_at == shanghai(2030, 10, 21, 9)
    assert liaison_day.original_starts_at is None
    assert AgendaItem.objects.get().title == "签到"
    assert not OutgoingMail.objects.exists()
    assert mail.outbox == []

    # The page's form, confirmed: the event, its agenda edit, and the two mails.
    data = submitted(response, CONFIRM)
    assert data["agenda_items-0-title"] == ["签到及领取资料"]
    response = admin_client.post(change_url(liaison_day), data)

    assert response.status_code == 302
    liaison_day.refresh_from_db()
    assert liaison_day.starts_at == shanghai(2030, 10, 28, 9)
    assert liaison_day.original_starts_at == shanghai(2030, 10, 21, 9)
    assert AgendaItem.objects.get().title == "签到及领取资料"
    assert sorted(message.to[0] for message in mail.outbox) == [
        "chenqing@example.com",
        "zhangxiaoli@example.com",
    ]
    assert all("现定时间：2030年10月28日" in message.body for message in mail.outbox)

    # Confirming the same change again (a second click) mails nobody twice.
    assert admin_client.post(change_url(liaison_day), data).status_code == 302
    assert len(mail.outbox) == 2
    assert OutgoingMail.objects.count() == 2


def test_save_and_continue_comes_back_to_the_event_once_confirmed(admin_client, liaison_day):
    response = post_change(admin_client, liaison_day, **POSTPONED, _continue="1")

    assert response.status_code == 200
    response = admin_client.post(change_url(liaison_day), submitted(response, CONFIRM))

    assert response.status_code == 302
    assert response["Location"] == change_url(liaison_day)
    assert len(mail.outbox) == 2


def test_it_asks_before_mailing_a_cancellation(admin_client, liaison_day):
    response = post_change(admin_client, liaison_day, status=Event.Status.CANCELLED)

    assert response.status_code == 200
    box = confirmation(response)
    assert "保存后将" in box and " 2 位报名" in box and "取消" in box and "改期" not in box
    assert Event.objects.get().status == Event.Status.PUBLISHED
    assert mail.outbox == []

    response = admin_client.post(change_url(liaison_day), submitted(response, CONFIRM))

    assert response.status_code == 302
    assert Event.objects.get().status == Event.Status.CANCELLED
    assert len(mail.outbox) == 2
    assert all("活动取消" in message.subject for message in mail.outbox)


def test_an_edit_that_mails_nobody_is_saved_at_once(admin_client, liaison_day):
    response = post_change(admin_client, liaison_day, description="<p>请携带名片。</p>")

    assert response.status_code == 302
    assert "请携带名片" in Event.objects.get().description

    # Postponing an event none of whose registrants can be mailed asks nothing either.
    liaison_day.registrations.exclude(attendee_email="").update(
        status=Registration.Status.CANCELLED
    )
    response = post_change(admin_client, liaison_day, **POSTPONED)

    assert response.status_code == 302
    assert Event.objects.get().starts_at == shanghai(2030, 10, 28, 9)
    assert mail.outbox == []


def test_it_asks_in_english_in_the_english_back_office(admin_client, liaison_day):
    response = post_change(admin_client, liaison_day, prefix="/en", **POSTPONED)

    assert response.status_code == 200
    box = confirmation(response)
    assert "Saving will email 2 registrants that the event has moved." in box
    assert 'value="Confirm, save and send"' in box
    assert mail.outbox == []
