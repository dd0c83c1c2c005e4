"""Who may open what under /account/ and on the registration and profile-change actions.

The table below names every URL pattern under /account/ (and the event
registration view). A contact of company A asking for company B's objects
gets 404 (or 403), never B's data; an anonymous visitor is sent to sign in.
A URL pattern under /account/ that is missing from the table fails the
test, so a new member view is added here, and checked, on purpose.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import User
from dues import services as dues_services
from events import services as event_services
from events.models import Registration
from events.services import Attendee
from members import services as member_services
from members.models import CouncilSeat, ProfileChange, SeatRole
from tests.accounts.builders import make_company, make_contact, make_term, open_event

pytestmark = pytest.mark.django_db

# Open to everyone by design: signing in and setting a password.
PUBLIC = "public"
# About the signed-in contact's own company only: no object of another company in the URL.
OWN = "own"
# Names an object: the test points it at company B's.
OBJECT = "object"


@dataclass(frozen=True)
class View:
    kind: str
    kwargs: object = None  # callable(b) -> kwargs for company B's object
    methods: tuple = ("get", "post")


PASSWORD_KWARGS = {"uidb64": "MQ", "token": "set-password"}

VIEWS = {
    "accounts:login": View(PUBLIC),
    "accounts:logout": View(PUBLIC),
    "accounts:password_reset": View(PUBLIC),
    "accounts:password_reset_done": View(PUBLIC),
    "accounts:password_reset_confirm": View(PUBLIC, lambda b: PASSWORD_KWARGS),
    "accounts:password_reset_complete": View(PUBLIC),
    "accounts:set_password": View(PUBLIC, lambda b: PASSWORD_KWARGS),
    "accounts:set_password_done": View(PUBLIC),
    "accounts:dashboard": View(OWN, methods=("get",)),
    "accounts:profile": View(OWN),
    "accounts:profile_change_detail": View(OBJECT, lambda b: {"pk": b.change.pk}, methods=("get",)),
    "accounts:profile_change_withdraw": View(
        OBJECT, lambda b: {"pk": b.change.pk}, methods=("post",)
    ),
    "accounts:details": View(OWN),
    "accounts:preferences": View(OWN),
    "accounts:colleagues": View(OWN, methods=("get",)),
    "accounts:colleague_invite": View(OWN),
    "accounts:colleague_deactivate": View(OBJECT, lambda b: {"pk": b.colleague.pk}),
    "accounts:registrations": View(OWN, methods=("get",)),
    "accounts:registration_cancel": View(OBJECT, lambda b: {"pk": b.registration.pk}),
    "accounts:dues": View(OWN, methods=("get",)),
    "accounts:notices": View(OWN, methods=("get",)),
    "accounts:dues_receipt": View(OBJECT, lambda b: {"pk": b.payment.pk}, methods=("get",)),
    "accounts:dues_invoice_request": View(OBJECT, lambda b: {"pk": b.payment.pk}),
    "accounts:dues_invoice": View(OBJECT, lambda b: {"pk": b.invoice.pk}, methods=("get",)),
    # Events are not a company's: A registers for A; B's registrations never show.
    "events:register": View(OWN, lambda b: {"pk": b.event.pk}),
}


def url_patterns(resolver=None, namespace="", prefix=""):
    """(qualified name, route) of every URL pattern, with its full route."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_patterns(entry, inner, route)
        elif isinstance(entry, URLPattern):
            # An unnamed pattern is listed by its route, which the table cannot name.
            yield (f"{namespace}{entry.name}" if entry.name else route), route


def member_url_names() -> set[str]:
    """Every URL name under /account/, in any language, and the registration views."""
    names = set()
    for name, route in url_patterns():
        route = route.removeprefix("en/")
        if route.startswith("account/") or (name.startswith("events:") and "regist" in name):
            names.add(name)
    return names


def test_the_table_names_every_member_url_and_no_other():
    found = member_url_names()

    missing = found - set(VIEWS)
    assert not missing, f"add these member views to VIEWS, with their access check: {missing}"
    stale = set(VIEWS) - found
    assert not stale, f"these views are gone: {stale}"


@pytest.fixture
def world():
    a_company = make_company("浙江甲仪表有限公司", seed=1)
    b_company = make_company("浙江乙仪表有限公司", seed=2)
    a = make_contact(a_company, "a@example.com", primary=True)
    a_colleague = make_contact(a_company, "a2@example.com")
    b = make_contact(b_company, "b@example.com", primary=True)
    b_colleague = make_contact(b_company, "b-colleague@example.com", name="乙同事")
    event = open_event(capacity=1)
    b_registration = event_services.registration_create(
        event=event,
        contact=b,
        attendees=[Attendee(name="乙公司参会人", email="b-attendee@example.com")],
    )[0]
    b_change = member_services.profile_change_submit(contact=b, data={"phone": "0571-99999999"})
    b_payment, b_invoice = _dues_of(b)
    return SimpleNamespace(
        a=a,
        a_colleague=a_colleague,
        b=SimpleNamespace(
            contact=b,
            colleague=b_colleague,
            registration=b_registration,
            change=b_change,
            event=event,
            payment=b_payment,
            invoice=b_invoice,
        ),
    )


