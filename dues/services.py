"""Every write of the dues app: fees, bills, payments with their receipt numbers, 发票, reminders.

Each function runs in one transaction; mail goes through the outbox, keyed so
that asking twice (a retried task, a double click, a rerun of beat) sends once.
"""

import copy
import logging
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.tokens import site_url
from members.models import Company, Contact, CouncilSeat, SeatRole, Term
from outbox.models import OutgoingMail
from outbox.services import mail_queue, secretariat_mail
from portal.audit import log_created, log_updated

from .models import (
    ZERO,
    DuesBill,
    FeeSchedule,
    InvoiceKind,
    InvoiceRequest,
    Payment,
    PaymentMethod,
    ReceiptCounter,
)

logger = logging.getLogger(__name__)
CENT = Decimal("0.01")


class DuesError(ValidationError):
    """A dues action refused, with a message for the person who asked."""


def fee_set(*, term: Term, role: int, amount: Decimal) -> FeeSchedule:
    """Set the annual amount for ``role`` in ``term``; bills already made keep theirs."""
    amount = Decimal(amount).quantize(CENT)
    if amount < 0:
        raise DuesError(_("An amount cannot be negative."))
    fee, _created = FeeSchedule.objects.update_or_create(
        term=term, role=role, defaults={"amount": amount}
    )
    return fee


def bill_amount(*, annual: Decimal, year: int, joined_on: date | None) -> Decimal:
    """The year's amount for a company: in full, or from the month it joined (DUES_PRO_RATA)."""
    if not settings.DUES_PRO_RATA or joined_on is None or joined_on.year != year:
        return annual
    months = 12 - joined_on.month + 1
    return (annual * months / 12).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class BillPlan:
    """What ``dues_bills_create`` would make: the bills and the companies left out, with why."""

    bills: list[DuesBill]
    skipped: list[tuple[Company, str]]

    @property
    def total(self) -> Decimal:
        return sum((bill.amount for bill in self.bills), ZERO)


def dues_bills_plan(*, year: int, due_on: date) -> BillPlan:
    """``year``'s bills not made yet: one per active company with a seat in the current term."""
    term = Term.objects.current().first()
    if term is None:
        raise DuesError(_("There is no current council term: set one before making bills."))
    fees = dict(FeeSchedule.objects.filter(term=term).values_list("role", "amount"))
    billed = set(DuesBill.objects.filter(year=year).values_list("company_id", flat=True))
    seats = (
        CouncilSeat.objects.filter(term=term, company__status=Company.Status.ACTIVE)
        .exclude(company_id__in=billed)
        .select_related("company")
        .order_by("role", "company__name")
    )
    plan = BillPlan([], [])
    for seat in seats:
        if seat.role not in fees:
            plan.skipped.append(
                (
                    seat.company,
                    _("no fee is set for %(role)s in %(term)s")
                    % {"role": SeatRole(seat.role).label, "term": term},
                )
            )
            continue
        amount = bill_amount(annual=fees[seat.role], year=year, joined_on=seat.company.joined_on)
        plan.bills.append(
            DuesBill(
                company=seat.company,
                year=year,
                role=seat.role,
                standard_amount=amount,
                amount=amount,
                due_on=due_on,
            )
        )
    return plan


def dues_bills_create(*, year: int, due_on: date) -> list[DuesBill]:
    """Make ``year``'s bills and queue each company's dues notice; a second call makes none.

    The amount is the fee schedule's for the company's role in the current
    term (from the month it joined, with DUES_PRO_RATA, for a company
    admitted during ``year``), fixed from now on.
    """
    with transaction.atomic():
        plan = dues_bills_plan(year=year, due_on=due_on)
        created = DuesBill.objects.bulk_create(plan.bills, ignore_conflicts=True)
        # ignore_conflicts leaves pk unset: read back the ones this call made.
        bills = list(
            DuesBill.objects.filter(year=year, company_id__in=[bill.company_id for bill in created])
            .with_paid()
            .select_related("company")
        )
        log_created(bills)  # bulk_create sends no signals for the audit log
        contacts = _contacts_of(bill.company_id for bill in bills)
        for bill in bills:
            _send_notice(bill, kind="notice", contacts=contacts)
    return bills


def _contacts_of(company_ids) -> dict[int, tuple[str, list[str]]]:
    """Each company's primary contact's address and the others' (in copy): one query."""
    addresses: dict[int, list[str]] = {}
    rows = (
        Contact.objects.filter(company_id__in=list(company_ids), user__is_active=True)
        .order_by("company_id", "-is_primary", "pk")
        .values_list("company_id", "user__email")
    )
    for company_id, email in rows:
        addresses.setdefault(company_id, []).append(email)
    return {company_id: (found[0], found[1:]) for company_id, found in addresses.items()}


def _contacts(company_id: int) -> tuple[str | None, list[str]]:
    return _contacts_of([company_id]).get(company_id, (None, []))


