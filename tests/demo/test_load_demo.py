import io
import re
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook
from pdfminer.high_level import extract_text

from accounts.models import User
from awards.models import Honour
from bulletin.models import Article, Issue, Section
from demo import door, facts
from events.models import Event
from events.selectors import RegistrationStatus, events_for_page, registration_state
from members.models import Company, Contact, CouncilSeat, Office, Officer, SeatRole, Term
from notices.models import (
    COUNCIL_ROLES,
    Audience,
    Document,
    Notice,
    NoticeMailing,
    NoticeRead,
    NoticeReply,
)
from notices.selectors import audience_contacts, contact_notices, readable_by
from outbox.models import OutgoingMail
from tests.demo import COUNCIL_UNITS, VICE_PRESIDENT_UNITS

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
COUNTED_APPS = ("members", "bulletin", "events", "awards", "accounts", "dues", "notices")


def _load(*args) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def _row_counts() -> dict[str, int]:
    """Rows of every model of the counted apps, M2M link tables included."""
    counts = {}
    for label in COUNTED_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            counts[model._meta.db_table] = model._default_manager.count()
    return counts


def _seat_names(role: SeatRole) -> set[str]:
    return set(
        CouncilSeat.objects.filter(term__is_current=True, role=role).values_list(
            "company__short_name", flat=True
        )
    )


def test_it_imports_the_issue_with_its_sections_and_articles():
    _load()
    assert Issue.objects.get().year == 2022
    assert Issue.objects.get().number == 11
    assert Section.objects.count() == 5
    assert Article.objects.count() == 25
    assert Article.objects.published().count() == 25


def test_it_seats_the_current_council():
    _load()
    term = Term.objects.current().get()
    assert (term.ordinal, term.name) == (7, "第七届理事会")
    assert _seat_names(SeatRole.VICE_PRESIDENT) == VICE_PRESIDENT_UNITS
    assert _seat_names(SeatRole.COUNCIL) == COUNCIL_UNITS
    assert {"永新光学", "全盛壳体", "美仪自动化"} <= _seat_names(SeatRole.MEMBER)
    assert CouncilSeat.objects.count() == Company.objects.count()


def test_it_records_the_officers():
    _load()
    president = Officer.objects.get(office=Office.PRESIDENT)
    assert president.name == "金建祥"
    assert president.affiliation == "中控集团董事长"
    assert president.company.name == "浙江中控技术股份有限公司"
    assert set(Officer.objects.filter(name="裘晓景").values_list("office", flat=True)) == {
        Office.VICE_PRESIDENT,
        Office.SECRETARY_GENERAL,
    }
    assert set(
        Officer.objects.filter(office=Office.VICE_PRESIDENT).values_list("name", flat=True)
    ) == {"裘晓景", "张磊"}
    deputy = Officer.objects.get(office=Office.DEPUTY_SECRETARY_GENERAL)
    assert (deputy.name, deputy.company.short_name) == ("褚天羽", "美仪自动化")


def test_it_keeps_one_company_for_every_spelling():
    _load()
    for spellings in (
        ("宁水集团", "宁波水表（集团）股份有限公司", "宁波水表（集团）有限公司"),
        ("中控技术", "浙江中控技术股份有限公司"),
        ("西力智能", "西力科技", "杭州西力智能科技股份有限公司"),
        ("美仪", "美仪自动化", "杭州美仪自动化技术股份有限公司"),
        ("和利时", "杭和", "杭州和利时自动化有限公司"),
    ):
        rows = {
            tuple(Company.objects.matching_name(s).values_list("pk", flat=True)) for s in spellings
        }
        assert len(rows) == 1 and len(rows.pop()) == 1, spellings
    supmea = Company.objects.get(short_name="美仪自动化")
    assert (supmea.english_name, supmea.city) == ("Supmea", "hangzhou")
    assert Company.objects.get(short_name="苍南仪表").city == "wenzhou"
    assert Company.objects.get(short_name="宁水集团").industry.name == "流量与计量仪表"


def test_it_creates_no_company_the_facts_do_not_name():
    _load()
    assert set(Company.objects.values_list("name", flat=True)) == {
        company.name for company in facts.COMPANIES
    }
    for outsider in ("市场监管总局", "济钢国际", "仪表堂堂", "工信部", "中仪协"):
        assert not Company.objects.matching_name(outsider).exists()
    for section in ("政策法规", "行业资讯"):
        assert not Company.objects.filter(articles__section__name=section).exists()


