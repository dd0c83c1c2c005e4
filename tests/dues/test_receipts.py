"""The receipt (收据) PDF of a payment: its text, read back with pdfminer."""

import io
import re

import pytest
from django.utils import translation
from pdfminer.high_level import extract_text
from pdfminer.pdfpage import PDFPage

from dues import services
from dues.receipts import receipt_pdf
from members.models import SeatRole
from tests.dues.builders import DUE_ON, YEAR, bill_of, make_fees, make_member, make_secretary, pay

pytestmark = pytest.mark.django_db

NAME = "浙江中控技术股份有限公司"


@pytest.fixture
def payment():
    make_fees(vice_president="3000")
    company = make_member(NAME, seed=1, role=SeatRole.VICE_PRESIDENT)
    services.dues_bills_create(year=YEAR, due_on=DUE_ON)
    return pay(bill_of(company), "3000", by=make_secretary(), reference="HZ20260316-0042")


def text_of(pdf: bytes) -> str:
    return re.sub(r"\s+", "", extract_text(io.BytesIO(pdf)))


def test_it_is_one_a5_landscape_page(payment):
    pdf = receipt_pdf(payment)

    assert pdf.startswith(b"%PDF-")
    (page,) = PDFPage.get_pages(io.BytesIO(pdf))
    assert [round(side) for side in page.mediabox] == [0, 0, 595, 420]  # 210 × 148 mm
    # The Chinese font is named, not embedded (see the module's docstring).
    assert b"/STSong-Light" in pdf
    assert b"/FontFile" not in pdf


def test_it_says_who_paid_what_for_what(payment):
    company = payment.bill.company
    text = text_of(receipt_pdf(payment))

    assert "浙江省仪器仪表行业协会" in text
    assert "收据" in text
    assert payment.receipt_number == f"{YEAR}-0001"
    assert f"{YEAR}-0001" in text
    assert "2026年3月16日" in text
    assert NAME in text
    assert company.credit_code in text
    assert "统一社会信用代码" in text
    assert "2026年度会费（副理事长单位）" in text
    assert "¥3,000.00" in text
    assert "人民币叁仟元整" in text
    assert "HZ20260316-0042" in text
    assert "张小莉" in text
    for label in ("收款人", "经办人", "（盖章）", "财务专用章"):
        assert label in text
    assert "部分缴纳" not in text


def test_it_is_in_chinese_from_an_english_page(payment):
    with translation.override("en"):
        text = text_of(receipt_pdf(payment))
        assert translation.get_language() == "en"  # given back
    assert "交款单位" in text
    assert "人民币叁仟元整" in text


def test_it_says_when_a_payment_is_part_of_the_bill():
    make_fees(council="5000")
    company = make_member("宁波示例仪表科技有限公司", seed=2)
    services.dues_bills_create(year=YEAR, due_on=DUE_ON)
    payment = pay(bill_of(company), "1680.32", by=make_secretary())

    text = text_of(receipt_pdf(payment))

    assert "人民币壹仟陆佰捌拾元零叁角贰分" in text
    assert "¥1,680.32" in text
    assert "账单金额¥5,000.00" in text
    assert "部分缴纳" in text


def test_it_fits_a_long_name_on_its_line():
    make_fees(council="5000")
    long_name = "杭州某某某某某某某某某某某某某某某某某某某某智能仪器仪表科技股份有限公司"
    company = make_member(long_name, seed=3)
    services.dues_bills_create(year=YEAR, due_on=DUE_ON)
    payment = pay(bill_of(company), "5000", by=make_secretary())

    assert long_name in text_of(receipt_pdf(payment))
