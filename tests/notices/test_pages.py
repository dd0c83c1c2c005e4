"""The notices board, a notice's page and files, the reply slip and the contact's notices.

Members-only notices are never shown, listed or served to anyone outside
their audience, whatever the language and however warm the page cache; the
pages cost the same few queries for 3 notices as for 60.
"""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from members.models import CouncilSeat, SeatRole, Term
from notices import services
from notices.models import COUNCIL_ROLES, Audience, Document, Notice, NoticeAttachment, NoticeReply
from tests.accounts.builders import PASSWORD, make_company, make_contact, make_term
from tests.queries import assert_fixed_and_few, empty_cache, page_queries

pytestmark = pytest.mark.django_db


def make_notice(title="关于召开第七届理事会第三次会议的通知", **fields) -> Notice:
    fields.setdefault("status", Notice.Status.PUBLISHED)
    fields.setdefault("published_at", timezone.now() - timedelta(hours=1))
    fields.setdefault("body", "<p>各理事单位：</p><p>经研究，定于下月召开理事会。</p>")
    return Notice.objects.create(title=title, **fields)


def council_notice(**fields) -> Notice:
    fields.setdefault("document_number", "浙仪协〔2027〕3号")
    fields.setdefault("asks_reply", True)
    fields.setdefault("reply_deadline", timezone.now() + timedelta(days=7))
    fields.setdefault("ask_people", True)
    return make_notice(audience=Audience.ROLES, roles=list(COUNCIL_ROLES), **fields)


@pytest.fixture
def world():
    term = make_term()
    council = make_company("浙江理事仪表有限公司", seed=1)
    CouncilSeat.objects.create(term=term, company=council, role=SeatRole.COUNCIL)
    member = make_company("浙江会员仪表有限公司", seed=2)
    CouncilSeat.objects.create(term=term, company=member, role=SeatRole.MEMBER)
    return {
        "council": make_contact(council, "lishi@example.com", name="李理事", primary=True),
        "member": make_contact(member, "huiyuan@example.com", name="王会员", primary=True),
    }


def signed_in(client, contact):
    assert client.login(username=contact.user.email, password=PASSWORD)
    return client


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_members_only_notice_is_never_shown_to_visitors(client, world, prefix):
    public = make_notice("关于举办新技术培训班的通知")
    private = council_notice()
    attachment = NoticeAttachment.objects.create(
        notice=private, file=ContentFile(b"%PDF-1.4 secret", name="a.pdf"), name="议程.pdf"
    )
    empty_cache()
    for _round in range(2):  # the second round is served from the warm page cache
        listing = client.get(prefix + "/notices/")
        assert listing.status_code == 200
        assert public.title in listing.content.decode()
        assert private.title not in listing.content.decode()
        home = client.get(prefix + "/")
        assert private.title not in home.content.decode()
        assert client.get(f"{prefix}/notices/{private.pk}/").status_code == 404
        assert client.get(attachment.get_absolute_url()).status_code == 404
        assert client.get(f"{prefix}/notices/{public.pk}/").status_code == 200
    sitemap = client.get("/sitemap.xml").content.decode()
    assert f"/notices/{public.pk}/" in sitemap
    assert f"/notices/{private.pk}/" not in sitemap

    # A contact outside the audience is a visitor for this notice, too.
    signed_in(client, world["member"])
    assert private.title not in client.get(prefix + "/notices/").content.decode()
    assert client.get(f"{prefix}/notices/{private.pk}/").status_code == 404
    assert client.get(attachment.get_absolute_url()).status_code == 404

    # A contact of a council unit reads it and its file, never from a shared cache.
    client.logout()
    signed_in(client, world["council"])
    assert private.title in client.get(prefix + "/notices/").content.decode()
    page = client.get(f"{prefix}/notices/{private.pk}/")
    assert page.status_code == 200
    assert "private" in page["Cache-Control"]
    download = client.get(attachment.get_absolute_url())
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 secret"
    assert "filename*=utf-8''%E8%AE%AE%E7%A8%8B.pdf" in download["Content-Disposition"]


def test_draft_and_future_notices_are_not_published(client, world):
    draft = make_notice("草稿通知", status=Notice.Status.DRAFT)
    future = make_notice("明天发布的通知", published_at=timezone.now() + timedelta(days=1))
    body = client.get("/notices/").content.decode()
    assert draft.title not in body and future.title not in body
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(future.get_absolute_url()).status_code == 404


def test_reply_link_answers_for_its_own_contact_only(client, world):
    notice = council_notice()
    other = make_contact(world["council"].company, "tongshi@example.com", name="同事")
    url = reverse("notices:reply", args=[notice.pk, services.reply_token(notice.pk, other.pk)])
    page = client.get(url)
    assert page.status_code == 200
    assert "同事" in page.content.decode()
    response = client.post(url, {"attending": "yes", "people": "2"})
    assert response.status_code == 302
    reply = NoticeReply.objects.get()
    assert (reply.contact, reply.attending, reply.people) == (other, True, 2)

    # The token names one contact and one notice: altered, or for another notice, it is a 404.
    token = services.reply_token(notice.pk, world["council"].pk)
    assert client.post(url[:-3] + "xx/", {"attending": "no"}).status_code == 404
    second = council_notice(title="另一份通知")
    assert client.get(reverse("notices:reply", args=[second.pk, token])).status_code == 404
    # A contact outside the audience cannot answer even with a well-signed link.
    outsider = services.reply_token(notice.pk, world["member"].pk)
    assert client.get(reverse("notices:reply", args=[notice.pk, outsider])).status_code == 404
    assert NoticeReply.objects.count() == 1


