"""A member contact's way through the portal, and the secretariat's review, in a real browser."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from demo.services import (
    ADMIN_EMAIL,
    CONTACT_EMAIL,
    DEFAULT_ADMIN_PASSWORD,
    DEFAULT_CONTACT_PASSWORD,
)
from events.models import Registration
from members.models import Company, Contact, ProfileChange
from tests.accounts.builders import open_event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SERIOUS = {"serious", "critical"}
NEW_WEBSITE = "https://www.supcon-instruments.example.com"


def sign_in(page, email: str, password: str) -> None:
    page.goto("/account/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.locator("form.stack-form button[type=submit]").click()


@pytest.fixture
def event_with_one_seat_left(demo_site):
    """An open event of capacity 2 whose other seat another company holds."""
    contact = Contact.objects.select_related("company").get(user__email=CONTACT_EMAIL)
    other = Company.objects.listed().exclude(pk=contact.company_id).first()
    event = open_event(capacity=2, title="仪器仪表企业数字化转型交流会")
    Registration.objects.create(
        event=event,
        company=other,
        attendee_name="其他单位参会人",
        attendee_email="someone@example.com",
    )
    return event


def test_a_contact_edits_the_profile_and_registers_colleagues(page, event_with_one_seat_left):
    event = event_with_one_seat_left
    sign_in(page, CONTACT_EMAIL, DEFAULT_CONTACT_PASSWORD)
    page.wait_for_url(re.compile(r"/account/$"))
    company = Contact.objects.get(user__email=CONTACT_EMAIL).company
    assert company.name in page.locator("main").inner_text()

    # A profile edit goes to review; the public page does not change yet.
    page.goto("/account/profile/")
    page.fill("#id_website", NEW_WEBSITE)
    page.locator("form.stack-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/account/$"))
    assert page.locator(".message.success").count() == 1
    change = ProfileChange.objects.filter(company=company, status="pending").latest("id")
    assert change.changes["website"]["new"] == NEW_WEBSITE

    # Two colleagues for the last seat: one confirmed, one on the waitlist.
    page.goto(f"/events/{event.pk}/")
    page.locator(f"a[href='/events/{event.pk}/register/']").click()
    page.wait_for_url(f"**/events/{event.pk}/register/")
    page.fill("#id_attendees-0-name", "王工")
    page.fill("#id_attendees-0-email", "wanggong@example.com")
    page.fill("#id_attendees-0-phone", "13800000011")
    page.fill("#id_attendees-1-name", "李工")
    page.fill("#id_attendees-1-phone", "13800000012")  # no email: the contact is told
    page.get_by_role("button", name="报名", exact=True).click()
    page.wait_for_url("**/account/registrations/")
    table = page.locator("main table").inner_text()
    rows = {line.split("\t")[1].strip(): line for line in table.splitlines()[1:] if "\t" in line}
    assert "已确认" in rows["王工"]
    assert "候补" in rows["李工"]
    statuses = dict(Registration.objects.filter(event=event).values_list("attendee_name", "status"))
    assert statuses == {"其他单位参会人": "confirmed", "王工": "confirmed", "李工": "waitlisted"}

    # Signing out, then the secretariat approves the edit in the back office.
    page.locator(".account-nav form button").click()
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/admin/login/")
    page.fill("#id_username", ADMIN_EMAIL)
    page.fill("#id_password", DEFAULT_ADMIN_PASSWORD)
    page.locator("#login-form input[type=submit]").click()
    page.wait_for_url("**/admin/")
    page.goto(f"/admin/members/profilechange/{change.pk}/change/")
    assert NEW_WEBSITE in page.locator(".profile-changes").inner_text()
    page.locator("form[action$='/approve/'] input[type=submit]").click()
    page.wait_for_url(f"**/admin/members/profilechange/{change.pk}/change/")
    assert page.locator(".messagelist .success").count() == 1

    change.refresh_from_db()
    assert change.status == "approved"
    page.goto(f"/members/{company.pk}/")
    assert NEW_WEBSITE in page.locator("main").inner_text()
    assert page.console_errors == []


def test_the_member_pages_have_no_serious_accessibility_violations(page, event_with_one_seat_left):
    event = event_with_one_seat_left
    found = {}
    for path in ["/join/", "/account/login/", "/account/password-reset/"]:
        page.goto(path)
        found[path] = serious_violations(page)
    sign_in(page, CONTACT_EMAIL, DEFAULT_CONTACT_PASSWORD)
    page.wait_for_url(re.compile(r"/account/$"))
    for path in [
        "/account/",
        "/account/profile/",
        "/account/details/",
        "/account/preferences/",
        "/account/colleagues/",
        "/account/colleagues/invite/",
        "/account/registrations/",
        f"/events/{event.pk}/",
        f"/events/{event.pk}/register/",
    ]:
        page.goto(path)
        found[path] = serious_violations(page)
    assert {path: found[path] for path in found if found[path]} == {}
    assert page.console_errors == []


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in SERIOUS
    ]
