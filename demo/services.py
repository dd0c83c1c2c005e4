"""Loading the demo: the association's bulletin 2022年第11期 and the facts it states."""

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site
from django.db import models, transaction
from django.utils import timezone

from awards.models import Award, Honour
from bulletin.models import Article, Issue
from bulletin.services import bulletin_import
from dues import services as dues_services
from dues.models import DuesBill, FeeSchedule
from events.models import AgendaItem, Event
from members.models import (
    Company,
    Contact,
    CouncilSeat,
    IndustrySegment,
    Officer,
    SeatRole,
    Term,
)

from . import facts
from .door import door_event_load
from .notices import notices_load

# The bulletin gives days and sometimes "下午", never clock times: events are
# all-day, and these hours only place them within their days.
SHANGHAI = ZoneInfo("Asia/Shanghai")
HOURS = {"day": (time(9, 0), time(18, 0)), "afternoon": (time(14, 0), time(17, 0))}

ADMIN_EMAIL = "admin@demo.xiehui.local"
CONTACT_EMAIL = "contact@demo.xiehui.local"
# A local demo only: fixed passwords unless the environment gives others.
DEFAULT_ADMIN_PASSWORD = "xiehui-admin"
DEFAULT_CONTACT_PASSWORD = "xiehui-contact"
CONTACT_COMPANY = "中控技术"


class DemoContentError(Exception):
    """The bulletin import and the facts disagree, e.g. an article title is missing."""


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    # None when an existing account kept the password it has.
    password: str | None
    password_from_environment: bool


@dataclass
class DemoSummary:
    issue: Issue
    counts: dict[str, Tally] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)

    def tally(self, kind: str) -> Tally:
        return self.counts.setdefault(kind, Tally())


@transaction.atomic
def demo_load(*, stdout: TextIO | None = None, reset_passwords: bool = False) -> DemoSummary:
    """Load the bulletin 2022年第11期 and the facts it states as demo content.

    Imports the issue through ``bulletin_import``, then upserts industry segments,
    member companies, the current term with its seats and officers, events with
    their agenda, awards and honours (all from ``demo.facts``), links articles to
    the companies they are about, and creates a demo admin and a demo contact;
    then dues, and notices with a reply slip and documents (``demo.notices``), and an
    upcoming event with registrations to check in at the door (``demo.door``).
    Rows are matched on natural keys, so running it again changes nothing; values
    the bulletin does not state are never written, so what the secretariat filled
    in stays. Existing demo users keep their passwords unless ``reset_passwords``.
    """

    def say(message: str) -> None:
        if stdout is not None:
            stdout.write(message + "\n")

    say("导入会刊 / importing the bulletin …")
    articles, summary = _bulletin_load()
    say("写入会员、理事会、活动与荣誉 / members, council, events and honours …")
    segments = _segments_load(summary.tally("segments"))
    companies = _companies_load(segments, summary.tally("companies"))
    _council_load(companies, summary)
    _article_links_load(articles, companies, summary.tally("article_links"))
    _events_load(articles, companies, summary)
    _honours_load(articles, companies, summary)
    _about_pages_load(summary.tally("pages"))
    say("创建演示账号 / demo accounts …")
    summary.logins = _users_load(
        companies[CONTACT_COMPANY], summary.tally("users"), reset_passwords=reset_passwords
    )
    say("会费标准、账单与收款 / dues …")
    _dues_load(companies, summary)
    say("通知公告与协会文件 / notices and documents …")
    notices_load(companies, summary)
    say("签到演示活动与报名 / an upcoming event to check in at …")
    demo_contact = Contact.objects.filter(user__email=CONTACT_EMAIL).first()
    door_event_load(companies, demo_contact, summary)
    return summary


