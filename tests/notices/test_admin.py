"""The secretariat's notices in the back office: recipients, sending once, progress, replies.

Sending and reminding need ``notices.send_notice``; every page of a notice
runs as many queries for 60 recipients as for 3; files are checked by what
they contain, not by their names.
"""

import io
import zipfile
from datetime import timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from PIL import Image

from accounts.models import User
from members.models import SeatRole
from notices import services
from notices.models import (
    Audience,
    Document,
    Notice,
    NoticeAttachment,
    NoticeDelivery,
    NoticeMailing,
    NoticeReply,
)
from notices.uploads import checked_attachment
from outbox.models import OutgoingMail
from tests.admin_forms import change_form_data
from tests.dues.builders import seated_company
from tests.queries import assert_fixed_and_few, page_queries

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\nstartxref\n0\n%%EOF\n"
NOTICE_PAGES = ("recipients", "send", "progress", "replies")


def url(name: str, notice: Notice) -> str:
    return reverse(f"admin:notices_notice_{name}", args=[notice.pk])


def form_errors(response) -> list:
    """The errors of an admin change form and of its inlines."""
    return [
        response.context["adminform"].form.errors,
        *(inline.formset.errors for inline in response.context["inline_admin_formsets"]),
    ]


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return gettext(message)


def messages_of(response) -> list[str]:
    """The messages a POST left, shown on the page it redirected to (``follow=True``)."""
    return [str(message) for message in response.context["messages"]]


def council_companies(count: int, *, start: int = 0, role=SeatRole.COUNCIL) -> list:
    return [
        seated_company(f"浙江理事仪表有限公司{n}", role, seed=100 + n)
        for n in range(start, start + count)
    ]


def council_notice(**fields) -> Notice:
    fields.setdefault("title", "关于召开第七届理事会第三次会议的通知")
    fields.setdefault("document_number", "浙仪协〔2027〕3号")
    fields.setdefault("status", Notice.Status.PUBLISHED)
    fields.setdefault("published_at", timezone.now() - timedelta(hours=1))
    fields.setdefault("asks_reply", True)
    fields.setdefault("reply_deadline", timezone.now() + timedelta(days=7))
    fields.setdefault("ask_people", True)
    fields.setdefault("ask_text", "住宿需求")
    return Notice.objects.create(
        audience=Audience.ROLES, roles=[SeatRole.COUNCIL, SeatRole.VICE_PRESIDENT], **fields
    )


def sent(notice: Notice) -> NoticeMailing:
    """The notice sent, its deliveries marked sent (without rendering the mails)."""
    mailing = services.notice_send(notice=notice)
    NoticeDelivery.objects.filter(mailing=mailing).update(
        status=NoticeDelivery.Status.SENT, sent_at=timezone.now()
    )
    return mailing


@pytest.fixture
def world():
    """Three council units, a vice-president unit and a member unit, one contact each."""
    council = council_companies(3)
    vice = seated_company("杭州副会长仪表有限公司", SeatRole.VICE_PRESIDENT, seed=10)
    member = seated_company("宁波会员仪表有限公司", SeatRole.MEMBER, seed=11)
    return {"council": council, "vice": vice, "member": member}


@pytest.fixture
def editor(client):
    """Staff who may write notices, but not send them."""
    user = User.objects.create_user("editor@example.com", "x", name="编辑", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="notices", codename__in=["view_notice", "change_notice"]
        )
    )
    client.force_login(user)
    return user


def test_it_lists_the_recipients_of_a_notice_by_council_roles(admin_client, world):
    notice = council_notice()

    response = admin_client.get(url("recipients", notice))

    assert response.status_code == 200
    assert response.context["count"] == 4
    content = response.content.decode()
    assert "杭州副会长仪表有限公司" in content
    assert "浙江理事仪表有限公司0" in content
    assert "c10-0@example.com" in content
    assert "宁波会员仪表有限公司" not in content
    assert "联络员" in content  # the job title


