"""Reads of the dues app that are more than a QuerySet method."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, Sum

from .models import ZERO, BillStatus, DuesBill, Payment


def company_bills(company_id: int) -> list[DuesBill]:
    """A company's bills, newest year first, with payments and 发票 requests: three queries."""
    return list(
        DuesBill.objects.filter(company_id=company_id)
        .with_paid()
        .prefetch_related(
            Prefetch(
                "payments",
                queryset=Payment.objects.select_related("invoice_request").order_by(
                    "paid_on", "receipt_sequence"
                ),
            )
        )
        .order_by("-year")
    )


@dataclass
class YearTotals:
    year: int
    bills: int
    expected: Decimal
    collected: Decimal
    outstanding: Decimal
    overdue: int
    waived: int

    @property
    def collected_share(self) -> int:
        return int(self.collected * 100 / self.expected) if self.expected else 0


def year_totals(year: int, bills=None) -> YearTotals:
    """Expected, collected and outstanding money of a year's bills (or of ``bills``): one query."""
    bills = (bills if bills is not None else DuesBill.objects.filter(year=year)).with_paid()
    rows = bills.aggregate(
        count=Count("pk"),
        expected=Sum("amount", filter=Q(waived=False)),
        overdue=Count("pk", filter=Q(status_value=BillStatus.OVERDUE)),
        waived=Count("pk", filter=Q(waived=True)),
    )
    collected = Payment.objects.filter(bill__in=bills.values("pk")).aggregate(total=Sum("amount"))[
        "total"
    ]
    expected = rows["expected"] or ZERO
    collected = collected or ZERO
    return YearTotals(
        year=year,
        bills=rows["count"],
        expected=expected,
        collected=collected,
        outstanding=max(expected - collected, ZERO),
        overdue=rows["overdue"],
        waived=rows["waived"],
    )
