"""The contact's own pages in English mark the Chinese they show with lang="zh-Hans" (WCAG 3.1.2).

The same walk as the public pages' (tests/portal/test_english_pages.py), over
every page a signed-in contact has, with the demo's rows: names, titles and
the bank's details entered in Chinese are read in Chinese by a screen reader
only when an element around them says so.
"""

import pytest

from demo.services import CONTACT_EMAIL
from members.models import Contact
from tests.portal.test_english_pages import chinese_outside_chinese_elements
from tests.portal.test_no_example_com import account_pages

pytestmark = pytest.mark.django_db


def test_every_account_page_in_english_marks_its_chinese(client, loaded_demo):
    contact = Contact.objects.select_related("company").get(user__email=CONTACT_EMAIL)
    client.force_login(contact.user)
    pages = [page for page in account_pages(contact) if page.startswith("/en/")]
    assert len(pages) > 10

    unmarked = {}
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        assert '<html lang="en">' in html, page
        found = chinese_outside_chinese_elements(html)
        if found:
            unmarked[page] = found
    report = "\n".join(
        f"{page}\n" + "\n".join(f"    {where} {text}" for where, text in found)
        for page, found in unmarked.items()
    )
    assert not unmarked, f"Chinese outside lang=zh-Hans on {len(unmarked)} pages:\n{report}"