def test_it_pages_the_recipients_100_at_a_time(admin_client):
    council_companies(101)
    notice = council_notice()

    first = admin_client.get(url("recipients", notice))
    second = admin_client.get(url("recipients", notice), {"page": 2})

    assert first.context["count"] == 101
    assert len(first.context["page_obj"].object_list) == 100
    assert len(second.context["page_obj"].object_list) == 1


def test_it_sends_a_notice_once(
    admin_client, admin_user, world, django_capture_on_commit_callbacks
):
    notice = council_notice()
    confirm = admin_client.get(url("send", notice))
    assert confirm.status_code == 200
    assert confirm.context["count"] == 4

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url("send", notice), {"when": "now"}, follow=True)

    assert response.redirect_chain == [(url("progress", notice), 302)]
    assert "正在向 4 位联系人发送通知。" in messages_of(response)
    mailing = NoticeMailing.objects.get(notice=notice)
    assert mailing.number == 0
    assert mailing.created_by == admin_user
    statuses = list(mailing.deliveries.values_list("status", flat=True))
    assert statuses == ["sent"] * 4
    assert len(mail.outbox) == 4
    assert sorted(m.to[0] for m in mail.outbox)[0] == "c10-0@example.com"

    with django_capture_on_commit_callbacks(execute=True):
        again = admin_client.post(url("send", notice), {"when": "now"}, follow=True)

    assert again.redirect_chain == [(url("progress", notice), 302)]
    (message,) = messages_of(again)
    assert "本次未再发送任何邮件" in message
    assert NoticeMailing.objects.filter(notice=notice).count() == 1
    assert NoticeDelivery.objects.count() == 4
    assert len(mail.outbox) == 4
    page = admin_client.get(url("send", notice))
    assert 'id="already-sent"' in page.content.decode()
    assert "Send the notice" not in page.content.decode()
    assert "发送通知" not in page.content.decode()

    progress = admin_client.get(url("progress", notice))
    (row,) = progress.context["mailings"]
    assert (row.listed, row.sent, row.skipped, row.failed, row.waiting) == (4, 4, 0, 0, 0)
    assert progress.context["refresh_seconds"] is None


def test_it_schedules_a_notice_for_later(admin_client, world):
    notice = council_notice()
    at = timezone.localtime(timezone.now() + timedelta(days=1), SHANGHAI)

    response = admin_client.post(
        url("send", notice), {"when": "later", "send_at": at.strftime("%Y-%m-%dT%H:%M")}
    )

    assert response.status_code == 302
    mailing = NoticeMailing.objects.get(notice=notice)
    assert mailing.filled_at is None
    assert timezone.localtime(mailing.send_at, SHANGHAI).strftime("%H:%M") == at.strftime("%H:%M")
    assert not NoticeDelivery.objects.exists()
    listing = admin_client.get(reverse("admin:notices_notice_changelist"))
    assert "定时" in listing.content.decode()

    past = admin_client.post(url("send", council_notice(title="另一条通知")), {"when": "later"})
    assert past.status_code == 200
    assert "send_at" in past.context["form"].errors


def test_it_says_why_a_draft_is_not_sent(admin_client, world):
    notice = council_notice(status=Notice.Status.DRAFT)

    response = admin_client.post(url("send", notice), {"when": "now"})

    assert response.status_code == 200
    assert messages_of(response) == [zh("Publish the notice before sending it.")]
    assert not NoticeMailing.objects.exists()


def test_staff_without_send_notice_may_not_send_or_remind(client, editor, world):
    notice = council_notice()
    sent(council_notice(title="已发送的通知"))

    assert client.get(url("send", notice)).status_code == 403
    assert client.post(url("send", notice), {"when": "now"}).status_code == 403
    assert client.post(url("remind", notice)).status_code == 403
    assert not NoticeMailing.objects.filter(notice=notice).exists()
    # They see the notice's other pages, without the buttons.
    for name in ("recipients", "progress", "replies"):
        assert client.get(url(name, notice)).status_code == 200, name
    assert client.get(url("replies", notice)).context["may_remind"] is False

    editor.user_permissions.add(Permission.objects.get(codename="send_notice"))
    assert client.get(url("send", notice)).status_code == 200


