"""No page says example.com: Django's placeholder Site row never reaches a visitor.

The sites framework creates its row as example.com, and Django's sign-in view
puts that row's name in its context as ``site_name``; the portal's name comes
from settings.SITE_NAME (and SITE_NAME_EN on English pages).
"""

import pytest
from django.conf import settings
from django.contrib.sites.models import Site
from django.utils.html import escape

from demo.services import CONTACT_EMAIL
from events.models import Event, Registration
from members.models import Contact, ProfileChange
from notices.models import Notice
from outbox.models import OutgoingMail
from tests.portal.test_english_pages import public_pages

pytestmark = pytest.mark.django_db


def account_pages(contact: Contact) -> list[str]:
    """The contact's own pages, with rows of theirs to show."""
    registration = Registration.objects.filter(company=contact.company).earliest("pk")
    change = ProfileChange.objects.filter(company=contact.company).earliest("pk")
    event = Event.objects.get(pk=registration.event_id)
    pages = [
        "/account/",
        "/account/profile/",
        f"/account/profile/changes/{change.pk}/",
        "/account/details/",
        "/account/preferences/",
        "/account/colleagues/",
        "/account/colleagues/invite/",
        "/account/dues/",
        "/account/notices/",
        "/account/registrations/",
        f"/account/registrations/{registration.pk}/cancel/",
        f"/events/{event.pk}/register/",
        # Members-only notices show to a signed-in contact.
        *(f"/notices/{pk}/" for pk in Notice.objects.published().values_list("pk", flat=True)),
    ]
    return pages + ["/en" + page for page in pages]


def _pages_saying_example_com(client, pages: list[str]) -> list[str]:
    found = []
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        if "example.com" in response.content.decode():
            found.append(page)
    return found


def test_the_site_row_has_the_portals_name_and_address(loaded_demo):
    site = Site.objects.get_current()
    assert site.name == settings.SITE_NAME
    assert "example.com" not in site.domain


def test_no_public_page_in_either_language_says_example_com(client, loaded_demo):
    english = public_pages()
    chinese = [page.removeprefix("/en") or "/" for page in english]
    assert _pages_saying_example_com(client, chinese + english) == []


def test_the_sign_in_page_names_the_portal_not_the_site_row(client, loaded_demo):
    Site.objects.filter(pk=settings.SITE_ID).update(name="example.com", domain="example.com")

    chinese = client.get("/account/login/").content.decode()
    english = client.get("/en/account/login/").content.decode()

    assert "example.com" not in chinese + english
    assert f"<title>登录 · {settings.SITE_NAME}</title>" in chinese
    assert f"<title>Sign in · {escape(settings.SITE_NAME_EN)}</title>" in english


def test_no_account_page_says_example_com(client, loaded_demo):
    contact = Contact.objects.select_related("company").get(user__email=CONTACT_EMAIL)
    client.force_login(contact.user)
    pages = account_pages(contact)
    assert len(pages) > 20
    assert _pages_saying_example_com(client, pages) == []


def test_the_password_reset_mail_names_the_portal(
    client, loaded_demo, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the worker mails on commit
        response = client.post("/account/password-reset/", {"email": CONTACT_EMAIL})
    assert response.status_code == 302

    mail = OutgoingMail.objects.get(template="password-reset", to=CONTACT_EMAIL)
    assert "example.com" not in mail.subject + mail.body_text + mail.body_html
    assert settings.SITE_NAME in mail.body_text
    assert f"{settings.SITE_URL}/account/password-reset/" in mail.body_text


def test_the_back_office_sign_in_page_does_not_say_example_com(client, loaded_demo):
    assert _pages_saying_example_com(client, ["/admin/login/", "/en/admin/login/"]) == []