# ------------------------------------------------------------------------------------ dues
# The association's fee schedule as its members would know it (the bulletin states none).
DEMO_FEES = {
    SeatRole.PRESIDENT: Decimal("50000"),
    SeatRole.VICE_PRESIDENT: Decimal("20000"),
    SeatRole.SUPERVISOR: Decimal("10000"),
    SeatRole.COUNCIL: Decimal("8000"),
    SeatRole.MEMBER: Decimal("3000"),
}


def _dues_load(companies: dict[str, Company], summary: DemoSummary) -> None:
    """A fee schedule, this year's bills in every state, and last year's arrears.

    This year's bills fall due at the end of the year (or of March, early in
    the year), so that some are still open; most are paid, by transfer with a
    receipt, one is paid in part (the demo contact's company, with a 发票
    asked for when its taxpayer number is known), one is waived, and one
    company still owes last year's.
    Payments are recorded once: a bill that has any is left as it is.
    """
    term = Term.objects.current().first()
    if term is None:
        return
    tally = summary.tally("dues")
    for role, amount in DEMO_FEES.items():
        if not FeeSchedule.objects.filter(term=term, role=role).exists():
            dues_services.fee_set(term=term, role=role, amount=amount)
            tally.created += 1
    today = timezone.localdate()
    year = today.year
    due_on = date(year, 3, 31) if today.month <= 2 else date(year, 12, 31)
    admin = get_user_model().objects.get(email__iexact=ADMIN_EMAIL)
    last_year = dues_services.dues_bills_create(year=year - 1, due_on=date(year - 1, 3, 31))
    this_year = dues_services.dues_bills_create(year=year, due_on=due_on)
    tally.created += len(last_year) + len(this_year)
    bills = {
        bill.company_id: bill
        for bill in DuesBill.objects.filter(year=year).select_related("company")
    }
    ordered = [bills[company.pk] for company in companies.values() if company.pk in bills]
    contact_company = companies[CONTACT_COMPANY].pk
    for index, bill in enumerate(ordered):
        if bill.payments.exists() or bill.waived:
            continue
        paid_on = min(today, date(year, 1, 10) + timedelta(days=7 * index))
        if bill.company_id == contact_company:
            payment = dues_services.payment_record(
                bill=bill, amount=(bill.amount / 2).quantize(Decimal("0.01")),
                method="bank_transfer", paid_on=paid_on, reference=f"HZ{paid_on:%Y%m%d}0007",
                by=admin,
            )  # fmt: skip
            contact = Contact.objects.filter(company_id=contact_company).first()
            # A 发票 needs the taxpayer number, which the bulletin does not state.
            if contact is not None and bill.company.credit_code:
                dues_services.invoice_request_create(
                    payment=payment, contact=contact, kind="ordinary", title=bill.company.name,
                    tax_number=bill.company.credit_code, email=contact.user.email,
                )  # fmt: skip
        elif index == 3:
            dues_services.bills_waive(bills=[bill], reason="年度会费减免（演示）")
        elif index % 5 == 4:
            continue  # unpaid (overdue once the due date passes)
        else:
            dues_services.payment_record(
                bill=bill, amount=bill.amount, method="bank_transfer", paid_on=paid_on,
                reference=f"HZ{paid_on:%Y%m%d}{index:04d}", by=admin,
            )  # fmt: skip
        tally.updated += 1
    # Last year: paid by all but one, who is in arrears.
    for index, bill in enumerate(
        DuesBill.objects.filter(year=year - 1).order_by("company__name").select_related("company")
    ):
        if index == 1 or bill.payments.exists():
            continue
        dues_services.payment_record(
            bill=bill, amount=bill.amount, method="bank_transfer",
            paid_on=date(year - 1, 3, 1) + timedelta(days=index), by=admin,
        )  # fmt: skip


# --------------------------------------------------------------------------- about pages
def _about_pages_load(tally: Tally) -> None:
    site = Site.objects.get_current()
    for fact in facts.ABOUT_PAGES:
        page = FlatPage.objects.filter(url=fact.url).first()
        if page is None:
            page = FlatPage.objects.create(url=fact.url, title=fact.title, content=fact.content)
            tally.created += 1
        else:
            tally.unchanged += 1  # the secretariat's text wins over the demo's
        page.sites.add(site)