def test_it_mails_a_test_to_the_signed_in_user(
    admin_client, admin_user, world, django_capture_on_commit_callbacks
):
    notice = council_notice()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url("send_test", notice))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:notices_notice_change", args=[notice.pk])
    (message,) = mail.outbox
    assert message.to == [admin_user.email]
    assert "[测试]" in message.subject
    assert OutgoingMail.objects.get().to == admin_user.email
    assert not NoticeMailing.objects.exists()
    assert admin_client.get(url("send_test", notice)).status_code == 405


def answer(notice, company, **answers):
    contact = company.contacts.get()
    return services.notice_reply_save(notice=notice, contact=contact, answers=answers)


def test_it_totals_the_replies_and_exports_them(admin_client, world):
    notice = council_notice(ask_attending=True, ask_names=True)
    sent(notice)
    council = world["council"]
    answer(notice, council[0], attending=True, people=2, names="张伟、李娜", text="需要住宿")
    answer(notice, council[1], attending=False, people=0, text="=1+1")

    response = admin_client.get(url("replies", notice))

    assert response.status_code == 200
    assert response.context["totals"] == {
        "recipients": 4,
        "replied": 2,
        "waiting": 2,
        "attending": 1,
        "not_attending": 1,
        "people": 2,
    }
    waiting = {d.contact.company.name for d in response.context["waiting"]}
    assert waiting == {"浙江理事仪表有限公司2", "杭州副会长仪表有限公司"}
    content = response.content.decode()
    assert "张伟、李娜" in content
    assert url("replies_export", notice) in content
    assert url("remind", notice) in content

    export = admin_client.get(url("replies_export", notice))

    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    header, *rows = list(sheet.values)
    assert header == (
        "单位",
        "工作联系人",
        "电子邮箱",
        "电话",
        "已回复",
        "是否参加",
        "参加人数",
        "参加人员",
        "住宿需求",
        "回复时间",
        "更新时间",
    )
    assert len(rows) == 4
    by_email = {row[2]: row for row in rows}
    for reply in NoticeReply.objects.select_related("contact__user", "contact__company"):
        row = by_email[reply.contact.user.email]
        assert row[0] == reply.contact.company.name
        assert row[4] == "是"
        assert row[5] == ("是" if reply.attending else "否")
        assert row[6] == reply.people
        assert (row[7] or "") == reply.names
        assert row[8] == reply.text  # "=1+1" stays text
        local = timezone.localtime(reply.answered_at, SHANGHAI).replace(tzinfo=None)
        assert abs(row[9] - local) < timedelta(seconds=1)
    waiting_rows = [row for row in rows if row[4] == "否"]
    assert len(waiting_rows) == 2
    assert all(value is None for value in waiting_rows[0][5:])


def test_it_reminds_those_who_have_not_replied(admin_client, world):
    notice = council_notice()
    sent(notice)
    answer(notice, world["council"][0], people=1, text="")

    response = admin_client.post(url("remind", notice), follow=True)

    assert response.redirect_chain == [(url("replies", notice), 302)]
    assert messages_of(response) == ["正在向 3 位未回复的联系人发送第 1 次提醒。"]
    reminder = NoticeMailing.objects.get(notice=notice, number=1)
    assert reminder.deliveries.count() == 3
    assert not reminder.deliveries.filter(contact__company=world["council"][0]).exists()

    second = admin_client.post(url("remind", notice), follow=True)
    assert messages_of(second) == ["正在向 3 位未回复的联系人发送第 2 次提醒。"]
    assert NoticeMailing.objects.get(notice=notice, number=2).deliveries.count() == 3

    progress = admin_client.get(url("progress", notice))
    assert [m.number for m in progress.context["mailings"]] == [0, 1, 2]
    assert progress.context["refresh_seconds"] == 5  # the reminders wait for the worker


