"""Dues in a real browser: the year's bills, a bank transfer, the receipt and the 发票."""

import re

import pytest
from django.utils import timezone
from pdfminer.high_level import extract_text

from demo.services import (
    ADMIN_EMAIL,
    CONTACT_EMAIL,
    DEFAULT_ADMIN_PASSWORD,
    DEFAULT_CONTACT_PASSWORD,
)
from dues.models import DuesBill, InvoiceRequest, Payment
from members.models import Contact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n% the e-invoice from the tax system\n%%EOF\n"


def sign_in_admin(page):
    page.goto("/admin/login/")
    page.fill("#id_username", ADMIN_EMAIL)
    page.fill("#id_password", DEFAULT_ADMIN_PASSWORD)
    page.locator("#login-form input[type=submit]").click()
    page.wait_for_url("**/admin/")


def sign_in_contact(page):
    page.goto("/account/login/")
    page.fill("#id_username", CONTACT_EMAIL)
    page.fill("#id_password", DEFAULT_CONTACT_PASSWORD)
    page.locator("form.stack-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/account/$"))


def sign_out_contact(page):
    page.locator(".account-nav form button").click()
    page.wait_for_url(re.compile(r"/$"))


def test_bills_payment_receipt_and_invoice(browser, live_server, demo_site, tmp_path):
    year = timezone.localdate().year + 1
    company = Contact.objects.select_related("company").get(user__email=CONTACT_EMAIL).company
    admin_tab = browser.new_context(locale="zh-CN", base_url=live_server.url).new_page()
    contact_tab = browser.new_context(
        locale="zh-CN", base_url=live_server.url, accept_downloads=True
    ).new_page()

    # The secretariat makes next year's bills after a preview.
    sign_in_admin(admin_tab)
    admin_tab.goto("/admin/dues/duesbill/")
    admin_tab.locator("a[href$='/admin/dues/duesbill/create/']").click()
    admin_tab.fill("#id_year", str(year))
    admin_tab.fill("#id_due_on", f"{year}-03-31")
    admin_tab.locator("input[name=preview]").click()
    assert company.name in admin_tab.locator("#content-main").inner_text()
    admin_tab.locator("input[name=confirm]").click()
    admin_tab.wait_for_url(f"**/admin/dues/duesbill/?year={year}")
    bill = DuesBill.objects.get(company=company, year=year)
    assert admin_tab.locator(".dues-totals").count() == 1

    # The contact sees it, with the association's bank account.
    sign_in_contact(contact_tab)
    contact_tab.goto("/account/dues/")
    main = contact_tab.locator("main").inner_text()
    assert f"{year}年度会费" in main and f"¥{bill.amount:,.2f}" in main and "未缴" in main

    # The secretariat records the bank transfer from the bill's page.
    admin_tab.goto(f"/admin/dues/duesbill/{bill.pk}/change/")
    admin_tab.locator(f"a[href$='/admin/dues/payment/add/?bill={bill.pk}']").click()
    admin_tab.select_option("#id_method", "bank_transfer")
    admin_tab.fill("#id_reference", "HZ20270105000123")
    admin_tab.locator("input[name=_save]").click()
    admin_tab.wait_for_url(f"**/admin/dues/duesbill/{bill.pk}/change/")
    payment = Payment.objects.get(bill=bill)
    assert payment.amount == bill.amount and payment.reference == "HZ20270105000123"

    # The contact downloads the receipt and asks for a 发票.
    contact_tab.goto("/account/dues/")
    assert "已缴清" in contact_tab.locator("main").inner_text()
    with contact_tab.expect_download() as download:
        contact_tab.locator(f"a[href='/account/dues/receipts/{payment.pk}/']").click()
    receipt = tmp_path / "receipt.pdf"
    download.value.save_as(receipt)
    text = extract_text(str(receipt))
    assert payment.receipt_number in text and company.name in text
    contact_tab.locator(f"a[href='/account/dues/payments/{payment.pk}/invoice/']").click()
    assert contact_tab.input_value("#id_title") == company.name
    if not company.credit_code:  # the demo bulletin states none: the contact types it
        contact_tab.fill("#id_tax_number", "91330100799655058B")
    contact_tab.locator("form.stack-form button[type=submit]").click()
    contact_tab.wait_for_url("**/account/dues/")
    request = InvoiceRequest.objects.get(payment=payment)
    assert "秘书处正在开具" in contact_tab.locator("main").inner_text()

    # The secretariat marks it issued with its number and the e-invoice.
    invoice_pdf = tmp_path / "e-invoice.pdf"
    invoice_pdf.write_bytes(PDF)
    admin_tab.goto(f"/admin/dues/invoicerequest/{request.pk}/change/")
    admin_tab.fill("#id_invoice_number", "24332000000099990001")
    admin_tab.set_input_files("#id_invoice_pdf", str(invoice_pdf))
    admin_tab.locator("input[name=_save]").click()
    admin_tab.wait_for_url("**/admin/dues/invoicerequest/")
    request.refresh_from_db()
    assert request.status == "issued"

    contact_tab.goto("/account/dues/")
    assert "24332000000099990001" in contact_tab.locator("main").inner_text()
    with contact_tab.expect_download() as download:
        contact_tab.locator(f"a[href='/account/dues/invoices/{request.pk}/']").click()
    saved = tmp_path / "downloaded.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes() == PDF