# ------------------------------------------------------------------------------ bulletin
def _bulletin_load() -> tuple[dict[str, Article], DemoSummary]:
    folder = Path(apps.get_app_config("bulletin").path) / "demo"
    toc = folder / facts.TOC_FILE
    result = bulletin_import(
        text=(folder / facts.BULLETIN_FILE).read_text(encoding="utf-8"),
        toc=toc.read_text(encoding="utf-8") if toc.exists() else None,
        year=facts.ISSUE_YEAR,
        number=facts.ISSUE_NUMBER,
        title=facts.ISSUE_TITLE,
        published_on=facts.ISSUE_PUBLISHED_ON,
    )
    summary = DemoSummary(issue=result.issue)
    summary.counts["articles"] = Tally(created=result.created, updated=result.updated)
    by_title = {_title_key(article.title): article for article in result.articles}
    articles = {}
    for fact in facts.ARTICLES:
        article = by_title.get(_title_key(fact.title))
        if article is None:
            raise DemoContentError(f"会刊中没有这篇文章 / no article titled {fact.title!r}")
        articles[fact.title] = article
    return articles, summary


def _title_key(title: str) -> str:
    return "".join(title.split())


# ------------------------------------------------------------------------------- members
def _segments_load(tally: Tally) -> dict[str, IndustrySegment]:
    return {
        fact.name: _upsert(
            IndustrySegment,
            lookup={"name": fact.name},
            values={"english_name": fact.english_name, "order": fact.order},
            tally=tally,
        )
        for fact in facts.SEGMENTS
    }


def _companies_load(segments: dict[str, IndustrySegment], tally: Tally) -> dict[str, Company]:
    return {fact.short_name: _company_upsert(fact, segments, tally) for fact in facts.COMPANIES}


def _company_upsert(
    fact: facts.CompanyFact, segments: dict[str, IndustrySegment], tally: Tally
) -> Company:
    """One row per real company, found by its name or any spelling of it.

    Only what the bulletin states is written, never a blank over a value the
    secretariat entered; aliases are added to, not replaced.
    """
    spellings = [fact.name, fact.short_name, *fact.aliases]
    company = Company.objects.filter(name=fact.name).first()
    if company is None:
        matches = {c for spelling in spellings for c in Company.objects.matching_name(spelling)}
        if len(matches) > 1:
            names = "、".join(sorted(c.name for c in matches))
            raise DemoContentError(f"{fact.name} 对应多家会员单位 / matches several: {names}")
        company = matches.pop() if matches else None
    stated = {
        "short_name": fact.short_name,
        "english_name": fact.english_name,
        "city": str(fact.city),
        "industry_id": segments[fact.segment].pk if fact.segment else None,
    }
    values = {name: value for name, value in stated.items() if value}
    if company is None:
        tally.created += 1
        return Company.objects.create(
            name=fact.name,
            aliases=list(fact.aliases),
            status=Company.Status.ACTIVE,
            **values,
        )
    # Add the bulletin's spellings the row lacks; a row found under another spelling
    # keeps the name the secretariat gave it and gets the bulletin's name as an alias.
    known = {company.name, company.short_name, *company.aliases}
    new_aliases = [alias for alias in (fact.name, *fact.aliases) if alias not in known]
    if new_aliases:
        values["aliases"] = [*company.aliases, *new_aliases]
    return _apply(company, values, tally)


