"""/account/dues/: the company's bills, receipts and 发票, in a fixed number of queries."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dues import services
from dues.models import DuesBill, InvoiceRequest
from members.models import Company, SeatRole
from tests.dues.builders import bills, fee_schedule, seated_company, treasurer
from tests.queries import assert_fixed_and_few, page_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    fee_schedule()
    return seated_company("浙江甲仪表有限公司", SeatRole.COUNCIL, seed=1)


def contact_of(company: Company):
    return company.contacts.get(is_primary=True)


def pay(bill: DuesBill, amount: str, day=date(2026, 2, 1)):
    return services.payment_record(
        bill=bill, amount=Decimal(amount), method="bank_transfer", paid_on=day,
        reference="HZ2027020100012", by=treasurer(),
    )  # fmt: skip


def test_it_shows_the_bill_the_bank_account_and_the_receipts(client, company, settings):
    bill = bills(2027, date(2027, 3, 31))[0]  # due next year: paid in part, not yet overdue
    payment = pay(bill, "5000", date(2026, 12, 1))
    client.force_login(contact_of(company).user)

    content = client.get(reverse("accounts:dues")).content.decode()

    assert "2027年度会费" in content
    assert "部分缴纳" in content
    assert "¥8,000.00" in content and "¥5,000.00" in content and "¥3,000.00" in content
    assert settings.DUES_BANK_ACCOUNT["number"] in content
    assert reverse("accounts:dues_receipt", args=[payment.pk]) in content


def test_it_runs_the_same_queries_for_many_years_and_payments(client, company):
    client.force_login(contact_of(company).user)
    pay(bills(2022, date(2022, 3, 31))[0], "3000", date(2022, 2, 1))
    few = page_queries(client, reverse("accounts:dues"))
    for year in (2023, 2024, 2025):
        bill = bills(year, date(year, 3, 31))[0]
        pay(bill, "1000", date(year, 2, 1))
        pay(bill, "1000", date(year, 3, 1))
    many = page_queries(client, reverse("accounts:dues"))

    assert_fixed_and_few(few, many)


def test_the_receipt_downloads_as_a_pdf_named_after_its_number(client, company):
    payment = pay(bills(2026)[0], "8000")
    client.force_login(contact_of(company).user)

    response = client.get(reverse("accounts:dues_receipt", args=[payment.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "2026-0001" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]


def test_a_contact_asks_for_an_invoice_prefilled_from_the_company(client, company):
    payment = pay(bills(2026)[0], "8000")
    contact = contact_of(company)
    client.force_login(contact.user)
    url = reverse("accounts:dues_invoice_request", args=[payment.pk])

    form = client.get(url).content.decode()
    assert f'value="{company.name}"' in form and f'value="{company.credit_code}"' in form

    refused = client.post(
        url,
        {
            "kind": "special",
            "title": company.name,
            "tax_number": company.credit_code,
            "email": "cw@example.com",
        },
    )
    assert refused.status_code == 200 and "专用发票需要填写此项" in refused.content.decode()
    assert not InvoiceRequest.objects.exists()

    response = client.post(
        url,
        {
            "kind": "ordinary",
            "title": company.name,
            "tax_number": company.credit_code,
            "email": "cw@example.com",
        },
    )
    assert response.status_code == 302
    request = InvoiceRequest.objects.get()
    assert request.requested_by == contact and request.status == "requested"
    # Asking again for the same payment makes no second request.
    client.post(url, {"kind": "ordinary", "title": "x", "tax_number": company.credit_code,
                      "email": "cw@example.com"})  # fmt: skip
    assert InvoiceRequest.objects.count() == 1


def test_the_issued_invoice_is_mailed_and_downloads_for_the_company_only(client, company):
    payment = pay(bills(2026)[0], "8000")
    contact = contact_of(company)
    request = services.invoice_request_create(
        payment=payment, contact=contact, kind="ordinary", title=company.name,
        tax_number=company.credit_code, email="cw@example.com",
    )  # fmt: skip
    services.invoice_mark_issued(
        request=request, invoice_number="24332000000012345678",
        pdf=SimpleUploadedFile("x.pdf", b"%PDF-1.7 the e-invoice"), by=treasurer(),
    )  # fmt: skip
    # Marking it issued again (a double click) tells the contact once.
    services.invoice_mark_issued(
        request=request, invoice_number="24332000000012345678", pdf=None, by=treasurer()
    )
    from outbox.models import OutgoingMail

    assert OutgoingMail.objects.filter(template="dues-invoice-issued").count() == 1
    client.force_login(contact.user)
    page = client.get(reverse("accounts:dues")).content.decode()
    assert "24332000000012345678" in page

    download = client.get(reverse("accounts:dues_invoice", args=[request.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.7 the e-invoice"
