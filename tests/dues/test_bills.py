"""Making the year's bills (dues.services.dues_bills_create): amounts, pro rata, idempotence."""

import logging
from datetime import date
from decimal import Decimal

import pytest

from dues import services
from dues.models import DuesBill
from members.models import Company, CouncilSeat, SeatRole, Term
from outbox.models import OutgoingMail
from tests.accounts.builders import make_company, make_contact
from tests.dues.builders import DUE_ON, YEAR, bill_of, make_fees, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def term():
    return make_fees(council="5000", vice_president="8000")


def amounts() -> dict[str, Decimal]:
    return dict(DuesBill.objects.filter(year=YEAR).values_list("company__name", "amount"))


def test_it_bills_each_active_company_with_a_seat_at_its_roles_fee(term):
    make_member("浙江第一仪表有限公司", seed=1, role=SeatRole.VICE_PRESIDENT)
    make_member("浙江第二仪表有限公司", seed=2)
    make_member("浙江停会仪表有限公司", seed=3, status=Company.Status.SUSPENDED)
    make_company("浙江非会员仪表有限公司", seed=4)  # no seat
    earlier = Term.objects.create(ordinal=6, name="第六届理事会")
    make_member("浙江上届仪表有限公司", seed=5, term=earlier)

    bills = services.dues_bills_create(year=YEAR, due_on=DUE_ON)

    assert len(bills) == 2
    assert amounts() == {
        "浙江第一仪表有限公司": Decimal("8000.00"),
        "浙江第二仪表有限公司": Decimal("5000.00"),
    }
    bill = bill_of(Company.objects.get(name="浙江第一仪表有限公司"))
    assert (bill.role, bill.standard_amount, bill.due_on) == (
        SeatRole.VICE_PRESIDENT,
        Decimal("8000.00"),
        DUE_ON,
    )
    assert bill.number == f"{YEAR}-{bill.pk:05d}"


def test_a_role_without_a_fee_is_left_out_with_the_reason(term):
    make_member("浙江监事仪表有限公司", seed=1, role=SeatRole.SUPERVISOR)

    plan = services.dues_bills_plan(year=YEAR, due_on=DUE_ON)
    assert plan.bills == []
    ((company, reason),) = plan.skipped
    assert company.name == "浙江监事仪表有限公司"
    assert reason == "第七届理事会未设置监事单位的会费标准"
    assert services.dues_bills_create(year=YEAR, due_on=DUE_ON) == []


def test_without_a_current_term_it_makes_nothing():
    Term.objects.create(ordinal=6, name="第六届理事会", is_current=False)

    with pytest.raises(services.DuesError) as refused:
        services.dues_bills_create(year=YEAR, due_on=DUE_ON)
    assert refused.value.messages == ["尚未设置本届理事会：请先设置，再生成账单。"]


def test_a_second_call_makes_nothing_and_mails_nobody_again(term):
    company = make_member("浙江第一仪表有限公司", seed=1)
    make_contact(company, "liming@example.com", primary=True)

    first = services.dues_bills_create(year=YEAR, due_on=DUE_ON)
    second = services.dues_bills_create(year=YEAR, due_on=DUE_ON)

    assert (len(first), second) == (1, [])
    assert DuesBill.objects.count() == 1
    assert OutgoingMail.objects.filter(template="dues-notice").count() == 1


def test_a_later_call_bills_only_the_companies_admitted_since(term):
    make_member("浙江第一仪表有限公司", seed=1)
    services.dues_bills_create(year=YEAR, due_on=DUE_ON)
    make_member("浙江新入会仪表有限公司", seed=2, joined_on=date(YEAR, 9, 1))

    (bill,) = services.dues_bills_create(year=YEAR, due_on=date(YEAR, 10, 31))

    assert bill.company.name == "浙江新入会仪表有限公司"
    assert DuesBill.objects.count() == 2


def test_another_year_is_billed_on_its_own(term):
    make_member("浙江第一仪表有限公司", seed=1)
    services.dues_bills_create(year=YEAR, due_on=DUE_ON)

    assert len(services.dues_bills_create(year=YEAR + 1, due_on=date(YEAR + 1, 3, 31))) == 1
    assert DuesBill.objects.count() == 2