def test_it_says_when_a_reminder_cannot_be_sent(admin_client, world):
    notice = council_notice()

    response = admin_client.post(url("remind", notice), follow=True)

    assert messages_of(response) == [zh("The notice has not been sent yet.")]
    assert not NoticeMailing.objects.exists()


def test_it_lists_notices_with_their_sending_state(admin_client, world):
    notice = council_notice()
    sent(notice)
    NoticeDelivery.objects.filter(pk=NoticeDelivery.objects.order_by("pk")[0].pk).update(
        status=NoticeDelivery.Status.FAILED, error="550 no such user"
    )
    NoticeMailing.objects.update(finished_at=timezone.now())
    council_notice(title="草稿通知", status=Notice.Status.DRAFT)
    changelist = reverse("admin:notices_notice_changelist")

    response = admin_client.get(changelist)

    content = response.content.decode()
    assert "已发送 3/4（失败 1）" in content
    assert "未发送" in content
    for query in ("?status__exact=draft", "?q=理事会", "?audience__exact=roles"):
        assert admin_client.get(changelist + query).status_code == 200
    export = admin_client.get(reverse("admin:notices_notice_export"))
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    values = list(sheet.values)
    assert len(values) == 3
    assert "已发送 3/4（失败 1）" in values[1] + values[2]

    failed = admin_client.get(url("progress", notice))
    assert [d.error for d in failed.context["failed"]] == ["550 no such user"]
    assert "550 no such user" in failed.content.decode()


def test_the_notice_list_queries_do_not_grow_with_the_notices(admin_client, world):
    changelist = reverse("admin:notices_notice_changelist")
    for n in range(3):
        sent(council_notice(title=f"通知{n}"))
    few = page_queries(admin_client, changelist)
    for n in range(3, 30):
        sent(council_notice(title=f"通知{n}"))
    many = page_queries(admin_client, changelist)

    assert_fixed_and_few(few, many, limit=12)


def test_the_notices_pages_run_as_many_queries_for_60_recipients_as_for_3(admin_client):
    council_companies(3)
    small = council_notice(title="三家单位的通知")
    sent(small)
    first = NoticeDelivery.objects.filter(mailing__notice=small).order_by("pk").first()
    services.notice_reply_save(notice=small, contact=first.contact, answers={"people": 1})

    council_companies(57, start=3)
    large = council_notice(title="六十家单位的通知")
    sent(large)
    for delivery in NoticeDelivery.objects.filter(mailing__notice=large).order_by("pk")[:30]:
        services.notice_reply_save(notice=large, contact=delivery.contact, answers={"people": 2})
    NoticeDelivery.objects.filter(
        pk__in=NoticeDelivery.objects.filter(mailing__notice=large).values("pk")[:5]
    ).update(status=NoticeDelivery.Status.FAILED, error="550")
    NoticeDelivery.objects.filter(
        pk__in=NoticeDelivery.objects.filter(mailing__notice=small).values("pk")[:1]
    ).update(status=NoticeDelivery.Status.FAILED, error="550")
    assert NoticeDelivery.objects.filter(mailing__notice=large).count() == 60

    for name in NOTICE_PAGES:
        few = page_queries(admin_client, url(name, small))
        many = page_queries(admin_client, url(name, large))
        assert_fixed_and_few(few, many, limit=12)
    few = page_queries(admin_client, url("replies_export", small))
    many = page_queries(admin_client, url("replies_export", large))
    assert_fixed_and_few(few, many, limit=12)


# Files -----------------------------------------------------------------------------------------


