"""A notice with a 回执 in a real browser: written and sent by the secretariat to the
council units, answered by a contact through the link in the mail, read back and
exported by the secretariat."""

import io
import re
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from django.utils import timezone

from demo.services import ADMIN_EMAIL, DEFAULT_ADMIN_PASSWORD
from members.models import Contact, CouncilSeat, SeatRole
from notices.models import Notice, NoticeDelivery, NoticeReply
from notices.selectors import audience_contacts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "关于召开第七届理事会第四次会议的通知"
COUNCIL = (SeatRole.PRESIDENT, SeatRole.VICE_PRESIDENT, SeatRole.COUNCIL)


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_a_council_notice_is_sent_answered_and_exported(
    browser, live_server, demo_site, smtp_server
):
    admin_tab = browser.new_context(
        locale="zh-CN", base_url=live_server.url, accept_downloads=True
    ).new_page()
    contact_tab = browser.new_context(locale="zh-CN", base_url=live_server.url).new_page()
    errors = []
    for tab in (admin_tab, contact_tab):
        tab.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))

    # The secretariat writes the notice: to the council units, with a reply slip.
    admin_tab.goto("/admin/login/")
    admin_tab.fill("#id_username", ADMIN_EMAIL)
    admin_tab.fill("#id_password", DEFAULT_ADMIN_PASSWORD)
    admin_tab.locator("#login-form input[type=submit]").click()
    admin_tab.wait_for_url("**/admin/")
    admin_tab.goto("/admin/notices/notice/add/")
    admin_tab.fill("#id_title", TITLE)
    admin_tab.fill("#id_document_number", "浙仪协〔2027〕9号")
    editor = admin_tab.locator(".ck-editor__editable").first
    editor.click()
    editor.type("各理事单位：定于下月在杭州召开理事会会议，请填写回执。")
    admin_tab.select_option("#id_audience", "roles")
    for role in COUNCIL:
        admin_tab.check(f"input[name=roles][value='{role.value}']")
    admin_tab.check("#id_asks_reply")
    deadline = timezone.localtime() + timedelta(days=7)
    admin_tab.fill("#id_reply_deadline_0", deadline.strftime("%Y-%m-%d"))
    admin_tab.fill("#id_reply_deadline_1", "17:00:00")
    admin_tab.check("#id_ask_attending")
    admin_tab.check("#id_ask_people")
    admin_tab.check("#id_ask_names")
    admin_tab.select_option("#id_status", "published")
    admin_tab.locator("input[name=_continue]").click()
    admin_tab.wait_for_url(re.compile(r"/admin/notices/notice/\d+/change/"))
    notice = Notice.objects.get(title=TITLE)
    assert "理事会会议" in notice.body and notice.asks_reply

    # Exactly the contacts of companies with a council seat in the current term.
    council_units = set(
        CouncilSeat.objects.filter(term__is_current=True, role__in=COUNCIL).values_list(
            "company_id", flat=True
        )
    )
    expected = set(
        Contact.objects.filter(company_id__in=council_units, user__is_active=True).values_list(
            "user__email", flat=True
        )
    )
    assert expected and set(audience_contacts(notice).values_list("user__email", flat=True)) == (
        expected
    )

    # Who will get it, then send it now.
    admin_tab.goto(f"/admin/notices/notice/{notice.pk}/send/")
    assert f"{len(expected)}" in admin_tab.locator("#content-main").inner_text()
    admin_tab.check("input[name=when][value=now]")
    admin_tab.locator("input[type=submit][value='发送通知']").click()
    admin_tab.wait_for_url(f"**/admin/notices/notice/{notice.pk}/progress/")
    assert set(smtp_server.handler.recipients()) == expected
    assert len(smtp_server.handler.recipients()) == len(expected)  # once each
    assert NoticeDelivery.objects.filter(mailing__notice=notice, status="sent").count() == len(
        expected
    )

    # A council contact opens the link in the mail and answers, without signing in.
    email = sorted(expected)[0]
    contact = Contact.objects.select_related("company").get(user__email=email)
    (message,) = [m for rcpts, m in smtp_server.handler.messages if email in rcpts]
    assert message["Subject"].endswith(TITLE) or TITLE in message["Subject"]
    (link,) = re.findall(r"http://\S+/notices/\d+/reply/\S+", text_of(message))
    contact_tab.goto(link.replace("http://127.0.0.1:8000", live_server.url))
    assert TITLE in contact_tab.locator("main").inner_text()
    contact_tab.check("input[name=attending][value=yes]")
    contact_tab.fill("input[name=people]", "2")
    contact_tab.fill("textarea[name=names], input[name=names]", "王建国、李娜")
    contact_tab.locator("main form button[type=submit]").click()
    contact_tab.wait_for_load_state()
    reply = NoticeReply.objects.get(notice=notice, contact=contact)
    assert (reply.attending, reply.people) == (True, 2) and "李娜" in reply.names
    assert "回执已保存" in contact_tab.locator("main").inner_text()
    assert contact_tab.locator("[name=names]").input_value() == "王建国、李娜"  # to change it

    # The secretariat sees the answer and who has not replied, and exports them.
    admin_tab.goto(f"/admin/notices/notice/{notice.pk}/replies/")
    replies = admin_tab.locator("#content-main").inner_text()
    assert contact.company.name in replies and "王建国、李娜" in replies
    with admin_tab.expect_download() as download:
        admin_tab.locator(f"a[href$='/admin/notices/notice/{notice.pk}/replies/export/']").click()
    # The download's path has no extension, which openpyxl refuses: read it as bytes.
    book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    rows = [list(row) for row in book.active.iter_rows(values_only=True)]
    answered = [row for row in rows if contact.company.name in row and "王建国、李娜" in row]
    assert len(answered) == 1
    assert errors == []
