"""A contact's digest preferences on the account page."""

import pytest
from django.urls import reverse

from bulletin.models import Section
from digests.models import Subscriber
from tests.accounts.builders import make_company, make_contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact():
    return make_contact(make_company("浙江甲仪表有限公司"), "liming@example.com", primary=True)


def test_showing_the_page_subscribes_nobody(client, contact):
    client.force_login(contact.user)

    response = client.get(reverse("accounts:preferences"))

    assert response.status_code == 200
    assert not Subscriber.objects.exists()


def test_it_subscribes_the_contact_to_the_sections_chosen(client, contact):
    section = Section.objects.create(name="会员风采", slug="member-spotlight", order=1)
    client.force_login(contact.user)

    response = client.post(
        reverse("accounts:preferences"), {"frequency": "monthly", "sections": [section.pk]}
    )

    assert response.status_code == 302
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.frequency, subscriber.status) == (
        "liming@example.com",
        "monthly",
        "active",
    )
    assert subscriber.contact == contact
    assert list(subscriber.sections.all()) == [section]


def test_it_turns_the_digest_off(client, contact):
    Subscriber.objects.create(
        email="liming@example.com", contact=contact, status=Subscriber.Status.ACTIVE
    )
    client.force_login(contact.user)

    client.post(reverse("accounts:preferences"), {"frequency": "off"})

    assert Subscriber.objects.get().frequency == "off"
