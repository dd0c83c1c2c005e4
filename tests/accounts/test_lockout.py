"""Repeated wrong passwords lock an account out from an address for a while (django-axes)."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.urls import reverse

from accounts.backends import lockout_username
from tests.accounts.builders import PASSWORD, make_company, make_contact

pytestmark = pytest.mark.django_db

LOGIN = "/account/login/"
EMAIL = "liming@example.com"


@pytest.fixture
def contact():
    return make_contact(make_company("浙江甲仪表有限公司"), EMAIL, primary=True)


def attempt(client, password, *, email=EMAIL, address="203.0.113.7", url=LOGIN):
    return client.post(url, {"username": email, "password": password}, REMOTE_ADDR=address)


def lock_out(client, **kwargs):
    for _ in range(5):
        attempt(client, "wrong password", **kwargs)


def test_it_locks_the_account_after_five_wrong_passwords(client, contact, settings):
    for _ in range(4):
        assert attempt(client, "wrong password").status_code == 200

    response = attempt(client, "wrong password")

    assert response.status_code == 429
    assert "accounts/locked_out.html" in [template.name for template in response.templates]
    content = response.content.decode()
    assert 'role="alert"' in content
    assert "15" in content  # minutes to wait
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME


def test_it_refuses_the_right_password_during_the_lockout(client, contact):
    lock_out(client)

    response = attempt(client, PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_it_counts_the_address_in_any_case(client, contact):
    for n in range(5):
        attempt(client, "wrong password", email=EMAIL.upper() if n % 2 else EMAIL)

    assert attempt(client, PASSWORD).status_code == 429


def test_it_lets_the_account_in_again_after_the_cool_off(client, contact):
    lock_out(client)
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=14)
    )
    assert attempt(client, PASSWORD).status_code == 429

    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    )
    response = attempt(client, PASSWORD)

    assert response.status_code == 302
    assert AccessAttempt.objects.count() == 0  # reset on success


def test_it_locks_the_pair_of_account_and_address_only(client, contact):
    lock_out(client)

    assert attempt(client, PASSWORD, address="198.51.100.20").status_code == 302


def test_it_protects_the_back_office_sign_in_too(client, admin_user):
    url = reverse("admin:login")
    lock_out(client, email=admin_user.email, url=url)

    response = attempt(client, "password", email=admin_user.email, url=url)

    assert response.status_code == 429


def test_the_secretariat_unlocks_by_deleting_the_attempts(client, admin_client, contact):
    lock_out(client)
    access = AccessAttempt.objects.get()

    response = admin_client.post(
        reverse("admin:axes_accessattempt_delete", args=[access.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert attempt(client, PASSWORD).status_code == 302


def test_the_secretariat_unlocks_from_the_users_list(client, admin_client, contact):
    lock_out(client)

    response = admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "unlock_sign_in", "_selected_action": [contact.user.pk]},
    )

    assert response.status_code == 302
    assert AccessAttempt.objects.count() == 0
    assert attempt(client, PASSWORD).status_code == 302


def test_the_command_line_unlocks_too(client, contact):
    lock_out(client)

    call_command("axes_reset_username", EMAIL)

    assert attempt(client, PASSWORD).status_code == 302


def test_it_keys_an_over_long_or_nul_username_within_axes_columns(rf):
    request = rf.post(LOGIN)

    assert lockout_username(request, {"username": " LiMing\x00" + "m" * 300}) == (
        "liming" + "m" * 249
    )
    assert lockout_username(request, {"username": "\x00"}) is None


def test_it_records_a_failure_with_an_over_long_address(rf, contact):
    # The sign-in forms refuse such an address; whatever else authenticates must not fail.
    address = "m" * 300 + "@example.com"

    assert authenticate(rf.post(LOGIN), username=address, password="wrong") is None

    assert AccessAttempt.objects.get().username == address[:255]
