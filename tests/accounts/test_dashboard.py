"""The contact's dashboard: their company, its changes and registrations, their details."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events import services as event_services
from events.services import Attendee
from members.models import ProfileChange
from tests.accounts.builders import make_company, make_contact, make_term, open_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact():
    make_term()
    return make_contact(
        make_company("浙江甲仪表有限公司", short_name="甲仪表"),
        "liming@example.com",
        name="李明",
        primary=True,
    )


@pytest.fixture
def other():
    return make_contact(
        make_company("浙江乙仪表有限公司", seed=2), "other@example.com", primary=True
    )


def add_rows(contact, other, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        event = open_event(capacity=50, title=f"第{n}期交流活动")
        event_services.registration_create(
            event=event,
            contact=contact,
            attendees=[Attendee(name=f"甲{n}", email=f"a{n}@example.com")],
        )
        event_services.registration_create(
            event=event,
            contact=other,
            attendees=[Attendee(name=f"乙{n}", email=f"b{n}@example.com")],
        )
        ProfileChange.objects.create(
            company=contact.company,
            submitted_by=contact,
            changes={"phone": {"old": "", "new": f"0571-8888000{n}"}},
        )


def test_it_shows_the_company_its_changes_and_its_registrations_only(client, contact, other):
    add_rows(contact, other, 2)
    client.force_login(contact.user)

    response = client.get(reverse("accounts:dashboard"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "浙江甲仪表有限公司" in content
    assert "李明" in content
    assert "甲0" in content and "甲1" in content
    assert "乙0" not in content
    assert response.context["dashboard"].pending_changes == 2
    assert "private" in response["Cache-Control"]


def test_it_answers_404_to_a_user_who_is_not_a_contact(client, django_user_model):
    user = django_user_model.objects.create_user("visitor@example.com", "x")
    client.force_login(user)

    assert client.get(reverse("accounts:dashboard")).status_code == 404


def test_it_runs_as_many_queries_for_many_rows_as_for_few(client, contact, other):
    client.force_login(contact.user)
    add_rows(contact, other, 2)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("accounts:dashboard"))
    add_rows(contact, other, 12, start=2)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("accounts:dashboard"))

    assert len(many) == len(few), "a dashboard query runs once per row"


def test_the_registrations_page_runs_as_many_queries_for_many_rows(client, contact, other):
    client.force_login(contact.user)
    add_rows(contact, other, 2)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("accounts:registrations"))
    add_rows(contact, other, 12, start=2)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("accounts:registrations"))

    assert len(many) == len(few), "a registrations query runs once per row"
    assert "乙5" not in response.content.decode()


def test_it_saves_the_contacts_own_details_at_once(client, contact):
    client.force_login(contact.user)

    response = client.post(
        reverse("accounts:details"),
        {"name": "李明明", "job_title": "市场总监", "phone": "0571-86667525"},
    )

    assert response.status_code == 302
    contact.refresh_from_db()
    contact.user.refresh_from_db()
    assert (contact.user.name, contact.job_title, contact.phone) == (
        "李明明",
        "市场总监",
        "0571-86667525",
    )
    assert not ProfileChange.objects.exists()


def test_it_keeps_what_was_typed_when_a_detail_is_wrong(client, contact):
    client.force_login(contact.user)

    response = client.post(
        reverse("accounts:details"), {"name": "李明明", "job_title": "总监", "phone": "call me"}
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert 'value="李明明"' in content
    assert 'id="id_phone_error" role="alert"' in content
    assert 'aria-invalid="true"' in content
