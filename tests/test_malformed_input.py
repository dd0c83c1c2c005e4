"""Malformed input never answers 5xx: every public and /account/ page, parameter and form field.

The pages come from the URL conf (the Chinese default at /, and a few
under /en/, and the back office's sign-in), with their path arguments
filled with real objects and, one at a time, with malformed values. Every
form on a page is read from the page itself (``html.parser``), and each of
its fields gets every malformed value below, one field at a time with the
others valid; so does the page number of a paginated page. Each value also
goes into all the known query parameters at once, by GET and by POST (a
GET-only page answers 405). An anonymous visitor goes through every page, then a member
contact: the contact's run asks for every page again and sweeps what only
a contact reaches (the member pages, their forms and their path
arguments); a form both see is swept once. A response of 500 or more
fails the test, which names the request, the field and the value.
"""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import quote, urlencode, urljoin, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.contrib.flatpages.models import FlatPage
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.tokens import invitation_token_generator
from awards.filters import HonourFilter
from bulletin.filters import ArticleFilter
from digests import tokens as digest_tokens
from digests.models import DigestDelivery, DigestRun, Frequency, Subscriber
from dues import services as dues_services
from dues.models import InvoiceKind, PaymentMethod
from events import services as event_services
from events import tickets as event_tickets
from events.filters import EventFilter
from events.services import Attendee
from members.filters import CompanyFilter
from notices import services as notice_services
from notices.models import Audience, Document, Notice, NoticeAttachment
from tests.accounts.builders import credit_code, make_contact, open_event
from tests.test_authorisation_matrix import url_patterns

pytestmark = pytest.mark.django_db

# Not public and not the member pages: the back office and the benchmark pages. The
# back office's sign-in page is public, and so is its editor's upload URL (ckeditor5/).
OTHER_PREFIXES = ("admin/", "bench/")
# Pages for signed-in contacts (the others are public).
MEMBER_ROUTES = ("account/", "events/<int:pk>/register/")
ENGLISH_PAGES = ["/en/", "/en/news/", "/en/members/", "/en/account/login/", "/en/account/profile/"]
BACK_OFFICE_PAGES = ["/admin/login/"]


@dataclass(frozen=True)
class Malformed:
    label: str
    values: tuple[str, ...] = ()
    raw: str = ""  # sent as is (one character a byte): bytes that are not UTF-8

    def encode(self, name: str) -> str:
        if self.raw:
            return f"{quote(name)}={self.raw}"
        return urlencode([(name, value) for value in self.values])


MALFORMED = [
    Malformed("10,000 characters", ("x" * 10_000,)),
    Malformed("a NUL byte", ("\x00",)),
    Malformed("invalid UTF-8, percent-encoded", raw="%FF%FE"),
    Malformed("invalid UTF-8, raw bytes", raw="\xff\xfe"),
    Malformed("a huge number", ("99999999999999999999",)),
    Malformed("a negative number", ("-1",)),
    Malformed("zero", ("0",)),
    Malformed("not a number", ("abc",)),
    Malformed("no such date", ("2026-13-45",)),
    Malformed("no such moment", ("2026-13-45T25:61:00+08:00",)),
    Malformed("a word for a date", ("yesterday",)),
    Malformed("an array", ("1", "2")),
]

# The query parameters the views read: the list filters, the page number, sign-in's
# next, the sitemap's page.
KNOWN_PARAMS = sorted(
    {"page", "next", "p"}
    | set(ArticleFilter.base_filters)
    | set(CompanyFilter.base_filters)
    | set(EventFilter.base_filters)
    | set(HonourFilter.base_filters)
)

# Path arguments that no object has, by converter (those the converter refuses answer 404).
MALFORMED_ARGUMENTS = {
    "int": ["99999999999999999999", "0", "-1", "abc"],
    "slug": ["a" * 10_000, "%FF%FE", "-"],
    "str": ["x" * 10_000, "%00", "%FF%FE", "abc", "99999999999999999999"],
}

# Valid values for fields a page shows empty, so that one malformed field is the only fault.
VALID = {
    "username": "nobody@example.com",
    "password": "wrong password",
    "email": "new-person@example.com",
    "contact_email": "wangfang@example.com",
    "name": "王芳",
    "company_name": "宁波示例仪表科技有限公司",
    "contact_name": "王芳",
    "contact_phone": "0574-88888888",
    "credit_code": credit_code(seed=9),
    "city": "ningbo",
    # Two that differ: the contact's password never changes, so the contact stays signed in.
    "new_password1": "correct horse battery staple",
    "new_password2": "correct horse battery stable",
}

