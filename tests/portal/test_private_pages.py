"""Pages for a signed-in user carry Cache-Control: private; anonymous pages stay public."""

import pytest
from django.urls import reverse

from tests.accounts.builders import make_company, make_contact

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/news/", "/members/", "/en/events/"])
def test_it_marks_public_pages_private_for_a_signed_in_contact(client, path):
    contact = make_contact(make_company("浙江甲仪表有限公司"), "a@example.com", primary=True)
    assert "public" in client.get(path)["Cache-Control"]

    client.force_login(contact.user)
    directives = client.get(path)["Cache-Control"]

    assert "private" in directives and "public" not in directives


def test_it_marks_the_account_pages_private(client):
    contact = make_contact(make_company("浙江甲仪表有限公司"), "a@example.com", primary=True)
    client.force_login(contact.user)
    for name in ("accounts:dashboard", "accounts:details", "accounts:registrations"):
        directives = client.get(reverse(name))["Cache-Control"]
        assert "private" in directives or "no-store" in directives, name
