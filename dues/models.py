"""Membership dues (会费): the fee schedule, one bill per company and year, payments, 发票.

Money is Decimal with two places, never float. A bill's status is derived
from its amount, its payments and the date, never stored twice.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Case, DecimalField, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.private_files import private_storage
from members.models import Company, Contact, SeatRole, Term

MONEY = {"max_digits": 12, "decimal_places": 2}
ZERO = Decimal("0.00")


def money_field(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(
        verbose_name, **MONEY, validators=[MinValueValidator(ZERO)], **kwargs
    )


class FeeSchedule(models.Model):
    """The annual amount a company with ``role`` in ``term`` pays (e.g. 理事单位 ¥8,000)."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, verbose_name=_("council term"))
    role = models.PositiveSmallIntegerField(_("role"), choices=SeatRole.choices)
    amount = money_field(_("annual amount (yuan)"))

    class Meta:
        verbose_name = _("fee schedule")
        verbose_name_plural = _("fee schedule")
        ordering = ["-term__ordinal", "role"]
        constraints = [
            models.UniqueConstraint(fields=["term", "role"], name="dues_fee_one_per_term_role"),
        ]

    def __str__(self) -> str:
        return f"{self.term} · {self.get_role_display()} · ¥{self.amount:,}"


class BillStatus(models.TextChoices):
    UNPAID = "unpaid", _("Unpaid")
    PARTLY_PAID = "partly_paid", _("Partly paid")
    PAID = "paid", _("Paid")
    WAIVED = "waived", _("Waived")
    OVERDUE = "overdue", _("Overdue")


def _paid_subquery():
    return Coalesce(
        Subquery(
            Payment.objects.filter(bill=OuterRef("pk"))
            .values("bill")
            .annotate(total=Sum("amount"))
            .values("total"),
            output_field=DecimalField(**MONEY),
        ),
        Value(ZERO),
        output_field=DecimalField(**MONEY),
    )


class DuesBillQuerySet(models.QuerySet):
    def with_paid(self):
        """Each bill with ``paid`` (the sum of its payments) and ``status_value``, in one query."""
        today = timezone.localdate()
        return self.annotate(paid_total=_paid_subquery()).annotate(
            status_value=Case(
                When(waived=True, then=Value(BillStatus.WAIVED)),
                When(paid_total__gte=F("amount"), then=Value(BillStatus.PAID)),
                When(due_on__lt=today, then=Value(BillStatus.OVERDUE)),
                When(paid_total__gt=0, then=Value(BillStatus.PARTLY_PAID)),
                default=Value(BillStatus.UNPAID),
                output_field=models.CharField(),
            )
        )

    def status(self, status: str):
        return self.with_paid().filter(status_value=status)

    def open(self):
        """Bills with money still due: not waived, not paid in full."""
        return self.with_paid().filter(waived=False, paid_total__lt=F("amount"))