def test_answer_after_the_deadline_is_refused_and_nothing_is_written(client, world):
    notice = council_notice(reply_deadline=timezone.now() - timedelta(minutes=1))
    Notice.objects.filter(pk=notice.pk).update(reply_deadline=timezone.now() - timedelta(minutes=1))
    url = reverse(
        "notices:reply", args=[notice.pk, services.reply_token(notice.pk, world["council"].pk)]
    )
    response = client.post(url, {"attending": "yes", "people": "3"})
    assert response.status_code == 200
    assert "截止" in response.content.decode()
    assert not NoticeReply.objects.exists()


def test_reply_can_be_changed_until_the_deadline(client, world):
    notice = council_notice(ask_names=True)
    signed_in(client, world["council"])
    url = reverse("notices:reply_signed_in", args=[notice.pk])
    response = client.post(url, {"attending": "yes", "people": "", "names": ""})
    assert response.status_code == 200  # people and names are asked when attending
    assert "请填写参加人数" in response.content.decode() or "人数" in response.content.decode()
    assert (
        client.post(url, {"attending": "yes", "people": "2", "names": "张伟、李娜"}).status_code
        == 302
    )
    assert client.post(url, {"attending": "no"}).status_code == 302
    reply = NoticeReply.objects.get()
    assert (reply.attending, reply.people) == (False, 0)
    page = client.get("/account/notices/").content.decode()
    assert notice.title in page and "已回复" in page


def test_account_notices_show_unread_and_awaiting_reply(client, world):
    notice = council_notice()
    signed_in(client, world["council"])
    page = client.get("/account/notices/").content.decode()
    assert notice.title in page and 'badge ok">未读<' in page and "待回复" in page
    client.get(notice.get_absolute_url())
    page = client.get("/account/notices/").content.decode()
    assert 'badge ok">未读<' not in page


def _notices(count: int, world) -> None:
    for n in range(count):
        notice = make_notice(f"通知{n}", audience=Audience.MEMBERS if n % 2 else Audience.PUBLIC)
        NoticeAttachment.objects.create(
            notice=notice, file=ContentFile(b"%PDF-1.4", name="f.pdf"), name=f"附件{n}.pdf"
        )
        if n % 3 == 0:
            NoticeReply.objects.create(notice=notice, contact=world["council"], attending=True)


@pytest.mark.parametrize("signed", [False, True])
def test_notice_list_queries_are_fixed(client, world, signed):
    if signed:
        signed_in(client, world["council"])
    _notices(3, world)
    small = page_queries(client, "/notices/")
    _notices(57, world)
    large = page_queries(client, "/notices/")
    assert_fixed_and_few(small, large)


def test_notice_page_and_account_queries_are_fixed(client, world):
    signed_in(client, world["council"])
    notice = council_notice()
    for n in range(2):
        NoticeAttachment.objects.create(
            notice=notice, file=ContentFile(b"%PDF-1.4", name="f.pdf"), name=f"附件{n}.pdf"
        )
    _notices(3, world)
    small = (
        page_queries(client, notice.get_absolute_url()),
        page_queries(client, "/account/notices/"),
    )
    _notices(57, world)
    for n in range(2, 30):
        NoticeAttachment.objects.create(
            notice=notice, file=ContentFile(b"%PDF-1.4", name="f.pdf"), name=f"附件{n}.pdf"
        )
    large = (
        page_queries(client, notice.get_absolute_url()),
        page_queries(client, "/account/notices/"),
    )
    for few, many in zip(small, large, strict=True):
        assert_fixed_and_few(few, many)


def test_documents_members_only_file_is_served_to_members_only(client, world):
    public = Document.objects.create(
        title="协会章程",
        file=ContentFile(b"%PDF-1.4 charter", name="c.pdf"),
        filename="协会章程.pdf",
    )
    private = Document.objects.create(
        title="会费标准",
        file=ContentFile(b"%PDF-1.4 fees", name="f.pdf"),
        filename="会费标准.pdf",
        is_public=False,
    )
    listing = client.get("/documents/").content.decode()
    assert public.get_absolute_url() in listing
    assert private.get_absolute_url() not in listing
    assert client.get(private.get_absolute_url()).status_code == 404
    download = client.get(public.get_absolute_url())
    assert download.status_code == 200
    assert (
        "filename*=utf-8''%E5%8D%8F%E4%BC%9A%E7%AB%A0%E7%A8%8B.pdf"
        in download["Content-Disposition"]
    )
    signed_in(client, world["member"])
    assert private.get_absolute_url() in client.get("/documents/").content.decode()
    assert client.get(private.get_absolute_url()).status_code == 200


def test_a_withdrawn_company_reads_public_notices_only(client, world):
    notice = make_notice("会员通知", audience=Audience.MEMBERS)
    company = world["member"].company
    company.status = company.Status.WITHDRAWN
    company.save()
    signed_in(client, world["member"])
    assert client.get(notice.get_absolute_url()).status_code == 404
    assert Term.objects.current().exists()