def test_it_records_the_postponed_liaison_day_and_its_agenda():
    _load()
    event = Event.objects.get(kind=Event.Kind.LIAISON_DAY)
    assert event.starts_at.astimezone(SHANGHAI).date().isoformat() == "2022-10-28"
    assert event.original_starts_at.astimezone(SHANGHAI).date().isoformat() == "2022-10-21"
    assert event.members_only
    assert event.status == Event.Status.PUBLISHED
    assert event.organiser == "浙江省仪器仪表行业协会"
    assert set(event.co_organisers.values_list("short_name", flat=True)) == {
        "中控技术",
        "美仪自动化",
    }
    assert event.report.title == "SINCE 1992，我们在“仪”起"
    items = list(event.agenda_items.order_by("order"))
    assert [(item.speaker, item.host) for item in items[:2]] == [
        ("金建祥", "褚天羽"),
        ("裘晓景", "褚天羽"),
    ]
    assert "陈庆" in items[2].speaker and "刘威" in items[2].speaker
    assert "工作联系人公约" in items[4].title
    assert items[5].title == "参观中控科技体验中心" and items[5].host == "张磊"
    assert items[-1].title == "露营烧烤交流"
    assert [item.order for item in items] == list(range(1, 8))


def test_it_records_the_other_events_with_their_reports():
    _load()
    bulletin_events = Event.objects.exclude(title__in=[spec.title for spec in door.UPCOMING])
    assert bulletin_events.count() == len(facts.EVENTS)
    assert not bulletin_events.filter(report__isnull=True).exists()
    assert bulletin_events.filter(members_only=True).count() == 1
    summit = Event.objects.get(title="2022浙江省企业领袖峰会暨企业家活动日")
    assert summit.starts_at.astimezone(SHANGHAI).hour >= 12  # 下午
    namur = Event.objects.get(title="2022年NAMUR中国年会")
    assert namur.city == "上海"
    assert list(namur.co_organisers.values_list("short_name", flat=True)) == ["中控技术"]
    assert namur.ends_at.astimezone(SHANGHAI).date().isoformat() == "2022-10-27"


def test_it_records_the_honours():
    _load()
    demonstration = Honour.objects.filter(award__name="国家知识产权示范企业", year=2022)
    assert set(demonstration.values_list("company__short_name", flat=True)) == {
        "聚光科技",
        "永新光学",
    }
    for honour in demonstration:
        assert honour.document_number == "国知发运函字〔2022〕160号"
        assert honour.awarded_on.isoformat() == "2022-10-31"
        assert honour.award.issuer == "国家知识产权局"
        assert honour.award.level == "national" and honour.award.kind == "ip"
        assert honour.source_article.title == "国家知识产权示范企业和优势企业名单公布啦！"
    assert Honour.objects.filter(award__name="国家知识产权优势企业").count() == 8
    entrepreneur = Honour.objects.get(award__name="浙江省优秀企业家")
    assert (entrepreneur.person, entrepreneur.company.short_name) == ("丁敏华", "炬华科技")
    bloom = Honour.objects.get(company__short_name="金卡智能", award__kind="project")
    assert (bloom.grade, bloom.project) == ("全国总决赛一等奖", "金卡智能智慧燃气5G系统项目")
    assert Honour.objects.count() == len(facts.HONOURS)
    assert not Honour.objects.filter(verified=False).exists()
    assert not Honour.objects.filter(source_article__isnull=True).exists()


def test_it_links_articles_to_the_companies_they_are_about():
    _load()
    bloom = Article.objects.get(title__startswith="金卡智能荣获")
    assert list(bloom.companies.values_list("short_name", flat=True)) == ["金卡智能"]
    ip = Article.objects.get(title="国家知识产权示范企业和优势企业名单公布啦！")
    assert ip.companies.count() == 10
    xili = Article.objects.get(title__contains="李火林")
    assert list(xili.companies.values_list("name", flat=True)) == ["杭州西力智能科技股份有限公司"]


def test_it_creates_demo_users_that_can_log_in(client):
    out = _load()
    admin = User.objects.get(email="admin@demo.xiehui.local")
    assert admin.is_superuser and admin.is_staff
    contact = Contact.objects.get(user__email="contact@demo.xiehui.local")
    assert contact.company.short_name == "中控技术"
    assert contact.is_primary
    assert contact.user.name == "演示联系人"
    assert client.login(email="admin@demo.xiehui.local", password="xiehui-admin")
    assert client.login(email="contact@demo.xiehui.local", password="xiehui-contact")
    assert "admin@demo.xiehui.local" in out and "xiehui-admin" in out
    assert "xiehui-contact" in out
    assert "公开发行的会刊" in out and "sample data" in out


def test_it_takes_passwords_from_the_environment(client, monkeypatch):
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "from-the-env-1")
    out = _load()
    assert client.login(email="admin@demo.xiehui.local", password="from-the-env-1")
    assert "from-the-env-1" in out