class DuesBill(models.Model):
    """What one company owes for one year: one bill per company and year.

    The amount is fixed when the bill is made (a later change of the fee
    schedule does not rewrite it); the secretariat may reduce it or waive
    the bill, with a reason.
    """

    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="dues_bills", verbose_name=_("company")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    role = models.PositiveSmallIntegerField(_("role"), choices=SeatRole.choices, null=True)
    standard_amount = money_field(_("standard amount"))
    amount = money_field(_("amount due"))
    due_on = models.DateField(_("due on"))
    waived = models.BooleanField(_("waived"), default=False)
    adjustment_reason = models.CharField(
        _("reason for a reduction or waiver"), max_length=300, blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = DuesBillQuerySet.as_manager()

    class Meta:
        verbose_name = _("dues bill")
        verbose_name_plural = _("dues bills")
        ordering = ["-year", "company__name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "year"], name="dues_bill_one_per_year"),
            models.CheckConstraint(
                condition=Q(amount__lte=F("standard_amount")) | Q(adjustment_reason__gt=""),
                name="dues_bill_change_has_reason",
                violation_error_message=_(
                    "A bill changed from its standard amount needs a reason."
                ),
            ),
            models.CheckConstraint(
                condition=Q(waived=False) | Q(adjustment_reason__gt=""),
                name="dues_bill_waiver_has_reason",
                violation_error_message=_("A waived bill needs a reason."),
            ),
        ]
        indexes = [models.Index(fields=["year", "due_on"], name="dues_bill_year_due")]

    def __str__(self) -> str:
        return f"{self.year} · {self.company}"

    @property
    def number(self) -> str:
        return f"{self.year}-{self.pk:05d}"

    def paid(self) -> Decimal:
        """The sum of the payments (from ``with_paid()`` when the row came from it)."""
        if hasattr(self, "paid_total"):
            return self.paid_total
        return self.payments.aggregate(total=Sum("amount"))["total"] or ZERO

    def outstanding(self) -> Decimal:
        return ZERO if self.waived else max(self.amount - self.paid(), ZERO)

    def status(self, today: date | None = None) -> str:
        if hasattr(self, "status_value") and today is None:
            return self.status_value
        today = today or timezone.localdate()
        paid = self.paid()
        if self.waived:
            return BillStatus.WAIVED
        if paid >= self.amount:
            return BillStatus.PAID
        if self.due_on < today:
            return BillStatus.OVERDUE
        if paid > 0:
            return BillStatus.PARTLY_PAID
        return BillStatus.UNPAID

    def get_status_display(self) -> str:
        return BillStatus(self.status()).label


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CASH = "cash", _("Cash")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    OTHER = "other", _("Other")


class ReceiptCounter(models.Model):
    """The last receipt number used in a year; its row is locked while a number is taken."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("receipt counter")
        verbose_name_plural = _("receipt counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Payment(models.Model):
    """Money received against a bill, with its receipt (收据) number: 2027-0001 …"""

    bill = models.ForeignKey(
        DuesBill, on_delete=models.PROTECT, related_name="payments", verbose_name=_("bill")
    )
    amount = models.DecimalField(
        _("amount (yuan)"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    method = models.CharField(_("method"), max_length=20, choices=PaymentMethod.choices)
    reference = models.CharField(
        _("reference"), max_length=100, blank=True, help_text=_("The bank's transaction number.")
    )
    paid_on = models.DateField(_("paid on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    receipt_year = models.PositiveSmallIntegerField(_("receipt year"))
    receipt_sequence = models.PositiveIntegerField(_("receipt sequence"))
    # A bank statement line this payment came from: the same line is never paid twice.
    statement_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-receipt_year", "-receipt_sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["receipt_year", "receipt_sequence"], name="dues_receipt_number_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="dues_payment_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_number} · ¥{self.amount or 0:,}"

    @property
    def receipt_number(self) -> str:
        if self.receipt_sequence is None:  # not recorded yet (an admin form being filled in)
            return ""
        return f"{self.receipt_year}-{self.receipt_sequence:04d}"


class InvoiceKind(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary VAT invoice (普通发票)")
    SPECIAL = "special", _("Special VAT invoice (专用发票)")


class InvoiceRequest(models.Model):
    """A contact's request for a 发票 for a payment; issued in the tax system, recorded here."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        ISSUED = "issued", _("Issued")

    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, related_name="invoice_request", verbose_name=_("payment")
    )
    requested_by = models.ForeignKey(
        Contact, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    kind = models.CharField(_("invoice type"), max_length=10, choices=InvoiceKind.choices)
    title = models.CharField(_("invoice title (抬头)"), max_length=200)
    tax_number = models.CharField(_("taxpayer number"), max_length=20)
    email = models.EmailField(_("email for the e-invoice"))
    address_phone = models.CharField(
        _("address and phone"), max_length=300, blank=True, help_text=_("For a special invoice.")
    )
    bank_account = models.CharField(
        _("bank and account"), max_length=300, blank=True, help_text=_("For a special invoice.")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    invoice_number = models.CharField(_("invoice number"), max_length=40, blank=True)
    invoice_pdf = models.FileField(
        _("e-invoice (PDF)"), upload_to="invoices/%Y/", storage=private_storage, blank=True
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )

    class Meta:
        verbose_name = _("invoice request")
        verbose_name_plural = _("invoice requests")
        ordering = ["status", "-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="requested") | Q(invoice_number__gt=""),
                name="dues_invoice_issued_has_number",
                violation_error_message=_("An issued invoice needs its number."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} · {self.payment.receipt_number}"


class StatementImport(models.Model):
    """A bank statement (对账单) the secretariat uploaded, to record its transfers as payments."""

    file_name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    line_count = models.PositiveIntegerField(_("lines"), default=0)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )

    class Meta:
        verbose_name = _("bank statement import")
        verbose_name_plural = _("bank statement imports")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} · {timezone.localtime(self.uploaded_at):%Y-%m-%d %H:%M}"


class StatementLineState(models.TextChoices):
    MATCHED = "matched", _("Matched")
    AMBIGUOUS = "ambiguous", _("Ambiguous")
    UNMATCHED = "unmatched", _("Unmatched")
    ALREADY_IMPORTED = "already_imported", _("Already imported")
    CONFIRMED = "confirmed", _("Recorded")


class StatementLine(models.Model):
    """One credit of a bank statement: who paid how much when, and the bill it pays, if known.

    ``key`` is the line's fingerprint (``dues.statements.line_key``): the
    same transfer in a later export, or in the same file uploaded again, has
    the same key, and ``Payment.statement_key`` keeps it from being paid twice.
    """

    statement = models.ForeignKey(
        StatementImport,
        on_delete=models.CASCADE,
        related_name="lines",
        verbose_name=_("bank statement import"),
    )
    row = models.PositiveIntegerField(_("row"))
    date = models.DateField(_("date"))
    amount = models.DecimalField(
        _("amount (yuan)"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    payer = models.CharField(_("payer"), max_length=200, blank=True)
    memo = models.CharField(_("memo"), max_length=300, blank=True)
    reference = models.CharField(_("transaction number"), max_length=100, blank=True)
    key = models.CharField(_("fingerprint"), max_length=64, db_index=True)
    state = models.CharField(_("state"), max_length=20, choices=StatementLineState.choices)
    bill = models.ForeignKey(
        DuesBill,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bill"),
    )
    candidate_bill_ids = ArrayField(
        models.PositiveIntegerField(), verbose_name=_("candidate bills"), blank=True, default=list
    )
    payment = models.ForeignKey(
        Payment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("payment"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("bank statement line")
        verbose_name_plural = _("bank statement lines")
        ordering = ["statement", "row"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "row"], name="dues_statement_line_row"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="dues_statement_line_credit"),
        ]

    def __str__(self) -> str:
        return f"{self.row} · {self.date} · {self.payer} · ¥{self.amount:,}"
