"""Shared fixtures."""

from datetime import date, datetime, time
from io import StringIO
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import translation

from accounts.models import User
from awards.models import Award, Honour
from bulletin.models import Article, Issue, Section
from demo.services import CONTACT_EMAIL
from digests.models import DigestDelivery, DigestRun
from digests.services import subscriber_for_contact
from dues.models import Payment, StatementImport
from dues.services import invoice_request_create
from events.models import AgendaItem, Event, Registration
from members.credit_code import check_character
from members.models import (
    Application,
    City,
    Company,
    Contact,
    CouncilSeat,
    IndustrySegment,
    Office,
    Officer,
    ProfileChange,
    SeatRole,
    Term,
)
from outbox.models import OutgoingMail
from tests.queries import empty_cache
from tests.smtp_server import SMTPServer

SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _default_language():
    """A request to /en/ leaves English active in the thread; the next test starts in Chinese."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Django's advice for tests: a cheap hasher. PBKDF2's 1,500,000 rounds take 0.3 s a
    password here, and the tests create and sign in hundreds of users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def _private_media_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("private-media")


@pytest.fixture(autouse=True)
def _private_media_root(settings, _private_media_dir):
    """Business licences and other private files go to a temporary folder, never
    .data/private; a test that looks at them sets PRIVATE_MEDIA_ROOT itself."""
    settings.PRIVATE_MEDIA_ROOT = _private_media_dir


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (the page cache lives in Redis)."""
    empty_cache()
    yield
    empty_cache()


@pytest.fixture
def private_cache(settings):
    """A local-memory cache of this test's own, for exact query counts.

    The shared Redis may be slow on a loaded machine, and another run's pages
    in it must not take queries off a count.
    """
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on loopback; the portal's mail goes to it during the test."""
    server = SMTPServer().start()
    settings.MAILERS = server.mailers
    yield server
    server.stop()


@pytest.fixture
def demo_db(db):
    """One row of every model, from the association's bulletin of November 2022."""
    group = Group.objects.create(name="秘书处")
    secretary = User.objects.create_user(
        "zhangxiaoli@example.com", "correct horse battery", name="张小莉", is_staff=True
    )
    secretary.groups.add(group)

    industry = IndustrySegment.objects.create(
        name="工业自动化仪表", english_name="Industrial automation instruments", order=1
    )
    supcon = Company.objects.create(
        name="浙江中控技术股份有限公司",
        short_name="中控技术",
        english_name="SUPCON Technology Co., Ltd.",
        aliases=["中控集团"],
        credit_code="91330100799655058B",
        city=City.HANGZHOU,
        industry=industry,
        address="杭州市滨江区六和路309号",
        website="http://www.supcon.com",
        phone="0571-86667525",
        description="<p>流程工业智能制造整体解决方案供应商。</p>",
        founded_year=1999,
        joined_on=date(2003, 5, 1),
    )
    term = Term.objects.create(
        ordinal=7,
        name="第七届理事会",
        starts_on=date(2021, 6, 1),
        ends_on=date(2026, 5, 31),
        is_current=True,
    )
    seat = CouncilSeat.objects.create(term=term, company=supcon, role=SeatRole.VICE_PRESIDENT)
    officer = Officer.objects.create(
        term=term,
        name="金建祥",
        office=Office.PRESIDENT,
        company=supcon,
        affiliation="中控集团董事长",
        order=1,
    )
    contact_user = User.objects.create_user(
        "liming@example.com", "correct horse battery", name="李明"
    )
    contact = Contact.objects.create(
        user=contact_user,
        company=supcon,
        job_title="市场部经理",
        phone="13800000000",
        is_primary=True,
    )

    section = Section.objects.create(
        name="协会动态", english_name="Association news", slug="association-news", order=1
    )
    issue = Issue.objects.create(
        year=2022, number=11, title="2022年第11期", published_on=date(2022, 11, 30)
    )
    article = Article.objects.create(
        title="SINCE 1992，我们在“仪”起——浙仪协工作联系人交流活动成功举办",
        section=section,
        issue=issue,
        position=1,
        summary="2022年10月28日，浙仪协工作联系人交流活动在延期一周后于杭州顺利举办。",
        body="<p>协会理事长、中控集团董事长金建祥出席活动并致欢迎辞。</p>",
        source="浙仪协",
        status=Article.Status.PUBLISHED,
        published_at=shanghai(2022, 11, 30, 8),
    )
    article.companies.add(supcon)

    event = Event.objects.create(
        title="SINCE1992，我们在“仪”起——浙仪协工作联系人交流活动",
        kind=Event.Kind.LIAISON_DAY,
        summary="协会工作联系人交流、主题工作坊与参观中控科技体验中心。",
        starts_at=shanghai(2022, 10, 28, 9),
        ends_at=shanghai(2022, 10, 28, 18),
        original_starts_at=shanghai(2022, 10, 21, 9),
        venue="中控科技体验中心",
        city="杭州",
        organiser="浙江省仪器仪表行业协会",
        capacity=30,
        per_company_limit=2,
        status=Event.Status.PUBLISHED,
        report=article,
    )
    event.co_organisers.add(supcon)
    agenda_item = AgendaItem.objects.create(
        event=event,
        starts_at=time(9, 0),
        ends_at=time(9, 15),
        title="欢迎辞",
        speaker="金建祥",
        host="褚天羽",
        order=1,
    )
    registration = Registration.objects.create(
        event=event,
        company=supcon,
        registered_by=contact,
        attendee_name="李明",
        attendee_title="市场部经理",
        attendee_phone="13800000000",
        attendee_email="liming@example.com",
    )

    award = Award.objects.create(
        name="国家知识产权示范企业",
        issuer="国家知识产权局",
        level=Award.Level.NATIONAL,
        kind=Award.Kind.INTELLECTUAL_PROPERTY,
    )
    honour = Honour.objects.create(
        award=award,
        year=2022,
        company=supcon,
        document_number="国知发运函字〔2022〕160号",
        awarded_on=date(2022, 10, 31),
        source_article=article,
        verified=True,
    )

    credit_code_17 = "91330212MA2H3K4L5"
    application = Application.objects.create(
        company_name="宁波示例仪表科技有限公司",
        short_name="示例仪表",
        credit_code=credit_code_17 + check_character(credit_code_17),
        city=City.NINGBO,
        industry=industry,
        introduction="专业从事智能水表研发与生产。",
        contact_name="王芳",
        contact_title="总经理助理",
        contact_email="wangfang@example.com",
        contact_phone="0574-88888888",
    )
    profile_change = ProfileChange.objects.create(
        company=supcon,
        submitted_by=contact,
        changes={"website": {"old": "http://www.supcon.com", "new": "https://www.supcon.com"}},
        company_updated_at=supcon.updated_at,
    )

    return SimpleNamespace(
        group=group,
        secretary=secretary,
        industry=industry,
        company=supcon,
        term=term,
        seat=seat,
        officer=officer,
        contact=contact,
        section=section,
        issue=issue,
        article=article,
        event=event,
        agenda_item=agenda_item,
        registration=registration,
        award=award,
        honour=honour,
        application=application,
        profile_change=profile_change,
    )


