"""A primary contact invites and deactivates colleagues of the same company."""

import pytest
from django.urls import reverse

from digests.models import Subscriber
from members.models import Contact
from outbox.models import OutgoingMail
from tests.accounts.builders import PASSWORD, make_company, make_contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def primary():
    return make_contact(make_company("浙江甲仪表有限公司"), "liming@example.com", primary=True)


@pytest.fixture
def colleague(primary):
    return make_contact(primary.company, "zhangwei@example.com", name="张伟")


def test_it_invites_a_colleague_with_an_account_without_a_password(client, primary):
    client.force_login(primary.user)

    response = client.post(
        reverse("accounts:colleague_invite"),
        {"name": "王芳", "email": "WangFang@Example.com", "job_title": "工程师", "phone": ""},
    )

    assert response.status_code == 302
    invited = Contact.objects.get(user__email="wangfang@example.com")
    assert invited.company == primary.company
    assert not invited.is_primary
    assert not invited.user.has_usable_password()
    mail = OutgoingMail.objects.get(template="contact-invitation")
    assert mail.to == "wangfang@example.com"
    assert "/account/set-password/" in mail.body_text
    assert Subscriber.objects.get(contact=invited).frequency == "weekly"


def test_it_refuses_an_address_that_has_an_account(client, primary, colleague):
    client.force_login(primary.user)

    response = client.post(
        reverse("accounts:colleague_invite"), {"name": "张伟", "email": "zhangwei@example.com"}
    )

    assert response.status_code == 200
    assert 'id="id_email_error" role="alert"' in response.content.decode()
    assert not OutgoingMail.objects.exists()


def test_only_the_primary_contact_invites_or_deactivates(client, primary, colleague):
    client.force_login(colleague.user)

    assert client.get(reverse("accounts:colleagues")).status_code == 200
    assert client.get(reverse("accounts:colleague_invite")).status_code == 403
    url = reverse("accounts:colleague_deactivate", args=[primary.pk])
    assert client.post(url).status_code == 403
    primary.user.refresh_from_db()
    assert primary.user.is_active


def test_it_deactivates_a_colleague_who_can_then_not_sign_in(client, primary, colleague):
    client.force_login(primary.user)
    url = reverse("accounts:colleague_deactivate", args=[colleague.pk])

    assert client.get(url).status_code == 200
    response = client.post(url)

    assert response.status_code == 302
    colleague.user.refresh_from_db()
    assert not colleague.user.is_active
    other = client.__class__()
    response = other.post(
        reverse("accounts:login"), {"username": "zhangwei@example.com", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in other.session


def test_it_signs_out_a_deactivated_colleague_at_once(client, primary, colleague):
    client.force_login(colleague.user)
    colleague.user.is_active = False
    colleague.user.save()

    response = client.get(reverse("accounts:dashboard"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_primary_contact_cannot_deactivate_themselves(client, primary):
    client.force_login(primary.user)

    response = client.post(reverse("accounts:colleague_deactivate", args=[primary.pk]))

    assert response.status_code == 302
    primary.user.refresh_from_db()
    assert primary.user.is_active


def test_a_colleague_of_another_company_is_not_found(client, primary):
    stranger = make_contact(make_company("浙江乙仪表有限公司", seed=2), "b@example.com")
    client.force_login(primary.user)

    url = reverse("accounts:colleague_deactivate", args=[stranger.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    stranger.user.refresh_from_db()
    assert stranger.user.is_active
