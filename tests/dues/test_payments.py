"""Recording a payment (dues.services.payment_record): what it keeps, what it refuses."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from dues import services
from dues.models import BillStatus, Payment, PaymentMethod, ReceiptCounter
from outbox.models import OutgoingMail
from tests.accounts.builders import make_contact
from tests.dues.builders import (
    DUE_ON,
    PAID_ON,
    YEAR,
    bill_of,
    make_fees,
    make_member,
    make_secretary,
    pay,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretary():
    return make_secretary()


@pytest.fixture
def company():
    make_fees(council="5000")
    return make_member("浙江第一仪表有限公司", seed=1)


@pytest.fixture
def bill(company):
    services.dues_bills_create(year=YEAR, due_on=DUE_ON)
    return bill_of(company)


def refusal(call) -> str:
    with pytest.raises(services.DuesError) as refused:
        call()
    (message,) = refused.value.messages
    return message


def test_it_records_a_payment_with_the_years_first_receipt_number(bill, secretary):
    payment = pay(bill, "5000", by=secretary, reference="  HZ20260316-0042  ")

    payment.refresh_from_db()
    assert payment.receipt_number == f"{YEAR}-0001"
    assert (payment.amount, payment.method) == (Decimal("5000.00"), PaymentMethod.BANK_TRANSFER)
    assert (payment.paid_on, payment.recorded_by) == (PAID_ON, secretary)
    assert payment.reference == "HZ20260316-0042"
    assert bill.outstanding() == 0
    assert bill.status(today=PAID_ON) == BillStatus.PAID


def test_part_payments_add_up_and_number_on(bill, secretary):
    first = pay(bill, "1000.50", by=secretary)
    assert bill.status(today=PAID_ON) == BillStatus.PARTLY_PAID
    assert bill.outstanding() == Decimal("3999.50")
    second = pay(bill, "3999.50", by=secretary, method=PaymentMethod.WECHAT)

    assert (first.receipt_number, second.receipt_number) == (f"{YEAR}-0001", f"{YEAR}-0002")
    assert bill.status(today=PAID_ON) == BillStatus.PAID


def test_receipt_numbers_start_again_each_year_of_payment(bill, secretary):
    late = pay(bill, "1000", by=secretary, paid_on=date(YEAR - 1, 12, 31))
    on_time = pay(bill, "1000", by=secretary, paid_on=PAID_ON)

    assert late.receipt_number == f"{YEAR - 1}-0001"
    assert on_time.receipt_number == f"{YEAR}-0001"


def test_it_refuses_more_than_is_still_due_with_a_chinese_message(bill, secretary):
    pay(bill, "3000", by=secretary)

    message = refusal(lambda: pay(bill, "2500.01", by=secretary))

    assert message == "¥2,500.01 超过该账单尚欠的 ¥2,000.00，最多只能登记这么多。"
    assert Payment.objects.count() == 1
    assert ReceiptCounter.objects.get(year=YEAR).last == 1  # no number spent on it


def test_it_refuses_anything_on_a_bill_paid_in_full(bill, secretary):
    pay(bill, "5000", by=secretary)

    assert refusal(lambda: pay(bill, "0.01", by=secretary)) == (
        "¥0.01 超过该账单尚欠的 ¥0.00，最多只能登记这么多。"
    )


def test_it_refuses_a_payment_on_a_waived_bill(bill, secretary):
    services.bills_waive(bills=[bill], reason="受灾企业，经理事会同意免缴")

    assert refusal(lambda: pay(bill, "100", by=secretary)) == "该账单已免缴，无需缴费。"
    assert not Payment.objects.exists()


@pytest.mark.parametrize("amount", ["0", "0.00", "-100", "-0.01", "0.001", "100.005"])
def test_it_refuses_an_amount_not_positive_or_with_three_decimals(bill, secretary, amount):
    assert refusal(lambda: pay(bill, amount, by=secretary)) == (
        "请填写大于零的金额，最多两位小数。"
    )
    assert not Payment.objects.exists()


def test_it_refuses_a_payment_dated_in_the_future(bill, secretary):
    tomorrow = timezone.localdate() + timedelta(days=1)

    assert refusal(lambda: pay(bill, "100", by=secretary, paid_on=tomorrow)) == (
        "到账日期不能晚于今天。"
    )
    assert pay(bill, "100", by=secretary, paid_on=timezone.localdate()).receipt_sequence == 1


def test_it_refuses_an_unknown_method(bill, secretary):
    assert refusal(lambda: pay(bill, "100", by=secretary, method="cheque")) == "请选择缴费方式。"


def test_a_refusal_spends_no_receipt_number(bill, secretary):
    for amount in ("0", "6000"):
        with pytest.raises(services.DuesError):
            pay(bill, amount, by=secretary)

    assert pay(bill, "5000", by=secretary).receipt_number == f"{YEAR}-0001"


def test_it_tells_the_contacts_once(company, bill, secretary):
    make_contact(company, "liming@example.com", name="李明", primary=True)
    make_contact(company, "wangfang@example.com", name="王芳")

    payment = pay(bill, "5000", by=secretary)

    mail = OutgoingMail.objects.get(template="dues-payment-received")
    assert (mail.to, mail.cc) == ("liming@example.com", ["wangfang@example.com"])
    assert mail.key == f"dues-payment:{payment.pk}"
    assert payment.receipt_number in mail.subject


def test_a_company_without_contacts_is_paid_for_without_mail(bill, secretary):
    pay(bill, "5000", by=secretary)

    assert not OutgoingMail.objects.filter(template="dues-payment-received").exists()