def _notice_key(bill: DuesBill, kind: str, offset: int | None) -> str:
    return f"dues-{kind}:{bill.pk}" + (f":{offset}" if offset is not None else "")


def _send_notice(
    bill: DuesBill, *, kind: str, offset: int | None = None, contacts: dict | None = None
) -> bool:
    """Queue a dues notice or reminder for ``bill``, once per bill and ``kind``/``offset``.

    ``contacts`` (from ``_contacts_of``) saves a query per bill when many go out at once.
    """
    to, cc = (
        contacts.get(bill.company_id, (None, []))
        if contacts is not None
        else _contacts(bill.company_id)
    )
    if to is None:
        logger.warning("dues bill %s: %s has no contact to mail", bill.pk, bill.company)
        return False
    key = _notice_key(bill, kind, offset)
    if kind == "manual":
        key += f":{timezone.now():%Y%m%d%H%M%S%f}"
    mail = mail_queue(
        template="dues-notice" if kind == "notice" else "dues-reminder",
        to=to,
        cc=cc,
        context={
            "bill": bill,
            "company": bill.company,
            "outstanding": bill.outstanding(),
            "offset": offset,
            "overdue": bill.due_on < timezone.localdate(),
            "bank": settings.DUES_BANK_ACCOUNT,
            "dues_url": site_url("accounts:dues"),
        },
        key=key,
    )
    return mail is not None


def dues_reminders_send(*, today: date | None = None) -> int:
    """Beat, daily: queue each reminder that is due, once per bill and offset; return how many.

    An offset (days from the due date: -30 is a month before, 14 two weeks
    after) is due from its day on, so a day the beat missed is caught up the
    next day; only the latest due offset of a bill is sent, and never once
    the bill is settled (paid in full or waived).
    """
    today = today or timezone.localdate()
    offsets = sorted(settings.DUES_REMINDER_OFFSETS)
    if not offsets:
        return 0
    earliest = today - timedelta(days=offsets[-1])  # due dates whose last offset has passed
    latest = today - timedelta(days=offsets[0])
    sent = 0
    bills = (
        DuesBill.objects.open()
        .filter(due_on__gte=earliest - timedelta(days=7), due_on__lte=latest)
        .select_related("company")
        .order_by("pk")
    )
    due = []
    for bill in bills:
        reached = [offset for offset in offsets if bill.due_on + timedelta(days=offset) <= today]
        if not reached:
            continue
        offset = reached[-1]
        if bill.due_on + timedelta(days=offset) < today - timedelta(days=7):
            continue  # more than a week late for it: the next offset will say it
        due.append((bill, offset))
    # One query for the reminders already queued, instead of a refused insert per bill and day.
    queued = set(
        OutgoingMail.objects.filter(
            key__in=[_notice_key(bill, "reminder", offset) for bill, offset in due]
        ).values_list("key", flat=True)
    )
    due = [
        (bill, offset)
        for bill, offset in due
        if _notice_key(bill, "reminder", offset) not in queued
    ]
    contacts = _contacts_of(bill.company_id for bill, _offset in due)
    for bill, offset in due:
        with transaction.atomic():
            sent += _send_notice(bill, kind="reminder", offset=offset, contacts=contacts)
    return sent


def dues_reminder_send_now(*, bills) -> int:
    """The secretariat's "send a reminder now" for open bills; return how many were queued."""
    sent = 0
    with transaction.atomic():
        for bill in (
            DuesBill.objects.open().filter(pk__in=[b.pk for b in bills]).select_related("company")
        ):
            sent += _send_notice(bill, kind="manual")
    return sent


def bills_waive(*, bills, reason: str) -> int:
    """Waive open bills with a reason (the secretariat's bulk action)."""
    reason = reason.strip()
    if not reason:
        raise DuesError(_("Give the reason for the waiver."))
    reason = reason[:300]
    with transaction.atomic():
        before = list(
            DuesBill.objects.select_for_update().filter(
                pk__in=[bill.pk for bill in bills], waived=False
            )
        )
        count = DuesBill.objects.filter(pk__in=[bill.pk for bill in before]).update(
            waived=True, adjustment_reason=reason
        )
        after = [copy.copy(bill) for bill in before]
        for bill in after:
            bill.waived, bill.adjustment_reason = True, reason
        log_updated(zip(before, after, strict=True))  # update() sends no signals either
    return count