def office_file(folder: str, *, macros: bool = False) -> bytes:
    buffer = io.BytesIO()
    content_type = "application/vnd.ms-word.document.macroEnabled.main+xml" if macros else "x"
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", f'<Types><Override ContentType="{content_type}"/>')
        archive.writestr(f"{folder}/document.xml", "<document/>")
    return buffer.getvalue()


def ole_file(*streams: tuple[str, int]) -> bytes:
    """A compound file's header and a directory sector with these (name, type) entries."""
    header = bytes.fromhex("D0CF11E0A1B11AE1").ljust(512, b"\0")
    entries = b""
    for name, kind in [("Root Entry", 5), *streams]:
        encoded = (name + "\0").encode("utf-16-le")
        entry = encoded.ljust(64, b"\0") + len(encoded).to_bytes(2, "little") + bytes([kind])
        entries += entry.ljust(128, b"\0")
    return header + entries.ljust(512, b"\0")


def image(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "extension"),
    [
        (PDF, "pdf"),
        (office_file("word"), "docx"),
        (office_file("xl"), "xlsx"),
        (office_file("ppt"), "pptx"),
        (ole_file(("WordDocument", 2)), "doc"),
        (ole_file(("Workbook", 2)), "xls"),
        (image("PNG"), "png"),
        (image("JPEG"), "jpg"),
    ],
)
def test_it_accepts_the_kinds_of_files_a_notice_has(content, extension):
    checked = checked_attachment(SimpleUploadedFile("任意名称.bin", content))

    assert checked.name.endswith(f".{extension}")
    assert "任意名称" not in checked.name
    assert len(checked.name) == 32 + 1 + len(extension)


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"MZ\x90\x00" + b"\0" * 200, "format"),  # a Windows program
        (b"%PDF-1.4 cut short", "pdf"),
        (office_file("word", macros=True), "macros"),
        (office_file("other"), "format"),
        (b"PK\x03\x04 not a zip", "format"),
        (ole_file(("SummaryInformation", 2)), "format"),  # an .msi is a compound file too
        (ole_file(("EncryptedPackage", 2)), "encrypted"),
        (ole_file(("WordDocument", 2), ("Macros", 1)), "macros"),
        (b"GIF89a" + b"\0" * 100, "format"),
        (b"", "empty"),
    ],
)
def test_it_refuses_other_files_whatever_their_name(content, code):
    with pytest.raises(ValidationError) as refused:
        checked_attachment(SimpleUploadedFile("通知.pdf", content))

    assert refused.value.code == code


def test_it_refuses_files_over_20_mb():
    upload = SimpleUploadedFile("大文件.pdf", PDF)
    upload.size = 20 * 1024 * 1024 + 1

    with pytest.raises(ValidationError) as refused:
        checked_attachment(upload)

    assert refused.value.code == "too_large"


def document_data(**fields) -> dict:
    return {
        "title": "浙江省仪器仪表行业协会章程",
        "kind": Document.Kind.CHARTER,
        "description": "",
        "filename": "",
        "is_public": "on",
        "position": "0",
        **fields,
    }


def test_a_document_upload_is_checked_by_its_content(admin_client):
    add = reverse("admin:notices_document_add")
    program = SimpleUploadedFile("协会章程.pdf", b"MZ\x90\x00" + b"\0" * 500)

    refused = admin_client.post(add, document_data(file=program))

    assert refused.status_code == 200
    (error,) = refused.context["adminform"].form.errors["file"]
    assert error == (
        "请上传 PDF 文件，Word、Excel 或 PowerPoint 文件，或 PNG、JPEG 图片；"
        "该文件不属于以上任何一种。"
    )
    assert not Document.objects.exists()

    accepted = admin_client.post(add, document_data(file=SimpleUploadedFile("协会章程.pdf", PDF)))

    assert accepted.status_code == 302
    document = Document.objects.get()
    assert document.filename == "协会章程.pdf"
    assert document.size == len(PDF)
    assert "协会章程" not in document.file.name
    assert document.file.name.endswith(".pdf")
    change = admin_client.get(reverse("admin:notices_document_change", args=[document.pk]))
    assert change.status_code == 200
    download_url = reverse("admin:notices_document_file", args=[document.pk])
    assert download_url in change.content.decode()
    download = admin_client.get(download_url)
    assert b"".join(download.streaming_content) == PDF
    assert "filename*=utf-8''%E5%8D%8F" in download["Content-Disposition"]