def test_it_keeps_a_changed_password_unless_asked_to_reset(client):
    _load()
    user = User.objects.get(email="contact@demo.xiehui.local")
    user.set_password("my-own-password")
    user.save()
    out = _load()
    assert client.login(email="contact@demo.xiehui.local", password="my-own-password")
    assert "xiehui-contact" not in out
    _load("--reset-passwords")
    assert client.login(email="contact@demo.xiehui.local", password="xiehui-contact")


def test_it_changes_nothing_when_run_twice():
    _load()
    before = _row_counts()
    out = _load()
    assert _row_counts() == before
    assert "新增 0 created, 更新 0 updated" in out
    for line in out.splitlines():
        if "created" in line and "articles" not in line:
            assert "新增 0 created, 更新 0 updated" in line, line


def test_it_keeps_what_the_secretariat_filled_in():
    _load()
    Company.objects.filter(short_name="舜宇集团").update(city="ningbo", aliases=["舜宇"])
    _load()
    sunny = Company.objects.get(short_name="舜宇集团")
    assert sunny.city == "ningbo"
    assert sunny.aliases == ["舜宇"]


def test_it_reuses_a_company_entered_under_another_spelling():
    existing = Company.objects.create(name="宁波水表股份（演示录入）", aliases=["宁水集团"])
    _load()
    rows = Company.objects.matching_name("宁波水表（集团）股份有限公司")
    assert list(rows) == [existing]
    assert list(Company.objects.matching_name("宁水集团")) == [existing]
    assert Company.objects.get(pk=existing.pk).name == "宁波水表股份（演示录入）"
    assert Company.objects.count() == len(facts.COMPANIES)


def test_it_bills_this_year_in_every_state_and_last_years_arrears():
    from django.utils import timezone

    from dues.models import DuesBill, InvoiceRequest

    _load()
    year = timezone.localdate().year
    states = {bill.status() for bill in DuesBill.objects.filter(year=year).with_paid()}
    assert {"paid", "partly_paid", "waived"} <= states
    assert states & {"unpaid", "overdue"}
    assert DuesBill.objects.filter(year=year - 1).status("overdue").count() == 1
    contact = Contact.objects.get(user__email="contact@demo.xiehui.local")
    own = DuesBill.objects.with_paid().get(company=contact.company, year=year)
    assert own.status() == "partly_paid"
    expected = 1 if contact.company.credit_code else 0  # the bulletin states no credit codes
    assert InvoiceRequest.objects.filter(requested_by=contact).count() == expected


def _pdf_text(field_file) -> str:
    with field_file.open("rb") as file:
        data = file.read()
    assert data.startswith(b"%PDF-")
    return re.sub(r"\s+", "", extract_text(io.BytesIO(data)))


def _xlsx_cells(field_file) -> list:
    with field_file.open("rb") as file:
        sheet = load_workbook(io.BytesIO(file.read()), read_only=True).active
        return [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell]


def test_it_posts_a_pinned_public_notice_with_its_attachment():
    _load()
    training = Notice.objects.get(title="关于举办2027年度仪器仪表行业新技术培训班的通知")
    assert training.is_pinned and training.is_public and training.is_live
    assert re.fullmatch(r"浙仪协〔20\d\d〕3号", training.document_number)
    assert "新技术培训班" in training.body and "<p>" in training.body
    assert list(Notice.objects.public().order_by("-is_pinned", "-published_at")[:1]) == [training]
    (attachment,) = training.attachments.all()
    assert attachment.name == "2027年度新技术培训班报名表.xlsx"
    assert attachment.size == attachment.file.size > 0
    assert {"单位名称", "电子邮箱"} <= set(_xlsx_cells(attachment.file))


def test_it_sends_the_council_notice_and_two_council_units_have_replied():
    _load()
    meeting = Notice.objects.get(title="关于召开第七届理事会第三次会议的通知")
    assert (meeting.audience, sorted(meeting.roles)) == (
        Audience.ROLES,
        sorted(int(role) for role in COUNCIL_ROLES),
    )
    assert meeting.asks_reply and meeting.ask_attending and meeting.ask_people
    assert meeting.ask_names and meeting.ask_text
    days_left = (meeting.reply_deadline - timezone.now()).days
    assert 12 <= days_left <= 14 and meeting.replies_open()

    mailing = NoticeMailing.objects.get(notice=meeting)
    assert mailing.number == 0 and mailing.filled_at and mailing.finished_at
    recipients = set(mailing.deliveries.values_list("contact__user__email", flat=True))
    assert recipients == set(audience_contacts(meeting).values_list("user__email", flat=True))
    assert {"contact@demo.xiehui.local", "ningshui@demo.xiehui.local"} <= recipients
    assert set(mailing.deliveries.values_list("status", flat=True)) == {"sent"}
    assert not OutgoingMail.objects.filter(template="notice").exists()  # nothing was mailed

    replies = {r.contact.company.short_name: r for r in meeting.replies.select_related("contact")}
    assert set(replies) == {"宁水集团", "炬华科技"}
    assert (replies["宁水集团"].attending, replies["宁水集团"].people) == (True, 2)
    assert replies["炬华科技"].attending is False
    assert NoticeRead.objects.filter(notice=meeting).count() == 2
    # The demo contact has it unread and awaiting a reply; its company is a council unit.
    contact = Contact.objects.get(user__email="contact@demo.xiehui.local")
    mine = contact_notices(contact).get(pk=meeting.pk)
    assert not mine.is_read and mine.my_replies == []
    # The two who replied cannot sign in.
    for email in ("ningshui@demo.xiehui.local", "juhua@demo.xiehui.local"):
        assert not User.objects.get(email=email).has_usable_password()