ROUTE_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def real_arguments(w) -> dict:
    """Path arguments of real objects, by URL name."""
    article = {"pk": w.article.pk}
    section = {"section": w.section.slug}
    uid = urlsafe_base64_encode(force_bytes(w.contact.user.pk))
    return {
        "bulletin:article_detail": article,
        "bulletin:article_qr": article,
        "bulletin:issue_detail": {"year": w.issue.year, "number": w.issue.number},
        "bulletin:section_feed_rss": section,
        "bulletin:section_feed_atom": section,
        "members:company_detail": {"pk": w.company.pk},
        "members:leadership_term": {"ordinal": w.term.ordinal},
        "events:event_detail": {"pk": w.event.pk},
        "events:event_ics": {"pk": w.event.pk},
        "events:register": {"pk": w.open_event.pk},
        "events:ticket_qr": {"code": event_tickets.ticket_code(w.open_registration)},
        "events:check_in": {"pk": w.open_event.pk},
        "events:check_in_search": {"pk": w.open_event.pk},
        "events:check_in_walk_in": {"pk": w.open_event.pk},
        "digests:subscribe_confirm": {"token": digest_tokens.confirm_token(w.subscriber.pk)},
        "digests:unsubscribe": {"token": digest_tokens.unsubscribe_token(w.subscriber.pk)},
        "digests:web_view": {"token": digest_tokens.web_view_token(w.delivery.pk)},
        "accounts:password_reset_confirm": {
            "uidb64": uid,
            "token": default_token_generator.make_token(w.contact.user),
        },
        "accounts:set_password": {
            "uidb64": uid,
            "token": invitation_token_generator.make_token(w.contact.user),
        },
        "accounts:profile_change_detail": {"pk": w.profile_change.pk},
        "accounts:profile_change_withdraw": {"pk": w.profile_change.pk},
        "accounts:colleague_deactivate": {"pk": w.colleague.pk},
        "accounts:registration_cancel": {"pk": w.open_registration.pk},
        "accounts:dues_receipt": {"pk": w.invoiced_payment.pk},
        "accounts:dues_invoice_request": {"pk": w.payment.pk},
        "accounts:dues_invoice": {"pk": w.invoice.pk},
        "notices:detail": {"pk": w.notice.pk},
        "notices:attachment": {"pk": w.notice.pk, "attachment_id": w.attachment.pk},
        "notices:reply_signed_in": {"pk": w.notice.pk},
        "notices:reply": {
            "pk": w.notice.pk,
            "token": notice_services.reply_token(w.notice.pk, w.contact.pk),
        },
        "notices:document": {"pk": w.document.pk},
    }


def covered_routes() -> list[tuple[str, str]]:
    """(name, route) of the public and /account/ URL patterns, in the default language."""
    with translation.override(settings.LANGUAGE_CODE):  # a request to /en/ leaves English on
        routes = list(url_patterns())
    return [
        (name, route)
        for name, route in routes
        if not route.startswith(OTHER_PREFIXES)
        and "<path:" not in route
        # Uploads served by Django in development only (config/urls.py, DEBUG at import).
        and not route.startswith("^" + settings.MEDIA_URL.lstrip("/"))
    ]


def fill(route: str, arguments: dict) -> str:
    return "/" + ROUTE_ARGUMENT.sub(lambda m: str(arguments[m["name"]]), route)


@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, str] = field(default_factory=dict)


class FormParser(HTMLParser):
    """The page's forms: method, action and each field's name with the value it shows."""

    def __init__(self):
        super().__init__()
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._form = Form(attrs.get("method", "get").lower(), attrs.get("action", ""))
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = attrs.get("name")
        fields = self._form.fields
        if tag in ("input", "button") and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                fields.setdefault(name, "")
                if "checked" in attrs and not fields[name]:
                    fields[name] = attrs.get("value", "on")
            elif kind != "file":
                fields[name] = attrs.get("value", "")
        elif tag == "select" and name:
            self._select = name
            fields[name] = ""
        elif tag == "option" and self._select:
            if "selected" in attrs:
                fields[self._select] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = ""

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def valid_value(name: str, shown: str) -> str:
    if shown:
        return shown
    if re.search(r"-[1-9]\d*-", name):  # a formset's later rows stay empty
        return ""
    return VALID.get(name.rsplit("-", 1)[-1], "")