@pytest.fixture
def loaded_demo(db):
    """The demo as `make demo` loads it, plus rows of the models it leaves empty.

    load_demo brings the bulletin and its facts, dues, notices (one sent, with
    replies) and documents; applications, profile changes, registrations and
    groups come from people using the portal, so they are added here.
    """
    call_command("load_demo", stdout=StringIO())
    Group.objects.create(name="秘书处")
    contact = Contact.objects.select_related("company").get(user__email=CONTACT_EMAIL)
    event = Event.objects.get(kind=Event.Kind.LIAISON_DAY)
    Registration.objects.create(
        event=event,
        company=contact.company,
        registered_by=contact,
        attendee_name="演示参会人",
        attendee_email="attendee@demo.xiehui.local",
    )
    ProfileChange.objects.create(
        company=contact.company,
        submitted_by=contact,
        changes={"phone": {"old": contact.company.phone, "new": "0571-00000000"}},
        company_updated_at=contact.company.updated_at,
    )
    credit_code_17 = "91330212MA2H3K4L5"
    Application.objects.create(
        company_name="宁波示例仪表科技有限公司",
        credit_code=credit_code_17 + check_character(credit_code_17),
        city=City.NINGBO,
        contact_name="王芳",
        contact_email="wangfang@example.com",
        contact_phone="0574-88888888",
    )
    OutgoingMail.objects.create(
        template="application-received",
        to="wangfang@example.com",
        subject="已收到入会申请",
        body_text="王芳，您好：",
    )
    # Sign-in records (django-axes): a lockout, a sign-in, a failure.
    attempt = {"username": contact.user.email, "ip_address": "203.0.113.7", "user_agent": "test"}
    AccessAttempt.objects.create(**attempt, failures_since_start=5, path_info="/account/login/")
    AccessLog.objects.create(**attempt, path_info="/account/login/")
    AccessFailureLog.objects.create(**attempt, path_info="/account/login/", locked_out=True)
    # A bank statement the secretariat uploaded (dues/statement_admin.py).
    StatementImport.objects.create(
        file_name="工商银行流水-2022年11月.xlsx", uploaded_by=contact.user, line_count=0
    )
    # A 发票 asked for the contact's dues payment (the demo states no taxpayer numbers).
    invoice_request_create(
        payment=Payment.objects.filter(bill__company=contact.company).earliest("pk"),
        contact=contact,
        kind="ordinary",
        title=contact.company.name,
        tax_number="91330100799655058B",
        email=contact.user.email,
    )
    subscriber = subscriber_for_contact(contact=contact)
    run = DigestRun.objects.create(frequency=subscriber.frequency, scheduled_for=date(2022, 12, 5))
    DigestDelivery.objects.create(
        run=run,
        subscriber=subscriber,
        window_start=shanghai(2022, 11, 28),
        window_end=shanghai(2022, 12, 5),
    )
