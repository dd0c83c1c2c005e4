"""Receipt numbers against PostgreSQL: 2026-0001, 2026-0002 … with no gap and no duplicate.

Each thread has its own database connection and records its payment at the
same moment (a barrier); the receipt counter's row lock makes them take turns,
and a payment whose transaction rolls back gives its number back.
"""

import threading
import time

import pytest
from django.db import connections, transaction

from dues import services
from dues.models import Payment, ReceiptCounter
from tests.concurrency import run_at_once
from tests.dues.builders import DUE_ON, YEAR, bill_of, make_fees, make_member, make_secretary, pay

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 20


@pytest.fixture
def secretary():
    return make_secretary()


@pytest.fixture
def bills():
    make_fees(council="5000")
    companies = [make_member(f"浙江第{n}仪表有限公司", seed=n) for n in range(THREADS)]
    services.dues_bills_create(year=YEAR, due_on=DUE_ON)
    return [bill_of(company) for company in companies]


def test_it_numbers_payments_recorded_at_once_without_gap_or_duplicate(bills, secretary):
    # Different bills: their own row locks do not make the payments take turns, the counter must.
    results = run_at_once([lambda bill=bill: pay(bill, "5000", by=secretary) for bill in bills])

    assert not [result for result in results if isinstance(result, Exception)], results
    numbers = sorted(result.receipt_number for result in results)
    assert numbers == [f"{YEAR}-{n:04d}" for n in range(1, THREADS + 1)]
    assert sorted(Payment.objects.values_list("receipt_sequence", flat=True)) == list(
        range(1, THREADS + 1)
    )
    assert ReceiptCounter.objects.get(year=YEAR).last == THREADS


def test_it_numbers_part_payments_of_one_bill_at_once(bills, secretary):
    bill = bills[0]  # ¥5,000.00: twenty payments of ¥250.00

    results = run_at_once([lambda: pay(bill, "250", by=secretary) for _n in range(THREADS)])

    assert not [result for result in results if isinstance(result, Exception)], results
    assert sorted(result.receipt_sequence for result in results) == list(range(1, THREADS + 1))
    assert bill.outstanding() == 0


def test_it_never_takes_more_than_is_due_when_paid_at_once(bills, secretary):
    bill = bills[0]  # ¥5,000.00: twenty payments of ¥1,000.00, five fit

    results = run_at_once([lambda: pay(bill, "1000", by=secretary) for _n in range(THREADS)])

    payments = [result for result in results if isinstance(result, Payment)]
    refusals = [result for result in results if isinstance(result, services.DuesError)]
    assert (len(payments), len(refusals)) == (5, THREADS - 5)
    assert sorted(payment.receipt_sequence for payment in payments) == [1, 2, 3, 4, 5]
    assert bill.paid() == bill.amount


def test_a_rolled_back_payment_gives_its_number_back(bills, secretary):
    with pytest.raises(RuntimeError), transaction.atomic():
        assert pay(bills[0], "5000", by=secretary).receipt_number == f"{YEAR}-0001"
        raise RuntimeError("the request failed after the payment was recorded")

    assert not Payment.objects.exists()
    assert pay(bills[1], "5000", by=secretary).receipt_number == f"{YEAR}-0001"
    assert pay(bills[2], "5000", by=secretary).receipt_number == f"{YEAR}-0002"


def test_a_payment_waits_for_one_in_progress_and_takes_its_number_if_it_rolls_back(
    bills, secretary
):
    pay(bills[0], "5000", by=secretary)  # 2026-0001: the counter row exists
    recorded, release = threading.Event(), threading.Event()
    results = {}

    def first():
        try:
            with transaction.atomic():
                results["first"] = pay(bills[1], "5000", by=secretary).receipt_number
                recorded.set()
                release.wait(timeout=10)
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        finally:
            connections.close_all()

    def second():
        try:
            recorded.wait(timeout=10)
            results["second"] = pay(bills[2], "5000", by=secretary).receipt_number
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    assert recorded.wait(timeout=10)
    time.sleep(0.5)
    assert "second" not in results  # waiting for the counter's row
    release.set()
    for thread in threads:
        thread.join(timeout=30)

    assert results == {"first": f"{YEAR}-0002", "second": f"{YEAR}-0002"}
    assert sorted(Payment.objects.values_list("receipt_sequence", flat=True)) == [1, 2]