def _next_receipt_number(year: int) -> int:
    # The counter's row is locked until the payment's transaction ends: concurrent
    # payments wait for each other, and a rolled-back payment gives its number back.
    ReceiptCounter.objects.get_or_create(year=year)
    counter = ReceiptCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def payment_check(*, bill: DuesBill, amount: Decimal, method: str, paid_on: date) -> None:
    """Raise DuesError, with a message for the secretariat, for a payment that cannot be taken."""
    amount = Decimal(amount)
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(CENT):
        raise DuesError(_("Enter an amount greater than zero with at most two decimals."))
    if method not in PaymentMethod.values:
        raise DuesError(_("Choose how the money was paid."))
    if paid_on > timezone.localdate():
        raise DuesError(_("A payment cannot be dated in the future."))
    if bill.waived:
        raise DuesError(_("This bill was waived: nothing is due."))
    bill = DuesBill.objects.with_paid().get(pk=bill.pk)
    outstanding = bill.outstanding()
    if amount > outstanding:
        raise DuesError(
            _(
                "¥%(amount)s is more than the ¥%(outstanding)s still due on this bill; "
                "record at most that much."
            )
            % {"amount": f"{amount:,.2f}", "outstanding": f"{outstanding:,.2f}"}
        )


def payment_record(
    *,
    bill: DuesBill,
    amount: Decimal,
    method: str,
    paid_on: date,
    reference: str = "",
    by,
    statement_key: str | None = None,
) -> Payment:
    """Record money received for ``bill`` and give it the year's next receipt number.

    Refused with a clear message for a waived bill, an amount that is not
    positive or has more than two decimals, and one over what is still due.
    Receipt numbers run 2027-0001, 2027-0002 … per year of ``paid_on``, with
    no gap and no duplicate however many are recorded at once.
    """
    amount = Decimal(amount)
    with transaction.atomic():
        bill = DuesBill.objects.select_for_update().select_related("company").get(pk=bill.pk)
        payment_check(bill=bill, amount=amount, method=method, paid_on=paid_on)
        sequence = _next_receipt_number(paid_on.year)
        payment = Payment.objects.create(
            bill=bill,
            amount=amount,
            method=method,
            reference=reference.strip()[:100],
            paid_on=paid_on,
            recorded_by=by,
            receipt_year=paid_on.year,
            receipt_sequence=sequence,
            statement_key=statement_key,
        )
        to, cc = _contacts(bill.company_id)
        if to:
            mail_queue(
                template="dues-payment-received",
                to=to,
                cc=cc,
                context={
                    "payment": payment,
                    "bill": bill,
                    "company": bill.company,
                    "dues_url": site_url("accounts:dues"),
                },
                key=f"dues-payment:{payment.pk}",
            )
    return payment


def invoice_request_create(
    *,
    payment: Payment,
    contact: Contact,
    kind: str,
    title: str,
    tax_number: str,
    email: str,
    address_phone: str = "",
    bank_account: str = "",
    note: str = "",
) -> InvoiceRequest:
    """A contact asks for a 发票 for one of the company's payments; once per payment.

    The secretariat is mailed the request (SECRETARIAT_EMAIL), once.
    """
    if payment.bill.company_id != contact.company_id:
        raise DuesError(_("This payment is not your company's."))
    if kind == InvoiceKind.SPECIAL and not (address_phone.strip() and bank_account.strip()):
        raise DuesError(
            _("A special invoice needs the company's address and phone, and its bank and account.")
        )
    with transaction.atomic():
        if InvoiceRequest.objects.filter(payment=payment).exists():
            raise DuesError(_("An invoice has already been asked for this payment."))
        request = InvoiceRequest.objects.create(
            payment=payment,
            requested_by=contact,
            kind=kind,
            title=title.strip(),
            tax_number=tax_number.strip().upper(),
            email=email.strip().lower(),
            address_phone=address_phone.strip(),
            bank_account=bank_account.strip(),
            note=note.strip(),
        )
        secretariat_mail(
            template="secretariat-invoice-request",
            context={
                "invoice": request,
                "admin_url": site_url("admin:dues_invoicerequest_change", object_id=request.pk),
            },
            key=f"secretariat-invoice-request:{request.pk}",
            reply_to=contact.user.email,
        )
    return request


def invoice_mark_issued(*, request: InvoiceRequest, invoice_number: str, pdf, by) -> InvoiceRequest:
    """The secretariat records the 发票 issued in the tax system; the contact is told, once."""
    invoice_number = invoice_number.strip()
    if not invoice_number:
        raise DuesError(_("Enter the invoice number."))
    with transaction.atomic():
        request = (
            InvoiceRequest.objects.select_for_update()
            .select_related("payment__bill__company", "requested_by__user")
            .get(pk=request.pk)
        )
        request.invoice_number = invoice_number
        if pdf:
            request.invoice_pdf = pdf
        request.status = InvoiceRequest.Status.ISSUED
        request.issued_at = request.issued_at or timezone.now()
        request.issued_by = request.issued_by or by
        request.save()
        mail_queue(
            template="dues-invoice-issued",
            to=request.requested_by.user.email,
            cc=[request.email],
            context={"invoice": request, "dues_url": site_url("accounts:dues")},
            key=f"dues-invoice-issued:{request.pk}",
        )
    return request