@pytest.fixture
def world(demo_db, settings):
    # Wrong passwords by the hundred: no lockout, so that each sign-in is checked.
    settings.AXES_FAILURE_LIMIT = 1_000_000
    about = FlatPage.objects.create(url="/about/", title="协会简介", content="<p>简介</p>")
    about.sites.add(settings.SITE_ID)
    event = open_event(capacity=10, per_company_limit=3)
    registration = event_services.registration_create(
        event=event,
        contact=demo_db.contact,
        attendees=[Attendee(name="王五", email="wangwu@example.com")],
    )[0]
    subscriber = Subscriber.objects.create(email="reader@example.com", frequency=Frequency.WEEKLY)
    now = timezone.now()
    run = DigestRun.objects.create(frequency=Frequency.WEEKLY, scheduled_for=now.date())
    delivery = DigestDelivery.objects.create(
        run=run,
        subscriber=subscriber,
        status=DigestDelivery.Status.SENT,
        window_start=now - timedelta(days=7),
        window_end=now,
        sent_at=now,
    )
    invoiced_payment, payment, invoice = _dues_of(demo_db)
    notice = Notice.objects.create(
        title="关于召开会员大会的通知",
        audience=Audience.MEMBERS,
        status=Notice.Status.PUBLISHED,
        published_at=now - timedelta(hours=1),
        asks_reply=True,
        reply_deadline=now + timedelta(days=7),
        ask_people=True,
        ask_names=True,
        ask_text="住宿需求",
    )
    return SimpleNamespace(
        notice=notice,
        attachment=NoticeAttachment.objects.create(
            notice=notice, file=ContentFile(b"%PDF-1.4 agenda", name="a.pdf"), name="议程.pdf"
        ),
        document=Document.objects.create(
            title="会费标准",
            file=ContentFile(b"%PDF-1.4 fees", name="f.pdf"),
            filename="会费标准.pdf",
            is_public=False,
        ),
        **vars(demo_db),
        invoiced_payment=invoiced_payment,
        payment=payment,
        invoice=invoice,
        open_event=event,
        open_registration=registration,
        colleague=make_contact(demo_db.company, "colleague@example.com", name="赵六"),
        subscriber=subscriber,
        delivery=delivery,
    )


def _dues_of(demo):
    """Two payments of the demo company's bill: one with an issued 发票, one to ask one for."""
    dues_services.fee_set(term=demo.term, role=demo.seat.role, amount=Decimal("20000"))
    bill = dues_services.dues_bills_create(year=2026, due_on=date(2026, 3, 31))[0]
    invoiced, payment = (
        dues_services.payment_record(
            bill=bill,
            amount=Decimal("10000"),
            method=PaymentMethod.BANK_TRANSFER,
            paid_on=date(2026, 3, day),
            by=demo.secretary,
        )
        for day in (1, 2)
    )
    invoice = dues_services.invoice_request_create(
        payment=invoiced,
        contact=demo.contact,
        kind=InvoiceKind.ORDINARY,
        title=demo.company.name,
        tax_number=demo.company.credit_code,
        email="invoice@example.com",
    )
    invoice = dues_services.invoice_mark_issued(
        request=invoice,
        invoice_number="INV-0001",
        pdf=SimpleUploadedFile("invoice.pdf", b"%PDF-1.4 invoice"),
        by=demo.secretary,
    )
    return invoiced, payment, invoice