def test_it_posts_a_notice_to_one_citys_members():
    _load()
    city = Notice.objects.get(title="关于召开杭州地区会员单位工作联系人座谈会的通知")
    assert (city.audience, city.cities) == (Audience.PLACES, ["hangzhou"])
    reached = set(audience_contacts(city).values_list("company__city", flat=True))
    assert reached == {"hangzhou"}
    assert not city.mailings.exists()
    contact = Contact.objects.get(user__email="contact@demo.xiehui.local")
    assert {n.title for n in readable_by(contact)} == {
        "关于举办2027年度仪器仪表行业新技术培训班的通知",
        "关于召开第七届理事会第三次会议的通知",
        "关于召开杭州地区会员单位工作联系人座谈会的通知",
    }
    assert [n.title for n in readable_by(None)] == [
        "关于举办2027年度仪器仪表行业新技术培训班的通知"
    ]


def test_it_files_the_charter_the_application_form_and_the_members_fee_schedule():
    _load()
    documents = {d.kind: d for d in Document.objects.all()}
    assert set(documents) == {"charter", "form", "fees"}
    charter, form, fees = documents["charter"], documents["form"], documents["fees"]
    assert (charter.title, charter.is_public) == ("浙江省仪器仪表行业协会章程", True)
    assert (form.title, form.is_public) == ("浙江省仪器仪表行业协会入会申请表", True)
    assert (fees.title, fees.is_public) == ("浙江省仪器仪表行业协会会费标准", False)
    assert charter.filename == "浙江省仪器仪表行业协会章程.pdf"
    assert form.filename.endswith(".xlsx") and fees.filename.endswith(".pdf")
    for document in documents.values():
        assert document.size == document.file.size > 0
        assert not document.file.name.startswith(document.title)  # stored under a random name
    assert "第一章总则" in _pdf_text(charter.file)
    assert "浙江省仪器仪表行业协会" in _pdf_text(charter.file)
    assert {"统一社会信用代码", "联系人电子邮箱"} <= set(_xlsx_cells(form.file))
    fee_text = _pdf_text(fees.file)
    assert "理事单位" in fee_text and "8,000" in fee_text and "50,000" in fee_text


def test_it_keeps_a_notice_the_secretariat_changed():
    _load()
    Notice.objects.filter(title="关于召开杭州地区会员单位工作联系人座谈会的通知").update(
        body="<p>座谈会改期。</p>", is_pinned=True
    )
    NoticeReply.objects.filter(contact__user__email="juhua@demo.xiehui.local").update(people=3)
    _load()
    city = Notice.objects.get(title="关于召开杭州地区会员单位工作联系人座谈会的通知")
    assert (city.body, city.is_pinned) == ("<p>座谈会改期。</p>", True)
    assert NoticeReply.objects.get(contact__user__email="juhua@demo.xiehui.local").people == 3
    assert Notice.objects.count() == 3 and Document.objects.count() == 3


def test_it_has_an_upcoming_event_to_check_in_at_the_door(client):
    _load()
    event = Event.objects.get(title=door.TITLE)
    assert event.starts_at > timezone.now()
    statuses = list(event.registrations.values_list("status", flat=True))
    assert statuses.count("confirmed") == door.CAPACITY == 12
    assert statuses.count("waitlisted") == 2 and statuses.count("cancelled") == 1
    assert not event.registrations.filter(checked_in_at__isnull=False).exists()
    # The page is open to the public, and says registration is full.
    assert "本活动已结束。" not in client.get(f"/events/{event.pk}/").content.decode()


def test_events_lists_two_upcoming_events_open_for_registration(client):
    _load()
    page = client.get("/events/").content.decode()
    open_now = [
        event
        for event in events_for_page().filter(starts_at__gt=timezone.now())
        if registration_state(event, now=timezone.now()).status == RegistrationStatus.OPEN
    ]
    assert {event.title for event in open_now} == {door.SALON_TITLE, door.SEMINAR_TITLE}
    for event in open_now:
        assert event.title in page
    seminar = events_for_page().get(title=door.SEMINAR_TITLE)
    assert registration_state(seminar, now=timezone.now()).seats_left == 2
