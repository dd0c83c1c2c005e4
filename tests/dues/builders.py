"""Builders for the dues tests: the current term with its fees, member companies with their
contacts, a secretary and a treasurer."""

from datetime import date
from decimal import Decimal

from accounts.models import User
from dues import services
from dues.models import DuesBill, Payment, PaymentMethod
from members.models import Company, CouncilSeat, SeatRole, Term
from tests.accounts.builders import make_company, make_contact, make_term

YEAR = 2026
DUE_ON = date(YEAR, 3, 31)
PAID_ON = date(YEAR, 3, 16)


def make_secretary(email: str = "zhangxiaoli@example.com", name: str = "张小莉") -> User:
    return User.objects.create_user(email, "correct horse battery", name=name, is_staff=True)


def make_fees(term: Term | None = None, **amounts) -> Term:
    """The current term with fees: ``council="5000"``, ``vice_president="8000"`` …"""
    term = term or make_term()
    for role, amount in amounts.items():
        services.fee_set(term=term, role=SeatRole[role.upper()], amount=Decimal(amount))
    return term


def make_member(
    name: str, *, seed: int, role: int = SeatRole.COUNCIL, term: Term | None = None, **fields
) -> Company:
    """An active company with a seat in the current term."""
    company = make_company(name, seed=seed, **fields)
    CouncilSeat.objects.create(term=term or make_term(), company=company, role=role)
    return company


def bill_of(company: Company, year: int = YEAR) -> DuesBill:
    return DuesBill.objects.select_related("company").get(company=company, year=year)


def pay(bill: DuesBill, amount, *, by: User, **fields) -> Payment:
    fields.setdefault("method", PaymentMethod.BANK_TRANSFER)
    fields.setdefault("paid_on", PAID_ON)
    return services.payment_record(bill=bill, amount=Decimal(amount), by=by, **fields)


FEES = {
    SeatRole.PRESIDENT: Decimal("50000"),
    SeatRole.VICE_PRESIDENT: Decimal("20000"),
    SeatRole.COUNCIL: Decimal("8000"),
    SeatRole.MEMBER: Decimal("3000"),
}


def seated_company(name: str, role=SeatRole.MEMBER, *, seed: int, contacts: int = 1, **fields):
    """An active company with a seat in the current term and ``contacts`` contacts."""
    company = make_company(name, seed=seed, **fields)
    CouncilSeat.objects.create(term=make_term(), company=company, role=role)
    for n in range(contacts):
        make_contact(company, f"c{seed}-{n}@example.com", primary=n == 0)
    return company


def fee_schedule() -> None:
    term = make_term()
    for role, amount in FEES.items():
        services.fee_set(term=term, role=role, amount=amount)


def treasurer() -> User:
    user, _created = User.objects.get_or_create(
        email="caiwu@example.com", defaults={"name": "财务王", "is_staff": True}
    )
    return user


def bills(year: int = 2026, due_on: date = date(2026, 3, 31)):
    return services.dues_bills_create(year=year, due_on=due_on)
