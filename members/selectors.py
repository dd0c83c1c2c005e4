"""Reads of the members app that are more than one QuerySet method."""

from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404

from awards.models import Honour
from bulletin.models import Article
from events.models import Event

from . import profile_fields
from .models import Company, CouncilSeat, Office, Officer, ProfileChange, SeatRole, Term

# What the directory shows of each company; nothing else is loaded.
DIRECTORY_FIELDS = (
    "id",
    "name",
    "short_name",
    "english_name",
    "city",
    "logo",
    "industry__name",
    "industry__english_name",
)
# President units first, companies without a seat in the current term last.
DIRECTORY_ORDER = (F("current_role").asc(nulls_last=True), "name")
COMPANY_NEWS_LIMIT = 10


def directory_companies() -> QuerySet[Company]:
    """Listed companies with their current role, president units first, then by name.

    The role comes from a join with the current term's seats (one per company),
    not a subquery per company: the order needs the role of every match.
    """
    current_term = Term.objects.current().order_by().values("pk")[:1]
    current_seat = FilteredRelation("seats", condition=Q(seats__term=Subquery(current_term)))
    return (
        Company.objects.listed()
        .select_related("industry")
        .only(*DIRECTORY_FIELDS)
        .annotate(current_seat=current_seat)
        .annotate(current_role=F("current_seat__role"))
        .order_by(*DIRECTORY_ORDER)
    )


@dataclass(frozen=True)
class RoleCount:
    role: SeatRole
    count: int


def current_role_counts() -> list[RoleCount]:
    """How many listed companies hold each role in the current term, in role order."""
    counts = dict(
        CouncilSeat.objects.filter(term__is_current=True, company__in=Company.objects.listed())
        .values_list("role")
        .annotate(count=Count("id"))
        .order_by()
    )
    return [RoleCount(SeatRole(role), counts[role]) for role in SeatRole.values if role in counts]


def association_figures() -> dict[str, int]:
    """The association in figures: listed member companies, council units of the current
    term (president to council units), public honours. Each a count from an index."""
    listed = Company.objects.listed()
    council = CouncilSeat.objects.filter(
        term__is_current=True, role__lte=SeatRole.COUNCIL, company__in=listed
    )
    return {
        "companies": listed.count(),
        "council": council.count(),
        "honours": Honour.objects.public().count(),
    }


def listed_company(pk: int) -> Company:
    """A listed company with its public fields only (never the credit code), or 404."""
    return get_object_or_404(
        Company.objects.listed()
        .select_related("industry")
        .only("id", *Company.PUBLIC_FIELDS, "industry__name", "industry__english_name"),
        pk=pk,
    )


@dataclass
class CompanyProfile:
    company: Company
    current_seat: CouncilSeat | None
    earlier_seats: list[CouncilSeat]
    honours: list[Honour]
    articles: list[Article]
    events: list[Event]


def company_profile(company: Company) -> CompanyProfile:
    """Everything the public page of ``company`` shows besides its own fields."""
    seats = list(
        CouncilSeat.objects.filter(company=company)
        .select_related("term")
        .only("role", "company_id", "term__ordinal", "term__name", "term__is_current")
        .order_by("-term__ordinal")
    )
    current_seat = next((seat for seat in seats if seat.term.is_current), None)
    honours = list(
        Honour.objects.public()
        .filter(company=company)
        .select_related("award")
        .only(
            "year",
            "person",
            "project",
            "grade",
            "document_number",
            "awarded_on",
            "award__name",
            "award__level",
        )
        .order_by("-year", F("awarded_on").desc(nulls_last=True), "award__name", "id")
    )
    # The newest ids from the indexes alone (a company may be in a thousand articles),
    # then the titles of those few: one query, newest first (Meta).
    newest = Article.objects.published().filter(companies=company).values("pk")
    articles = list(
        Article.objects.filter(pk__in=Subquery(newest[:COMPANY_NEWS_LIMIT])).only(
            "id", "title", "published_at"
        )
    )
    events = list(
        Event.objects.visible()
        .filter(co_organisers=company)
        .only("id", "title", "starts_at", "all_day", "city", "status")
        .order_by("-starts_at")
    )
    return CompanyProfile(
        company=company,
        current_seat=current_seat,
        earlier_seats=[seat for seat in seats if seat is not current_seat],
        honours=honours,
        articles=articles,
        events=events,
    )