class Prober:
    """Sends the requests, as anyone or as a signed-in user, and keeps those answered 5xx."""

    def __init__(self, client):
        self.client = client
        self.client.raise_request_exception = False
        self.who = "anonymous"
        self.user = None
        self.failures: list[str] = []
        self.count = 0
        self.swept: set[tuple] = set()

    def sign_in(self, user, who: str) -> None:
        self.client.force_login(user)
        self.user, self.who = user, who

    def send(self, method: str, url: str, params: str = "", *, what: str = "", follow=False):
        """``params``: urlencoded, sent byte for byte as the query string (GET) or body (POST)."""
        self.count += 1
        path, _, query = url.partition("?")
        params = "&".join(part for part in (query, params) if part)
        savepoint = transaction.savepoint_create()
        if method == "get":
            response = self.client.get(path, follow=follow, QUERY_STRING=params)
        else:
            response = self.client.post(
                path, params.encode("latin-1"), content_type="application/x-www-form-urlencoded"
            )
        if response.status_code >= 500:
            # The test's transaction may be broken (a database error): go back to before.
            transaction.savepoint_rollback(savepoint)
            error = response.exc_info[1] if getattr(response, "exc_info", None) else None
            self.failures.append(
                f"{method.upper()} {url[:120]} {what} as {self.who}: {response.status_code}"
                + (f" ({type(error).__name__}: {str(error)[:160]})" if error else "")
            )
        else:
            transaction.savepoint_commit(savepoint)
        if self.user is not None and urlsplit(url).path.endswith("/account/logout/"):
            self.client.force_login(self.user)
        return response

    def forms_of(self, url: str) -> list[Form]:
        """The page's forms with absolute actions (and its page number, if it has pages)."""
        response = self.send("get", url, what="(the page)", follow=True)
        final = response.request["PATH_INFO"] if response.redirect_chain else url
        if self.user is not None:
            assert not final.endswith("/account/login/"), f"the contact was signed out at {url}"
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            return []
        parser = FormParser()
        parser.feed(response.content.decode())
        forms = []
        for form in parser.forms:
            action = urljoin(final, form.action)
            if urlsplit(action).netloc:  # another site
                continue
            form.action = action
            forms.append(form)
        if response.context and "page_obj" in response.context:
            forms.append(Form("get", final, {"page": ""}))
        return forms

    def sweep_form(self, form: Form) -> None:
        """Each field malformed in turn, with every value, the others valid.

        The later rows of a formset are the first row's fields again: each of
        those rows is malformed whole, with each value. A form shown again under
        /en/ is the same form, and is swept once.
        """
        key = (form.method, re.sub(r"^/en/", "/", form.action), tuple(form.fields))
        if key in self.swept:
            return
        self.swept.add(key)
        valid = {name: valid_value(name, shown) for name, shown in form.fields.items()}
        groups: dict[str, list[str]] = {}
        for name in form.fields:
            row = re.match(r"(.+-[1-9]\d*)-", name)
            groups.setdefault(row[1] if row else name, []).append(name)
        for label, names in groups.items():
            others = urlencode(
                [(other, value) for other, value in valid.items() if other not in names]
            )
            for malformed in MALFORMED:
                fields = "&".join(malformed.encode(name) for name in names)
                params = f"{others}&{fields}" if others else fields
                self.send(form.method, form.action, params, what=f"{label}={malformed.label}")

    def sweep_page(self, url: str, *, every_parameter: bool = True) -> None:
        """The page's forms, then every known parameter at once with each value.

        By GET, and by POST unless the page's own form was just swept by POST.
        """
        forms = self.forms_of(url)
        for form in forms:
            self.sweep_form(form)
        if not every_parameter:
            return
        posts = not any(form.method == "post" and form.action == url for form in forms)
        for malformed in MALFORMED:
            params = "&".join(malformed.encode(name) for name in KNOWN_PARAMS)
            for method in ("get", "post") if posts else ("get",):
                self.send(method, url, params, what=f"every known parameter={malformed.label}")

    def sweep_arguments(self, route: str, arguments: dict) -> None:
        """The page with each path argument malformed in turn, by GET and POST."""
        for match in ROUTE_ARGUMENT.finditer(route):
            for value in MALFORMED_ARGUMENTS[match["converter"] or "str"]:
                url = fill(route, {**arguments, match["name"]: value})
                for method in ("get", "post"):
                    self.send(method, url, what=f"with {match['name']}={value[:24]}")


def pages(world) -> list[tuple[str, dict, str]]:
    """(route, real arguments, URL) of every covered URL pattern."""
    arguments = real_arguments(world)
    found = []
    for name, route in covered_routes():
        if ROUTE_ARGUMENT.search(route):
            assert name in arguments, f"give {name} ({route}) real arguments in real_arguments()"
        found.append((route, arguments.get(name, {}), fill(route, arguments.get(name, {}))))
    return found


def test_it_has_real_arguments_for_every_url_that_takes_some(world):
    routes = dict(covered_routes())
    taking = {name for name, route in routes.items() if ROUTE_ARGUMENT.search(route)}

    assert {"home", "accounts:login", "accounts:profile", "bulletin:article_list"} <= set(routes)
    assert not any(name.startswith("admin:") for name in routes)
    assert taking == set(real_arguments(world)), "give real_arguments() these URLs, no others"


def test_it_never_answers_5xx_to_malformed_input(client, world):
    prober = Prober(client)

    for visitor in ("anonymous", "contact"):
        if visitor == "contact":
            prober.sign_in(world.contact.user, "contact")
        english = [(url.removeprefix("/en/"), {}, url) for url in ENGLISH_PAGES]
        others = [(url.removeprefix("/"), {}, url) for url in BACK_OFFICE_PAGES]
        for route, arguments, url in [*pages(world), *english, *others]:
            # A public page reads its parameters and path the same for anyone, and its
            # forms were swept for the anonymous visitor: the contact asks for the page,
            # and sweeps the member pages.
            everything = visitor == "anonymous" or route.startswith(MEMBER_ROUTES)
            prober.sweep_page(url, every_parameter=everything)
            if arguments and everything:
                prober.sweep_arguments(route, arguments)

    assert prober.count > 2000
    assert not prober.failures, (
        f"{len(prober.failures)} of {prober.count} requests answered 5xx:\n"
        + "\n".join(prober.failures[:60])
    )
