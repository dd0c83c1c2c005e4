"""Password reset by email, and the invitation to set a first password."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse

from accounts.tokens import invitation_token_generator, invitation_url
from members import services
from outbox.models import OutgoingMail
from tests.accounts.builders import PASSWORD, make_company, make_contact

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a much longer passphrase 42"


@pytest.fixture
def contact():
    return make_contact(make_company("浙江甲仪表有限公司"), "liming@example.com", primary=True)


@pytest.fixture
def ask_reset(client, django_capture_on_commit_callbacks):
    """Post the form; the worker's part (looking the address up, mailing) runs on commit."""

    def post(email: str):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("accounts:password_reset"), {"email": email})

    return post


def link_in(mail: OutgoingMail) -> str:
    url = re.search(r"http://\S+/account/\S+/", mail.body_text).group(0)
    return url.removeprefix("http://127.0.0.1:8000")


def set_password(client, link: str, password: str = NEW_PASSWORD):
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"], "the link should work"
    url = form_page.redirect_chain[-1][0]
    return client.post(url, {"new_password1": password, "new_password2": password})


def test_it_mails_a_reset_link_through_the_outbox(client, contact, ask_reset):
    response = ask_reset("LiMing@example.com")

    assert response["Location"] == reverse("accounts:password_reset_done")
    mail = OutgoingMail.objects.get(template="password-reset")
    assert mail.to == "liming@example.com"
    assert "设置新密码" in mail.subject

    response = set_password(client, link_in(mail))

    assert response["Location"] == reverse("accounts:password_reset_complete")
    assert client.login(email="liming@example.com", password=NEW_PASSWORD)


def test_it_answers_the_same_for_an_unknown_address(client, contact, ask_reset):
    response = ask_reset("nobody@example.com")

    assert response["Location"] == reverse("accounts:password_reset_done")
    assert not OutgoingMail.objects.exists()


def test_it_lets_an_invited_contact_ask_for_a_new_link(client, contact, ask_reset):
    invited = services.contact_invite(
        company=contact.company, email="wangfang@example.com", name="王芳", by=contact
    )
    assert not invited.user.has_usable_password()

    ask_reset("wangfang@example.com")

    assert OutgoingMail.objects.filter(template="password-reset", to="wangfang@example.com")


def test_it_sets_a_first_password_from_the_invitation(client, contact):
    invited = services.contact_invite(
        company=contact.company, email="wangfang@example.com", name="王芳", by=contact
    )
    mail = OutgoingMail.objects.get(template="contact-invitation")
    link = link_in(mail)
    assert link.startswith("/account/set-password/")

    page = client.get(link, follow=True)
    assert "wangfang@example.com" in page.content.decode()
    response = set_password(client, link)

    assert response["Location"] == reverse("accounts:set_password_done")
    invited.user.refresh_from_db()
    assert invited.user.check_password(NEW_PASSWORD)
    # Used once: the password is in the token's hash.
    assert not client.get(link, follow=True).context["validlink"]


def test_it_refuses_a_weak_password(client, contact):
    services.contact_invite(
        company=contact.company, email="wangfang@example.com", name="王芳", by=contact
    )
    link = link_in(OutgoingMail.objects.get(template="contact-invitation"))

    response = set_password(client, link, "12345678")

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_an_invitation_outlives_a_reset_link_but_not_forever(contact, settings):
    user = contact.user
    user.set_unusable_password()
    user.save()
    token = invitation_url(user).rstrip("/").rsplit("/", 1)[-1]
    now = invitation_token_generator._now()

    later = now + timedelta(days=settings.INVITATION_TIMEOUT_DAYS - 1)
    with mock.patch.object(invitation_token_generator, "_now", return_value=later):
        assert invitation_token_generator.check_token(user, token)
    too_late = now + timedelta(days=settings.INVITATION_TIMEOUT_DAYS, hours=1)
    with mock.patch.object(invitation_token_generator, "_now", return_value=too_late):
        assert not invitation_token_generator.check_token(user, token)


def test_a_reset_link_does_not_work_as_an_invitation(client, contact, ask_reset):
    ask_reset("liming@example.com")
    reset = link_in(OutgoingMail.objects.get(template="password-reset"))
    uid_token = reset.removeprefix("/account/password-reset/")

    page = client.get("/account/set-password/" + uid_token, follow=True)

    assert not page.context["validlink"]
    contact.user.refresh_from_db()
    assert contact.user.check_password(PASSWORD)
