"""The database itself refuses rows that break the domain's rules."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from awards.models import Award, Honour
from bulletin.models import Article, Issue, Section
from events.models import Event, Registration
from members.models import (
    Application,
    Company,
    Contact,
    CouncilSeat,
    Office,
    Officer,
    SeatRole,
    Term,
)

pytestmark = pytest.mark.django_db

VALID_CODE = "91330100799655058B"


@pytest.fixture
def company():
    return Company.objects.create(name="聚光科技（杭州）股份有限公司", short_name="聚光科技")


@pytest.fixture
def term():
    return Term.objects.create(ordinal=7, name="第七届理事会", is_current=True)


def test_it_allows_one_seat_per_company_per_term(company, term):
    CouncilSeat.objects.create(term=term, company=company, role=SeatRole.VICE_PRESIDENT)
    with pytest.raises(IntegrityError), transaction.atomic():
        CouncilSeat.objects.create(term=term, company=company, role=SeatRole.COUNCIL)
    # History: the same company holds a seat in another term.
    earlier = Term.objects.create(ordinal=6, name="第六届理事会")
    CouncilSeat.objects.create(term=earlier, company=company, role=SeatRole.COUNCIL)
    assert company.seats.count() == 2


def test_it_keeps_credit_codes_unique_when_present(company):
    company.credit_code = VALID_CODE
    company.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Company.objects.create(name="另一家公司", credit_code=VALID_CODE)
    # Companies without a code do not collide.
    Company.objects.create(name="甲公司", credit_code="")
    Company.objects.create(name="乙公司", credit_code=None)
    assert Company.objects.filter(credit_code__isnull=True).count() == 2


def test_it_keeps_company_names_unique(company):
    with pytest.raises(IntegrityError), transaction.atomic():
        Company.objects.create(name=company.name)


def test_it_allows_only_one_current_term(term):
    with pytest.raises(IntegrityError), transaction.atomic():
        Term.objects.create(ordinal=8, name="第八届理事会", is_current=True)
    Term.objects.create(ordinal=6, name="第六届理事会", is_current=False)


def test_it_refuses_a_term_that_ends_before_it_starts():
    today = timezone.localdate()
    with pytest.raises(IntegrityError), transaction.atomic():
        Term.objects.create(
            ordinal=9, name="第九届", starts_on=today, ends_on=today - timedelta(days=1)
        )


def test_it_allows_one_primary_contact_per_company(company):
    first = User.objects.create_user("a@example.com", "pw-123456789", name="甲")
    second = User.objects.create_user("b@example.com", "pw-123456789", name="乙")
    Contact.objects.create(user=first, company=company, is_primary=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.create(user=second, company=company, is_primary=True)
    Contact.objects.create(user=second, company=company, is_primary=False)
    assert company.contacts.count() == 2


def test_it_keeps_user_emails_unique_whatever_their_case():
    User.objects.create_user("Liaison@Example.com", "pw-123456789")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="LIAISON@example.COM")


def test_it_allows_one_registration_per_attendee_per_event(company):
    now = timezone.now()
    event = Event.objects.create(
        title="工作联系人交流活动", starts_at=now, ends_at=now + timedelta(hours=8)
    )
    kwargs = {"event": event, "company": company, "attendee_name": "陈庆"}
    Registration.objects.create(attendee_email="chenqing@example.com", **kwargs)
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(attendee_email="ChenQing@Example.com", **kwargs)
    # After cancelling, the same person may register again.
    Registration.objects.update(status=Registration.Status.CANCELLED)
    Registration.objects.create(attendee_email="chenqing@example.com", **kwargs)
    assert event.registrations.count() == 2


def test_it_refuses_an_event_that_ends_before_it_starts():
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.create(title="倒序活动", starts_at=now, ends_at=now - timedelta(hours=1))


def test_it_refuses_a_registration_window_that_closes_before_it_opens():
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.create(
            title="报名窗口倒置",
            starts_at=now,
            ends_at=now,
            registration_opens_at=now,
            registration_closes_at=now - timedelta(days=1),
        )


def test_it_keeps_article_titles_unique_within_an_issue():
    section = Section.objects.create(name="会员成果", slug="member-achievements")
    issue = Issue.objects.create(year=2022, number=11)
    Article.objects.create(title="金卡智能荣获“绽放杯”全国一等奖", section=section, issue=issue)
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.create(title="金卡智能荣获“绽放杯”全国一等奖", section=section, issue=issue)
    # The same title outside any issue, or in another issue, is fine.
    Article.objects.create(title="金卡智能荣获“绽放杯”全国一等奖", section=section)
    other = Issue.objects.create(year=2022, number=12)
    Article.objects.create(title="金卡智能荣获“绽放杯”全国一等奖", section=section, issue=other)


def test_it_keeps_issue_numbers_unique_within_a_year():
    Issue.objects.create(year=2022, number=11)
    with pytest.raises(IntegrityError), transaction.atomic():
        Issue.objects.create(year=2022, number=11)


def test_it_records_an_honour_once(company):
    award = Award.objects.create(
        name="国家知识产权示范企业",
        issuer="国家知识产权局",
        level=Award.Level.NATIONAL,
        kind=Award.Kind.INTELLECTUAL_PROPERTY,
    )
    Honour.objects.create(award=award, year=2022, company=company)
    with pytest.raises(IntegrityError), transaction.atomic():
        Honour.objects.create(award=award, year=2022, company=company)
    Honour.objects.create(award=award, year=2023, company=company)


def test_it_records_an_office_once_per_person_per_term(term):
    Officer.objects.create(term=term, name="裘晓景", office=Office.VICE_PRESIDENT)
    Officer.objects.create(term=term, name="裘晓景", office=Office.SECRETARY_GENERAL)
    with pytest.raises(IntegrityError), transaction.atomic():
        Officer.objects.create(term=term, name="裘晓景", office=Office.SECRETARY_GENERAL)


def test_it_refuses_a_rejection_without_a_reason():
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(
            company_name="某某仪表有限公司",
            credit_code=VALID_CODE,
            city="hangzhou",
            contact_name="王五",
            contact_email="wangwu@example.com",
            contact_phone="13800000000",
            status=Application.Status.REJECTED,
        )
