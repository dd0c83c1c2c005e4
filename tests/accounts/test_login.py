"""Signing in with an email address and a password, and signing out."""

import pytest
from django.urls import reverse

from tests.accounts.builders import PASSWORD, make_company, make_contact

pytestmark = pytest.mark.django_db

LOGIN = "/account/login/"


@pytest.fixture
def contact():
    return make_contact(make_company("浙江甲仪表有限公司"), "liming@example.com", primary=True)


def test_it_signs_a_contact_in_by_email_in_any_case(client, contact):
    response = client.post(LOGIN, {"username": "LiMing@Example.com ", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:dashboard")
    assert client.get(reverse("accounts:dashboard")).status_code == 200


def test_it_follows_next_to_a_page_of_the_site_only(client, contact):
    response = client.post(
        LOGIN + "?next=/account/profile/",
        {"username": "liming@example.com", "password": PASSWORD, "next": "/account/profile/"},
    )
    assert response["Location"] == "/account/profile/"

    client.logout()
    response = client.post(
        LOGIN,
        {"username": "liming@example.com", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("accounts:dashboard")


def test_it_says_so_when_the_password_is_wrong_and_keeps_the_address(client, contact):
    response = client.post(LOGIN, {"username": "liming@example.com", "password": "wrong"})

    assert response.status_code == 200
    content = response.content.decode()
    assert 'role="alert"' in content
    assert 'value="liming@example.com"' in content
    assert "_auth_user_id" not in client.session


def test_it_sends_staff_without_a_contact_to_the_back_office(client, admin_user):
    response = client.post(LOGIN, {"username": admin_user.email, "password": "password"})

    assert response["Location"] == reverse("admin:index")


def test_it_refuses_a_deactivated_contact(client, contact):
    contact.user.is_active = False
    contact.user.save()

    response = client.post(LOGIN, {"username": "liming@example.com", "password": PASSWORD})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_it_signs_out_by_post_only(client, contact):
    client.force_login(contact.user)

    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_it_shows_the_sign_in_page_in_english_too(client):
    response = client.get("/en/account/login/")

    assert response.status_code == 200
    assert 'lang="en"' in response.content.decode()


@pytest.mark.parametrize("url", [LOGIN, "/admin/login/"])
def test_it_refuses_an_over_long_address_with_a_form_error(client, contact, url):
    # django-axes records the username in varchar(255): this used to answer 500.
    address = "l" * 300 + "@example.com"

    response = client.post(url, {"username": address, "password": PASSWORD})

    assert response.status_code == 200
    assert response.context["form"].errors["username"] == [
        "电子邮箱最多 254 个字符（您输入了 312 个）。"
    ]
    assert "_auth_user_id" not in client.session
