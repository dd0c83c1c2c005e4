"""The secretariat's dues office in the admin: only with the dues permissions; totals, actions."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from dues import services
from dues.models import DuesBill, InvoiceRequest, Payment
from members.models import SeatRole
from outbox.models import OutgoingMail
from tests.dues.builders import bills, fee_schedule, seated_company, treasurer

pytestmark = pytest.mark.django_db

DUES_ADMIN_URLS = (
    "admin:dues_duesbill_changelist",
    "admin:dues_duesbill_create",
    "admin:dues_payment_changelist",
    "admin:dues_payment_add",
    "admin:dues_feeschedule_changelist",
    "admin:dues_invoicerequest_changelist",
)


@pytest.fixture
def finance(client):
    """A staff user holding every dues permission (what the 财务 group will get)."""
    user = User.objects.create_user("finance@example.com", "x", name="财务", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="dues"))
    client.force_login(user)
    return user


@pytest.fixture
def companies():
    fee_schedule()
    return [
        seated_company("浙江甲仪表有限公司", SeatRole.COUNCIL, seed=1, city="hangzhou"),
        seated_company("宁波乙仪表有限公司", SeatRole.MEMBER, seed=2, city="ningbo"),
        seated_company("温州丙仪表有限公司", SeatRole.MEMBER, seed=3, city="wenzhou"),
    ]


def test_staff_without_the_dues_permissions_see_none_of_it(client, companies):
    bills()
    editor = User.objects.create_user("editor@example.com", "x", is_staff=True)
    editor.user_permissions.set(Permission.objects.filter(codename__endswith="_article"))
    client.force_login(editor)

    for name in DUES_ADMIN_URLS:
        assert client.get(reverse(name)).status_code == 403, name
    payment = services.payment_record(
        bill=DuesBill.objects.first(), amount=Decimal("100"), method="cash",
        paid_on=date(2026, 2, 1), by=treasurer(),
    )  # fmt: skip
    assert client.get(reverse("admin:dues_payment_receipt", args=[payment.pk])).status_code == 403
    index = client.get(reverse("admin:index")).content.decode()
    assert "会费" not in index


def test_the_secretariat_makes_the_years_bills_after_a_preview(client, finance, companies):
    url = reverse("admin:dues_duesbill_create")
    preview = client.post(url, {"year": "2026", "due_on": "2026-03-31", "preview": "1"})

    assert preview.status_code == 200
    content = preview.content.decode()
    assert "将生成 3 张账单" in content
    assert "¥14,000.00" in content
    assert not DuesBill.objects.exists()

    done = client.post(url, {"year": "2026", "due_on": "2026-03-31", "confirm": "1"})
    assert done.status_code == 302
    assert DuesBill.objects.filter(year=2026).count() == 3
    assert OutgoingMail.objects.filter(template="dues-notice").count() == 3
    again = client.post(url, {"year": "2026", "due_on": "2026-03-31", "confirm": "1"})
    assert again.status_code == 302
    assert DuesBill.objects.count() == 3
    assert OutgoingMail.objects.filter(template="dues-notice").count() == 3


def test_the_bill_list_shows_the_years_totals_in_fixed_queries(client, finance, companies):
    bills(2026)
    services.payment_record(
        bill=DuesBill.objects.get(company=companies[0]),
        amount=Decimal("8000"),
        method="bank_transfer",
        paid_on=date(2026, 2, 1),
        by=treasurer(),
    )
    url = reverse("admin:dues_duesbill_changelist") + "?year=2026"
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    content = response.content.decode()
    assert "¥14,000.00" in content  # expected
    assert "¥8,000.00" in content  # collected
    assert "¥6,000.00" in content  # outstanding
    for n in range(4, 24):
        seated_company(f"丽水{n}号仪表有限公司", SeatRole.MEMBER, seed=n, contacts=0)
    bills(2026)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few), "the bill list runs a query per bill"

    overdue = client.get(reverse("admin:dues_duesbill_changelist") + "?year=2026&status=overdue")
    assert "宁波乙仪表有限公司" in overdue.content.decode()
    assert "浙江甲仪表有限公司" not in overdue.content.decode()
    by_city = client.get(
        reverse("admin:dues_duesbill_changelist") + "?year=2026&company__city=ningbo"
    )
    assert "温州丙仪表有限公司" not in by_city.content.decode()


def test_the_export_opens_in_excel_with_chinese_headers(client, finance, companies):
    made = bills(2026)
    response = client.post(
        reverse("admin:dues_duesbill_changelist") + "?year=2026",
        {"action": "export_xlsx", "_selected_action": [bill.pk for bill in made]},
    )

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("年度", "单位名称", "统一社会信用代码")
    assert {row[1] for row in rows[1:]} == {company.name for company in companies}
    assert {row[6] for row in rows[1:]} == {8000, 3000}


def test_the_secretariat_records_a_transfer_and_gets_the_receipt(client, finance, companies):
    bills(2026)
    bill = DuesBill.objects.get(company=companies[0])
    add = reverse("admin:dues_payment_add")
    form = client.get(f"{add}?bill={bill.pk}").content.decode()
    assert 'value="8000.00"' in form

    too_much = client.post(add, {"bill": bill.pk, "amount": "9000", "method": "bank_transfer",
                                 "reference": "HZ1", "paid_on": "2026-02-01"})  # fmt: skip
    assert too_much.status_code == 200
    assert "尚欠" in too_much.content.decode() or "¥8,000.00" in too_much.content.decode()
    assert not Payment.objects.exists()

    done = client.post(add, {"bill": bill.pk, "amount": "8000", "method": "bank_transfer",
                             "reference": "HZ1", "paid_on": "2026-02-01"})  # fmt: skip
    assert done.status_code == 302
    assert done["Location"] == reverse("admin:dues_duesbill_change", args=[bill.pk])
    payment = Payment.objects.get()
    assert payment.receipt_number == "2026-0001" and payment.recorded_by == finance
    receipt = client.get(reverse("admin:dues_payment_receipt", args=[payment.pk]))
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")
    # A recorded payment cannot be deleted (its receipt number would leave a gap).
    delete = client.post(reverse("admin:dues_payment_delete", args=[payment.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert Payment.objects.count() == 1


def test_waiving_needs_a_reason(client, finance, companies):
    made = bills(2026)
    url = reverse("admin:dues_duesbill_changelist")
    ask = client.post(url, {"action": "waive", "_selected_action": [made[1].pk]})
    assert ask.status_code == 200 and not DuesBill.objects.filter(waived=True).exists()

    client.post(
        url, {"action": "waive", "_selected_action": [made[1].pk], "reason": "新会员首年免缴"}
    )
    made[1].refresh_from_db()
    assert made[1].waived and made[1].adjustment_reason == "新会员首年免缴"


def test_the_secretariat_marks_an_invoice_issued_with_its_pdf(client, finance, companies):
    bills(2026)
    bill = DuesBill.objects.get(company=companies[0])
    payment = services.payment_record(
        bill=bill, amount=Decimal("8000"), method="bank_transfer", paid_on=date(2026, 2, 1),
        by=treasurer(),
    )  # fmt: skip
    contact = companies[0].contacts.get()
    request = services.invoice_request_create(
        payment=payment, contact=contact, kind="ordinary", title=companies[0].name,
        tax_number=companies[0].credit_code, email="cw@example.com",
    )  # fmt: skip
    url = reverse("admin:dues_invoicerequest_change", args=[request.pk])

    not_pdf = client.post(url, {"invoice_number": "123", "invoice_pdf": SimpleUploadedFile(
        "x.pdf", b"MZ not a pdf")})  # fmt: skip
    assert not_pdf.status_code == 200
    assert InvoiceRequest.objects.get().status == "requested"

    done = client.post(url, {"invoice_number": "24332000000012345678", "invoice_pdf":
                             SimpleUploadedFile("x.pdf", b"%PDF-1.7 e-invoice")})  # fmt: skip
    assert done.status_code == 302
    request.refresh_from_db()
    assert request.status == "issued" and request.issued_by == finance
    assert request.invoice_pdf.read() == b"%PDF-1.7 e-invoice"
    assert OutgoingMail.objects.filter(template="dues-invoice-issued", to=contact.user.email)