@pytest.mark.parametrize(
    ("joined_on", "annual", "expected"),
    [
        (date(YEAR, 7, 15), "5000", "2500.00"),  # July to December: 6 months
        (date(YEAR, 1, 20), "5000", "5000.00"),  # all 12 months
        (date(YEAR, 10, 1), "8000", "2000.00"),  # 3 months
        (date(YEAR, 12, 1), "5000", "416.67"),  # 1 month, rounded half up
        (date(YEAR, 6, 1), "1000", "583.33"),
        (date(YEAR - 1, 7, 1), "5000", "5000.00"),  # joined an earlier year
        (None, "5000", "5000.00"),
    ],
)
def test_a_company_admitted_during_the_year_pays_from_the_month_it_joined(
    settings, joined_on, annual, expected
):
    settings.DUES_PRO_RATA = True
    make_fees(council=annual)
    company = make_member("浙江新入会仪表有限公司", seed=1, joined_on=joined_on)

    services.dues_bills_create(year=YEAR, due_on=DUE_ON)

    bill = bill_of(company)
    assert bill.amount == bill.standard_amount == Decimal(expected)


def test_without_pro_rata_a_new_member_pays_the_whole_year(settings):
    settings.DUES_PRO_RATA = False
    make_fees(council="5000")
    company = make_member("浙江新入会仪表有限公司", seed=1, joined_on=date(YEAR, 7, 15))

    services.dues_bills_create(year=YEAR, due_on=DUE_ON)

    assert bill_of(company).amount == Decimal("5000.00")


def test_a_fee_change_does_not_rewrite_an_issued_bill(term):
    company = make_member("浙江第一仪表有限公司", seed=1)
    services.dues_bills_create(year=YEAR, due_on=DUE_ON)

    services.fee_set(term=term, role=SeatRole.COUNCIL, amount=Decimal("6000"))
    services.dues_bills_create(year=YEAR, due_on=DUE_ON)
    late = make_member("浙江新会员仪表有限公司", seed=2)
    services.dues_bills_create(year=YEAR, due_on=DUE_ON)

    bill = bill_of(company)
    assert (bill.amount, bill.standard_amount) == (Decimal("5000.00"), Decimal("5000.00"))
    assert bill_of(late).amount == Decimal("6000.00")


def test_a_role_change_after_billing_does_not_rewrite_the_bill(term):
    company = make_member("浙江第一仪表有限公司", seed=1)
    services.dues_bills_create(year=YEAR, due_on=DUE_ON)

    CouncilSeat.objects.filter(company=company).update(role=SeatRole.VICE_PRESIDENT)
    services.dues_bills_create(year=YEAR, due_on=DUE_ON)

    bill = bill_of(company)
    assert (bill.role, bill.amount) == (SeatRole.COUNCIL, Decimal("5000.00"))


def test_fee_set_refuses_a_negative_amount(term):
    with pytest.raises(services.DuesError):
        services.fee_set(term=term, role=SeatRole.COUNCIL, amount=Decimal("-1"))


def test_each_company_is_sent_its_notice_primary_first_others_in_copy(term):
    company = make_member("浙江第一仪表有限公司", seed=1)
    make_contact(company, "wangfang@example.com")
    make_contact(company, "liming@example.com", primary=True)

    (bill,) = services.dues_bills_create(year=YEAR, due_on=DUE_ON)

    mail = OutgoingMail.objects.get(template="dues-notice")
    assert (mail.to, mail.cc) == ("liming@example.com", ["wangfang@example.com"])
    assert mail.key == f"dues-notice:{bill.pk}"
    assert company.name in mail.subject


def test_a_company_without_contacts_is_billed_and_logged(term, caplog):
    make_member("浙江第一仪表有限公司", seed=1)

    with caplog.at_level(logging.WARNING, logger="dues.services"):
        (bill,) = services.dues_bills_create(year=YEAR, due_on=DUE_ON)

    assert not OutgoingMail.objects.exists()
    assert "has no contact to mail" in caplog.text