@dataclass
class OfficeGroup:
    office: Office
    officers: list[Officer]


@dataclass
class RoleGroup:
    role: SeatRole
    seats: list[CouncilSeat]


@dataclass
class Leadership:
    term: Term | None
    terms: list[Term]
    offices: list[OfficeGroup] = field(default_factory=list)
    roles: list[RoleGroup] = field(default_factory=list)
    member_units: int = 0


def term_leadership(ordinal: int | None = None) -> Leadership:
    """A term's officers and council seats (the current term without ``ordinal``).

    Raises Http404 for an unknown ordinal; without a current term, the result
    has no term (and lists the terms there are).
    """
    terms = list(Term.objects.order_by("-ordinal"))
    if ordinal is None:
        term = next((t for t in terms if t.is_current), None)
    else:
        term = next((t for t in terms if t.ordinal == ordinal), None)
        if term is None:
            raise Http404("No such term")
    if term is None:
        return Leadership(term=None, terms=terms)

    officers = (
        Officer.objects.filter(term=term)
        .select_related("company")
        .only(
            "name",
            "office",
            "affiliation",
            "order",
            "company__id",
            "company__name",
            "company__short_name",
        )
        # Only a listed company gets a link; the rule is Company.objects.listed()'s.
        .annotate(company_is_listed=Exists(Company.objects.listed().filter(pk=OuterRef("company"))))
        .order_by("office", "order", "name")
    )
    seats = (
        CouncilSeat.objects.filter(term=term, company__in=Company.objects.listed())
        .select_related("company")
        .only(
            "role",
            "company__id",
            "company__name",
            "company__short_name",
            "company__english_name",
        )
        .order_by("role", "company__name")
    )
    # Member units are the many; the directory lists them, this page counts them.
    council_seats = list(seats.filter(role__lt=SeatRole.MEMBER))
    member_units = seats.filter(role=SeatRole.MEMBER).count()
    return Leadership(
        term=term,
        terms=terms,
        offices=[
            OfficeGroup(Office(office), list(group))
            for office, group in groupby(officers, key=lambda o: o.office)
        ],
        roles=[
            RoleGroup(SeatRole(role), list(group))
            for role, group in groupby(council_seats, key=lambda s: s.role)
        ],
        member_units=member_units,
    )


@dataclass(frozen=True)
class ProfileChangeRow:
    """One field of a profile change: what the contact saw, wants, and what is there now."""

    name: str
    label: str
    old: str
    new: str
    current: str
    # The company's value is no longer what the contact saw.
    conflict: bool


def profile_change_rows(
    change: ProfileChange, *, company: Company | None = None
) -> list[ProfileChangeRow]:
    """The fields of ``change`` in the order of the profile form, for review or for the contact."""
    company = company or change.company
    order = {name: index for index, name in enumerate(profile_fields.EDITABLE_FIELDS)}
    items = sorted(
        (
            (name, values if isinstance(values, dict) else {"old": None, "new": values})
            for name, values in change.changes.items()
        ),
        key=lambda item: order.get(item[0], len(order)),
    )
    current = {name: profile_fields.stored_value(company, name) for name, _values in items}
    industries = profile_fields.IndustryNames.for_values(
        [values.get(key) for name, values in items if name == "industry" for key in ("old", "new")]
        + [current.get("industry")]
    )
    rows = []
    for name, values in items:
        old, new = values.get("old"), values.get("new")
        rows.append(
            ProfileChangeRow(
                name=name,
                label=profile_fields.field_label(name),
                old=profile_fields.display_value(name, old, industries),
                new=profile_fields.display_value(name, new, industries),
                current=profile_fields.display_value(name, current[name], industries),
                conflict=change.status == ProfileChange.Status.PENDING and current[name] != old,
            )
        )
    return rows