def _council_load(companies: dict[str, Company], summary: DemoSummary) -> None:
    fact = facts.TERM
    # Never take "current" from a term the secretariat made current.
    other_current = Term.objects.current().exclude(ordinal=fact.ordinal).exists()
    term = _upsert(
        Term,
        lookup={"ordinal": fact.ordinal},
        values={
            "name": fact.name,
            "is_current": fact.is_current and not other_current,
            **{
                k: v for k, v in {"starts_on": fact.starts_on, "ends_on": fact.ends_on}.items() if v
            },
        },
        tally=summary.tally("terms"),
    )
    for company_fact in facts.COMPANIES:
        _upsert(
            CouncilSeat,
            lookup={"term": term, "company": companies[company_fact.short_name]},
            values={"role": int(company_fact.role)},
            tally=summary.tally("seats"),
        )
    for officer in facts.OFFICERS:
        _upsert(
            Officer,
            lookup={"term": term, "name": officer.name, "office": int(officer.office)},
            values={
                "affiliation": officer.affiliation,
                "company_id": companies[officer.company].pk if officer.company else None,
                "order": officer.order,
            },
            tally=summary.tally("officers"),
        )


def _article_links_load(
    articles: dict[str, Article], companies: dict[str, Company], tally: Tally
) -> None:
    for fact in facts.ARTICLES:
        _link(articles[fact.title].companies, [companies[key] for key in fact.companies], tally)


# -------------------------------------------------------------------------------- events
def _events_load(
    articles: dict[str, Article], companies: dict[str, Company], summary: DemoSummary
) -> None:
    for fact in facts.EVENTS:
        day_start = datetime.combine(fact.starts_on, time(0, 0), tzinfo=SHANGHAI)
        event = _upsert(
            Event,
            lookup={
                "title": fact.title,
                "starts_at__gte": day_start,
                "starts_at__lt": day_start + timedelta(days=1),
            },
            values={
                "title": fact.title,
                "kind": str(fact.kind),
                "summary": fact.summary,
                "starts_at": _at(fact.starts_on, fact.part_of_day, end=False),
                "ends_at": _at(fact.ends_on, fact.part_of_day, end=True),
                "all_day": True,
                "original_starts_at": (
                    _at(fact.original_starts_on, fact.part_of_day, end=False)
                    if fact.original_starts_on
                    else None
                ),
                "venue": fact.venue,
                "city": fact.city,
                "organiser": fact.organiser,
                "members_only": fact.members_only,
                "status": Event.Status.PUBLISHED,
                "report_id": articles[fact.report].pk if fact.report else None,
            },
            tally=summary.tally("events"),
        )
        _link(
            event.co_organisers,
            [companies[key] for key in fact.co_organisers],
            summary.tally("co_organiser_links"),
        )
        for order, item in enumerate(fact.agenda, start=1):
            _upsert(
                AgendaItem,
                lookup={"event": event, "order": order},
                values={
                    "title": item.title,
                    "speaker": item.speaker,
                    "host": item.host,
                    "starts_at": item.starts_at,
                    "ends_at": item.ends_at,
                },
                tally=summary.tally("agenda_items"),
            )
        event.agenda_items.filter(order__gt=len(fact.agenda)).delete()


def _at(day: date, part_of_day: str, *, end: bool) -> datetime:
    return datetime.combine(day, HOURS[part_of_day][int(end)], tzinfo=SHANGHAI)


# -------------------------------------------------------------------------------- awards
def _honours_load(
    articles: dict[str, Article], companies: dict[str, Company], summary: DemoSummary
) -> None:
    awards = {
        key: _upsert(
            Award,
            lookup={"name": fact.name, "issuer": fact.issuer},
            values={
                "level": str(fact.level),
                "kind": str(fact.kind),
                "description": fact.description,
            },
            tally=summary.tally("awards"),
        )
        for key, fact in facts.AWARDS.items()
    }
    for fact in facts.HONOURS:
        _upsert(
            Honour,
            lookup={
                "award": awards[fact.award],
                "year": fact.year,
                "company": companies[fact.company],
                "person": fact.person,
                "project": fact.project,
            },
            values={
                "grade": fact.grade,
                "document_number": fact.document_number,
                "awarded_on": fact.awarded_on,
                "source_article_id": articles[fact.source].pk,
                # From the association's own bulletin.
                "verified": True,
            },
            tally=summary.tally("honours"),
        )