def test_a_notice_attachment_is_checked_and_keeps_its_name(admin_client, admin_user, world):
    notice = council_notice()
    change = reverse("admin:notices_notice_change", args=[notice.pk])
    data = {**change_form_data(admin_client.get(change)), "attachments-0-position": "0"}

    refused = admin_client.post(
        change, {**data, "attachments-0-file": SimpleUploadedFile("议程.pdf", b"MZ" * 100)}
    )
    assert refused.status_code == 200
    assert "该文件不属于以上任何一种" in refused.content.decode()
    assert not NoticeAttachment.objects.exists()

    upload = SimpleUploadedFile("会议议程.docx", office_file("word"))
    saved = admin_client.post(change, {**data, "attachments-0-file": upload})

    assert saved.status_code == 302, form_errors(saved)
    attachment = NoticeAttachment.objects.get()
    assert attachment.name == "会议议程.docx"
    assert attachment.size == len(office_file("word"))
    assert attachment.file.name.endswith(".docx")
    page = admin_client.get(change)
    assert page.status_code == 200
    download = reverse("admin:notices_notice_attachment_file", args=[notice.pk, attachment.pk])
    assert download in page.content.decode()
    assert admin_client.get(download).status_code == 200
    # The page links the notice's own pages, and a test mail to oneself.
    for name in ("recipients", "send", "progress", "replies", "send_test"):
        assert url(name, notice) in page.content.decode(), name


def test_a_new_notice_records_who_wrote_it(admin_client, admin_user, world):
    add = reverse("admin:notices_notice_add")
    data = change_form_data(admin_client.get(add))
    data.update(
        {
            "title": "关于开展会员单位走访的通知",
            "audience": Audience.ROLES,
            "roles": [str(SeatRole.COUNCIL)],
            "status": Notice.Status.DRAFT,
            "attachments-0-position": "0",  # the empty attachment row, as a browser sends it
        }
    )
    for empty in ("cities", "industries", "companies", "event"):
        data.pop(empty, None)

    response = admin_client.post(add, data)

    assert response.status_code == 302, form_errors(response)
    notice = Notice.objects.get()
    assert notice.created_by == admin_user
    assert notice.roles == [SeatRole.COUNCIL]

    data.update({"audience": Audience.COMPANIES, "roles": []})
    refused = admin_client.post(add, data)
    assert "companies" in refused.context["adminform"].form.errors


def test_it_sends_failed_deliveries_again(admin_client, world, django_capture_on_commit_callbacks):
    notice = council_notice()
    mailing = sent(notice)
    failed = mailing.deliveries.order_by("pk")[:2]
    NoticeDelivery.objects.filter(pk__in=[d.pk for d in failed]).update(
        status=NoticeDelivery.Status.FAILED, error="421 try later"
    )
    NoticeMailing.objects.filter(pk=mailing.pk).update(finished_at=timezone.now())
    changelist = reverse("admin:notices_noticedelivery_changelist")

    listing = admin_client.get(changelist, {"mailing": mailing.pk, "status__exact": "failed"})
    assert listing.context["cl"].result_count == 2
    assert "421 try later" in listing.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            changelist,
            {
                "action": "resend",
                "_selected_action": list(mailing.deliveries.values_list("pk", flat=True)),
            },
        )

    assert response.status_code == 302
    assert len(mail.outbox) == 2  # only the failed ones: the others were sent already
    assert set(mailing.deliveries.values_list("status", flat=True)) == {"sent"}
    mailing.refresh_from_db()
    assert mailing.finished_at is not None
