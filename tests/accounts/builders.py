"""Small builders for the member pages' tests: companies, contacts, open events."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from events.models import Event
from members.credit_code import check_character
from members.models import City, Company, Contact, Term

PASSWORD = "correct horse battery"


def credit_code(seed: int) -> str:
    first17 = f"91330100MA{seed:07d}"
    return first17 + check_character(first17)


def make_company(name: str, *, seed: int = 1, **fields) -> Company:
    fields.setdefault("short_name", name[:4])
    fields.setdefault("city", City.HANGZHOU)
    return Company.objects.create(name=name, credit_code=credit_code(seed), **fields)


def make_contact(
    company: Company, email: str, *, name: str = "", primary: bool = False, password=PASSWORD
) -> Contact:
    user = User.objects.create_user(email, password, name=name or email.split("@")[0])
    return Contact.objects.create(
        user=user, company=company, is_primary=primary, job_title="联络员", phone="13800000001"
    )


def make_term() -> Term:
    return Term.objects.get_or_create(
        ordinal=7, defaults={"name": "第七届理事会", "is_current": True}
    )[0]


def open_event(
    *, capacity: int | None = None, per_company_limit: int | None = None, title: str = ""
) -> Event:
    """A published event a week from now whose registration window is open."""
    now = timezone.now()
    return Event.objects.create(
        title=title or "浙仪协工作联系人交流活动",
        kind=Event.Kind.LIAISON_DAY,
        starts_at=now + timedelta(days=7),
        ends_at=now + timedelta(days=7, hours=8),
        venue="中控科技体验中心",
        city="杭州",
        capacity=capacity,
        per_company_limit=per_company_limit,
        registration_opens_at=now - timedelta(days=1),
        registration_closes_at=now + timedelta(days=6),
        status=Event.Status.PUBLISHED,
    )