def _dues_of(contact):
    """A bill of the contact's company, paid, with an issued 发票 and its PDF."""
    term = make_term()
    CouncilSeat.objects.create(term=term, company=contact.company, role=SeatRole.COUNCIL)
    dues_services.fee_set(term=term, role=SeatRole.COUNCIL, amount=Decimal("8765.43"))
    bill = dues_services.dues_bills_create(year=2026, due_on=date(2026, 3, 31))[0]
    treasurer = User.objects.create_user("treasurer@example.com", "x", is_staff=True)
    payment = dues_services.payment_record(
        bill=bill,
        amount=Decimal("8765.43"),
        method="bank_transfer",
        paid_on=date(2026, 3, 1),
        reference="B-SECRET-REF",
        by=treasurer,
    )
    invoice = dues_services.invoice_request_create(
        payment=payment,
        contact=contact,
        kind="ordinary",
        title=contact.company.name,
        tax_number=contact.company.credit_code,
        email="b-invoice@example.com",
    )
    invoice = dues_services.invoice_mark_issued(
        request=invoice,
        invoice_number="B-INVOICE-0001",
        pdf=SimpleUploadedFile("i.pdf", b"%PDF-1.4 b's invoice"),
        by=treasurer,
    )
    return payment, invoice


def url_for(name: str, world) -> str:
    view = VIEWS[name]
    kwargs = view.kwargs(world.b) if view.kwargs else {}
    return reverse(name, kwargs=kwargs)


def member_views(*kinds):
    return [name for name, view in VIEWS.items() if view.kind in kinds]


@pytest.mark.parametrize("name", member_views(OWN, OBJECT))
@pytest.mark.parametrize("language", ["", "/en"])
def test_anonymous_visitors_are_sent_to_sign_in(client, world, name, language):
    url = language + url_for(name, world)
    login = language + reverse("accounts:login")

    for method in VIEWS[name].methods:
        response = getattr(client, method)(url)
        assert response.status_code == 302, f"{method.upper()} {url}"
        assert response["Location"].startswith(f"{login}?next="), f"{method.upper()} {url}"


@pytest.mark.parametrize("name", member_views(OBJECT))
@pytest.mark.parametrize("who", ["a", "a_colleague"])
def test_a_contact_never_reaches_another_companys_objects(client, world, name, who):
    client.force_login(getattr(world, who).user)
    url = url_for(name, world)

    for method in VIEWS[name].methods:
        response = getattr(client, method)(url)
        assert response.status_code in (403, 404), f"{method.upper()} {url}"

    registration = Registration.objects.get(pk=world.b.registration.pk)
    assert registration.status == Registration.Status.CONFIRMED
    world.b.colleague.user.refresh_from_db()
    assert world.b.colleague.user.is_active
    assert ProfileChange.objects.get(pk=world.b.change.pk).status == "pending"


B_SECRETS = (
    "乙公司参会人",
    "b-attendee@example.com",
    "b-colleague@example.com",
    "0571-99999999",
    "8,765.43",
    "B-INVOICE-0001",
)


@pytest.mark.parametrize("name", member_views(OWN))
def test_a_contacts_own_pages_show_nothing_of_another_company(client, world, name):
    client.force_login(world.a.user)
    url = url_for(name, world)

    response = client.get(url)

    assert response.status_code == 200, url
    content = response.content.decode()
    for secret in B_SECRETS:
        assert secret not in content, f"{url} shows {secret}"


@pytest.mark.parametrize("name", member_views(OWN, OBJECT))
def test_a_signed_in_user_without_a_contact_gets_404(client, world, name, django_user_model):
    staff = django_user_model.objects.create_user("staff@example.com", "x", is_staff=True)
    client.force_login(staff)
    url = url_for(name, world)

    for method in VIEWS[name].methods:
        assert getattr(client, method)(url).status_code == 404, f"{method.upper()} {url}"


@pytest.mark.parametrize(
    "name", ["admin:members_profilechange_approve", "admin:members_profilechange_reject"]
)
def test_a_contact_cannot_decide_a_profile_change(client, world, name):
    client.force_login(world.b.contact.user)

    response = client.post(reverse(name, args=[world.b.change.pk]), {"reason": "x"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert ProfileChange.objects.get(pk=world.b.change.pk).status == "pending"