# --------------------------------------------------------------------------------- users
def _users_load(company: Company, tally: Tally, *, reset_passwords: bool) -> list[DemoLogin]:
    admin, admin_login = _demo_user(
        email=ADMIN_EMAIL,
        name="演示管理员",
        role="演示管理员 / demo admin",
        password_variable="DEMO_ADMIN_PASSWORD",
        default_password=DEFAULT_ADMIN_PASSWORD,
        superuser=True,
        reset_passwords=reset_passwords,
        tally=tally,
    )
    contact_user, contact_login = _demo_user(
        email=CONTACT_EMAIL,
        name="演示联系人",
        role=f"演示联系人（{company.display_name}）/ demo contact",
        password_variable="DEMO_CONTACT_PASSWORD",
        default_password=DEFAULT_CONTACT_PASSWORD,
        superuser=False,
        reset_passwords=reset_passwords,
        tally=tally,
    )
    # One primary contact per company: stay secondary if the company has another.
    other_primary = (
        Contact.objects.filter(company=company, is_primary=True).exclude(user=contact_user).exists()
    )
    _upsert(
        Contact,
        lookup={"user": contact_user},
        values={
            "company_id": company.pk,
            "job_title": "工作联系人（演示账号）",
            "is_primary": not other_primary,
        },
        tally=tally,
    )
    return [admin_login, contact_login]


def _demo_user(
    *,
    email: str,
    name: str,
    role: str,
    password_variable: str,
    default_password: str,
    superuser: bool,
    reset_passwords: bool,
    tally: Tally,
) -> tuple[AbstractBaseUser, DemoLogin]:
    User = get_user_model()
    from_environment = bool(os.environ.get(password_variable))
    password = os.environ.get(password_variable) or default_password
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        create = User.objects.create_superuser if superuser else User.objects.create_user
        user = create(email, password, name=name)
        tally.created += 1
        return user, DemoLogin(email, role, password, from_environment)
    values = {"is_active": True}
    if superuser:
        values |= {"is_staff": True, "is_superuser": True}
    changed = [key for key, value in values.items() if getattr(user, key) != value]
    for key in changed:
        setattr(user, key, values[key])
    if reset_passwords:
        user.set_password(password)
        changed.append("password")
    if changed:
        user.save(update_fields=changed)
        tally.updated += 1
    else:
        tally.unchanged += 1
    shown = password if reset_passwords else None
    return user, DemoLogin(email, role, shown, from_environment)


# ------------------------------------------------------------------------------- helpers
def _upsert(model: type[models.Model], *, lookup: dict, values: dict, tally: Tally):
    """Find ``model`` by ``lookup`` and make it hold ``values``; count what happened."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        plain = {k: v for k, v in lookup.items() if "__" not in k and k not in values}
        tally.created += 1
        return model.objects.create(**plain, **values)
    return _apply(obj, values, tally)


def _apply(obj: models.Model, values: dict, tally: Tally):
    changed = [key for key, value in values.items() if getattr(obj, key) != value]
    if not changed:
        tally.unchanged += 1
        return obj
    for key in changed:
        setattr(obj, key, values[key])
    auto_now = [f.name for f in obj._meta.concrete_fields if getattr(f, "auto_now", False)]
    obj.save(update_fields=[*changed, *auto_now])
    tally.updated += 1
    return obj


def _link(manager, companies: Iterable[Company], tally: Tally) -> None:
    """Add the missing links of an M2M ``manager``; never removes or duplicates any."""
    wanted = {company.pk for company in companies}
    present = set(manager.filter(pk__in=wanted).values_list("pk", flat=True))
    missing = wanted - present
    if missing:
        manager.add(*missing)
    tally.created += len(missing)
    tally.unchanged += len(present)
