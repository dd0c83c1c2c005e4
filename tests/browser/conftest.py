"""Headless Chromium (Debian's package) driven by Playwright against a live server.

Playwright never downloads a browser here: it launches the system's Chromium
(CHROMIUM_PATH, default /usr/bin/chromium), which `.ci/run` installs.
"""

import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(
            f"No Chromium at {CHROMIUM}: install Debian's chromium package "
            "(apt-get install chromium) or set CHROMIUM_PATH."
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's async
    # safety check would otherwise refuse database access from the test.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab in Chinese, that records console errors and failed requests."""
    context = browser.new_context(locale="zh-CN", base_url=live_server.url)
    tab = context.new_page()
    tab.console_errors = []
    tab.on(
        "console",
        lambda message: (
            tab.console_errors.append(f"{message.type}: {message.text}")
            if message.type == "error"
            else None
        ),
    )
    tab.on("pageerror", lambda error: tab.console_errors.append(f"pageerror: {error}"))
    tab.on(
        "response",
        lambda response: (
            tab.console_errors.append(f"{response.status} {response.url}")
            if response.status >= 400
            else None
        ),
    )
    yield tab
    context.close()


@pytest.fixture
def demo_site(transactional_db):
    """The demo content, committed so that the live server's thread sees it."""
    call_command("load_demo", stdout=StringIO())
