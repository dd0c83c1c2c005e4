"""Every public and account page on a phone (360 × 740), in a real browser.

Nothing scrolls sideways, tables of records become cards, the account menu is one
row of tabs, and the main menu folds behind a button that opens by touch, by
keyboard and without JavaScript.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from bulletin.models import Article, Issue
from demo.services import CONTACT_EMAIL, DEFAULT_CONTACT_PASSWORD
from events.models import Event
from members.models import Company
from notices.models import Notice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
# A table cell narrower than a third of the phone is a column squeezed into a
# word a line (a name one character a line): the table did not become cards.
NARROWEST_CELL = 120
# The account menu as one row of tabs; as a list it took some 380 px above the page.
ACCOUNT_NAV_MAX_HEIGHT = 80

MEASURE = """(narrowest) => ({
  scrollWidth: document.documentElement.scrollWidth,
  squeezedCells: [...document.querySelectorAll("main table tbody :is(th, td)")]
    .filter((cell) => { const width = cell.getBoundingClientRect().width;
                        return width > 0 && width < narrowest; })
    .map((cell) => cell.innerText.trim().slice(0, 20)),
  accountNavHeight: document.querySelector(".account-nav")?.getBoundingClientRect().height ?? 0,
})"""


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        viewport=PHONE, has_touch=True, locale="zh-CN", base_url=live_server.url
    )
    yield context.new_page()
    context.close()


def public_paths() -> list[str]:
    article = Article.objects.published().order_by("-pk").first()
    issue = Issue.objects.order_by("-year", "-number").first()
    company = Company.objects.listed().order_by("pk").first()
    event = Event.objects.visible().filter(agenda_items__isnull=False).distinct().first()
    notice = Notice.objects.public().order_by("-pk").first()
    assert article and issue and company and event and notice, "the demo is not loaded"
    return [
        reverse("home"),
        reverse("bulletin:article_list"),
        reverse("bulletin:article_detail", args=[article.pk]),
        reverse("bulletin:issue_list"),
        reverse("bulletin:issue_detail", args=[issue.year, issue.number]),
        reverse("members:company_list"),
        reverse("members:company_detail", args=[company.pk]),
        reverse("members:leadership"),
        reverse("awards:honour_list"),
        reverse("events:event_list"),
        reverse("events:event_detail", args=[event.pk]),
        reverse("notices:list"),
        notice.get_absolute_url(),
        reverse("notices:documents"),
        reverse("members:join"),
        reverse("about"),
        reverse("digests:subscribe"),
        reverse("accounts:login"),
        reverse("accounts:password_reset"),
        "/en/",
    ]


def sign_in(page) -> None:
    page.goto(reverse("accounts:login"))
    page.fill("#id_username", CONTACT_EMAIL)
    page.fill("#id_password", DEFAULT_CONTACT_PASSWORD)
    page.locator("form.stack-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/account/$"))


def account_paths(page) -> list[str]:
    """/account/, each page of its menu and what they lead to, signed in as the demo contact."""
    page.goto(reverse("accounts:dashboard"))
    menu = page.locator(".account-nav ul a").evaluate_all("links => links.map(a => a.pathname)")
    assert len(menu) >= 8, menu
    page.goto(reverse("accounts:notices"))
    notice = page.locator("main table tbody a").first.evaluate("a => a.pathname")
    registrations = []
    for event in Event.objects.upcoming():
        page.goto(reverse("events:event_detail", args=[event.pk]))
        register = reverse("events:register", args=[event.pk])
        if page.locator(f"main a[href='{register}']").count():
            registrations.append(register)
    assert registrations, "the demo has no upcoming event open for registration"
    return [
        *menu,
        reverse("accounts:colleague_invite"),
        notice,
        *registrations,
        "/en/account/registrations/",
    ]


def measure(page, paths: list[str], found: dict[str, list[str]]) -> None:
    for path in paths:
        response = page.goto(path)
        problems = [] if response.status == 200 else [f"status {response.status}"]
        layout = page.evaluate(MEASURE, NARROWEST_CELL)
        if layout["scrollWidth"] > PHONE["width"]:
            problems.append(f"scrolls sideways to {layout['scrollWidth']} px")
        if layout["squeezedCells"]:
            problems.append(f"squeezed table cells {layout['squeezedCells'][:3]}")
        if layout["accountNavHeight"] > ACCOUNT_NAV_MAX_HEIGHT:
            problems.append(f"account menu {layout['accountNavHeight']:.0f} px high")
        if problems:
            found[path] = problems


def test_it_fits_every_public_and_account_page_on_a_phone(phone, demo_site):
    found: dict[str, list[str]] = {}
    measure(phone, public_paths(), found)
    sign_in(phone)
    measure(phone, account_paths(phone), found)
    assert found == {}


def test_it_starts_the_account_menu_at_the_current_pages_tab(phone, demo_site):
    sign_in(phone)
    phone.goto(reverse("accounts:preferences"))
    nav = phone.locator(".account-nav").bounding_box()
    tab = phone.locator(".account-nav a[aria-current=page]").bounding_box()
    assert nav["x"] <= tab["x"] and tab["x"] + tab["width"] <= nav["x"] + nav["width"]
    assert phone.evaluate("window.scrollY") == 0


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


def test_it_has_no_serious_accessibility_violations_on_a_phone(phone, demo_site):
    found = {}
    phone.goto("/")
    found["/"] = serious_violations(phone)
    main_menu(phone)[0].tap()
    found["/ with the menu open"] = serious_violations(phone)
    sign_in(phone)
    for name in ("dashboard", "registrations", "colleagues", "notices"):
        path = reverse(f"accounts:{name}")
        phone.goto(path)
        found[path] = serious_violations(phone)
    assert {where: found[where] for where in found if found[where]} == {}


def main_menu(page):
    nav = page.get_by_role("navigation", name="主导航")
    return nav.locator("summary"), nav.locator("ul a")


def visible_links(links) -> int:
    return sum(link.is_visible() for link in links.all())


def test_it_folds_the_main_menu_and_opens_it_by_touch_and_keyboard(phone, demo_site):
    phone.goto("/")
    button, links = main_menu(phone)
    assert button.is_visible()
    assert links.count() >= 10
    assert visible_links(links) == 0
    folded_height = phone.get_by_role("navigation", name="主导航").bounding_box()["height"]
    assert folded_height < 60

    button.tap()
    assert visible_links(links) == links.count()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    button.tap()
    assert visible_links(links) == 0

    # By keyboard: the button is reached with Tab, shows its focus, opens with Enter.
    phone.goto("/")
    for _ in range(15):
        phone.keyboard.press("Tab")
        if button.evaluate("summary => summary === document.activeElement"):
            break
    else:
        pytest.fail("the menu button cannot be reached with Tab")
    assert button.evaluate("summary => getComputedStyle(summary).outlineStyle") == "solid"
    phone.keyboard.press("Enter")
    assert visible_links(links) == links.count()
    assert button.evaluate("summary => summary.parentElement.open")


def test_it_opens_the_main_menu_without_javascript(browser, live_server, demo_site):
    context = browser.new_context(
        viewport=PHONE, java_script_enabled=False, locale="zh-CN", base_url=live_server.url
    )
    page = context.new_page()
    page.goto("/")
    button, links = main_menu(page)
    assert visible_links(links) == 0
    button.click()
    assert visible_links(links) == links.count()
    context.close()


def test_it_shows_the_main_menu_unfolded_on_a_desktop(page, demo_site):
    page.set_viewport_size(DESKTOP)
    page.goto("/")
    button, links = main_menu(page)
    assert not button.is_visible()
    assert visible_links(links) == links.count()
    assert page.console_errors == []
