"""The secretariat's roles in the back office (accounts/migrations/0003_roles.py).

RULES says, written from the issue and not copied from the migration, what each
role may do with each model: 会员管理 the members (companies, contacts, seats,
officers, applications, profile changes, and their honours), 编辑 the content
(sections, issues, articles, notices, documents, the about page, the digest's
subscribers), 活动 the events (registrations, check-in), 财务 the money (dues,
payments, invoices); each also views the few models its forms look up (a
VIEW grant). 秘书长 has everything; only it and 财务 see the dues app.

Every model the admin shows, and every model its inlines edit, is named here:
in a role's rules or in SECRETARY_GENERAL_ONLY. A model added later fails
``test_it_names_every_admin_model`` until it is named, and
``test_the_secretary_general_has_every_permission`` until a migration gives
its permissions to the roles. Every custom admin URL is named in CUSTOM_PAGES
with the permissions its view checks.

The matrix walks every admin URL from the admin's registry (changelist, add,
change, history and delete of an existing object, and the custom URLs: 219
today) as a staff user of each role, and expects it open (200, or a redirect
by design that is not to the sign-in page) where the rules allow it and the
page is not closed to superusers too by design (a log nobody adds to), else
403. The full demo is loaded once for the module (``demo``).
"""

from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, reverse

from accounts.models import User
from config.admin_menu import SYSTEM_LABEL, SYSTEM_MODELS
from events.models import Event
from members.models import Application
from notices.models import Notice, NoticeAttachment
from tests import conftest

pytestmark = pytest.mark.django_db

SECRETARY_GENERAL = "秘书长"
MEMBERS, EDITOR, EVENTS, FINANCE = "会员管理", "编辑", "活动", "财务"

ALL = frozenset({"add", "change", "delete", "view"})
VIEW = frozenset({"view"})  # a lookup of the role's forms: read-only, not in its menu

RULES = {
    MEMBERS: {
        "members.IndustrySegment": ALL,
        "members.Company": ALL,
        "members.Term": ALL,
        "members.CouncilSeat": ALL,
        "members.Officer": ALL,
        "members.Contact": ALL,
        "members.Application": ALL,
        "members.ProfileChange": ALL,
        "awards.Award": ALL,
        "awards.Honour": ALL,
        "accounts.User": VIEW,  # a contact's account
        "bulletin.Article": VIEW,  # an honour's source
    },
    EDITOR: {
        "bulletin.Section": ALL,
        "bulletin.Issue": ALL,
        "bulletin.Article": ALL,
        "notices.Notice": ALL | {"send_notice"},
        "notices.NoticeAttachment": ALL,
        "notices.Document": ALL,
        "flatpages.FlatPage": ALL,
        "digests.Subscriber": ALL,
        "members.Company": VIEW,  # an article's companies, a notice's
        "members.Contact": VIEW,  # a subscriber's contact
        "events.Event": VIEW,  # a notice's event
    },
    EVENTS: {
        "events.Event": ALL,
        "events.AgendaItem": ALL,
        "events.EventQuestion": ALL,
        "events.Registration": ALL,
        "members.Company": VIEW,  # a registration's company, an event's co-organisers
        "members.Contact": VIEW,  # who registered
        "bulletin.Article": VIEW,  # an event's report
    },
    FINANCE: {
        "dues.FeeSchedule": ALL,
        "dues.DuesBill": ALL,
        "dues.Payment": ALL,
        "dues.InvoiceRequest": ALL,
        "dues.StatementImport": ALL,
        "dues.StatementLine": ALL,
        "dues.ReceiptCounter": ALL,
        "members.Company": VIEW,  # a bill's company
    },
}
ROLES = (SECRETARY_GENERAL, *RULES)
PASSWORD = "correct horse battery"

# Made by the system, or the secretary-general's alone.
SECRETARY_GENERAL_ONLY = frozenset(
    {
        "auth.Group",
        "sites.Site",
        "axes.AccessAttempt",
        "axes.AccessLog",
        "axes.AccessFailureLog",
        "auditlog.LogEntry",
        "outbox.OutgoingMail",
        "digests.DigestRun",
        "digests.DigestDelivery",
        "notices.NoticeMailing",
        "notices.NoticeDelivery",
    }
)


def need(*permissions: str) -> frozenset[str]:
    return frozenset(permissions)


@dataclass(frozen=True)
class Custom:
    """A custom admin URL: the permissions its view asks for (``view``: view or change)."""

    needs: frozenset[str]
    method: str = "get"
    args: object = None  # callable(obj) -> the URL's arguments; default: the object's pk


ISSUE_PDF = need(
    "bulletin.add_issue", "bulletin.change_issue", "bulletin.add_article", "bulletin.change_article"
)
CUSTOM_PAGES = {
    "auth_user_password_change": Custom(need("accounts.change_user")),
    "members_company_import": Custom(need("members.add_company", "members.change_company")),
    "members_company_import_template": Custom(
        need("members.add_company", "members.change_company")
    ),
    "members_company_export": Custom(need("members.view_company")),
    "members_councilseat_export": Custom(need("members.view_councilseat")),
    "members_contact_export": Custom(need("members.view_contact")),
    "members_application_licence": Custom(need("members.view_application")),
    "members_application_export": Custom(need("members.view_application")),
    "members_application_approve": Custom(need("members.change_application"), method="post"),
    "members_application_reject": Custom(need("members.change_application"), method="post"),
    "members_profilechange_approve": Custom(need("members.change_profilechange"), method="post"),
    "members_profilechange_reject": Custom(need("members.change_profilechange"), method="post"),
    "bulletin_issue_import_pdf": Custom(ISSUE_PDF),
    "bulletin_issue_import_pdf_confirm": Custom(ISSUE_PDF),  # without a file: back to the form
    "events_event_sign_in_sheet": Custom(
        need("events.view_event", "events.view_registration"),
        args=lambda event: [event.pk, "xlsx"],
    ),
    "events_event_badges": Custom(need("events.view_event", "events.view_registration")),
    "events_registration_export": Custom(need("events.view_registration")),
    "awards_honour_import": Custom(need("awards.add_honour", "awards.change_honour")),
    "awards_honour_import_template": Custom(need("awards.add_honour", "awards.change_honour")),
    "awards_honour_export": Custom(need("awards.view_honour")),
    "digests_subscriber_preview_pick": Custom(need("digests.view_subscriber")),
    "digests_subscriber_preview": Custom(need("digests.view_subscriber")),
    "digests_subscriber_send_test": Custom(need("digests.view_subscriber"), method="post"),
    "digests_subscriber_export": Custom(need("digests.view_subscriber")),
    "dues_duesbill_create": Custom(need("dues.add_duesbill")),
    "dues_duesbill_export": Custom(need("dues.view_duesbill")),
    "dues_payment_receipt": Custom(need("dues.view_payment")),
    "dues_payment_export": Custom(need("dues.view_payment")),
    "dues_statementimport_upload": Custom(need("dues.add_payment")),
    "notices_notice_recipients": Custom(need("notices.view_notice")),
    "notices_notice_send": Custom(need("notices.change_notice", "notices.send_notice")),
    "notices_notice_send_test": Custom(need("notices.view_notice"), method="post"),
    "notices_notice_progress": Custom(need("notices.view_notice")),
    "notices_notice_replies": Custom(need("notices.view_notice")),
    "notices_notice_replies_export": Custom(need("notices.view_notice")),
    "notices_notice_remind": Custom(
        need("notices.change_notice", "notices.send_notice"), method="post"
    ),
    "notices_notice_attachment_file": Custom(
        need("notices.view_notice"),
        args=lambda _notice: attachment_args(),
    ),
    "notices_notice_export": Custom(need("notices.view_notice")),
    "notices_document_file": Custom(need("notices.view_document")),
}


def attachment_args() -> list[int]:
    attachment = NoticeAttachment.objects.earliest("pk")
    return [attachment.notice_id, attachment.pk]


# The roles' permissions, by the rules -------------------------------------------------------


def label_of(model) -> str:
    return model._meta.label


def codename(action: str, model_label: str) -> str:
    """``app.view_model`` for an action, ``app.codename`` for a permission of the model's own."""
    app_label, model_name = model_label.lower().split(".")
    if action in ALL:
        return f"{app_label}.{action}_{model_name}"
    return f"{app_label}.{action}"


def every_permission() -> frozenset[str]:
    return frozenset(
        f"{app_label}.{name}"
        for app_label, name in Permission.objects.values_list("content_type__app_label", "codename")
    )


def permissions_of(*roles: str) -> frozenset[str]:
    """What the rules give a user holding ``roles``."""
    if SECRETARY_GENERAL in roles:
        return every_permission()
    return frozenset(
        codename(action, label)
        for role in roles
        for label, actions in RULES[role].items()
        for action in actions
    )


def admin_models() -> dict[str, type]:
    """Every model of an admin page: the registered models and the models of their inlines."""
    models = {}
    for model, model_admin in admin.site._registry.items():
        models[label_of(model)] = model
        for inline in model_admin.inlines:
            models[label_of(inline.model)] = inline.model
    return models


def menu_models(*roles: str) -> set[str]:
    """The registered models in the menu of ``roles``: their own, not the lookups."""
    registered = {label_of(model) for model in admin.site._registry}
    if SECRETARY_GENERAL in roles:
        return registered
    return {
        label
        for role in roles
        for label, actions in RULES[role].items()
        if actions != VIEW and label in registered
    }


# The demo, loaded once for the module -------------------------------------------------------


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, _private_media_dir):
    """The full demo (tests/conftest.py's ``loaded_demo``), loaded once and rolled back after.

    Each test runs in a transaction of its own inside this one (pytest-django's
    ``db``), so that what one test writes is gone for the next. The files go
    where the tests' private files go; a business licence is added so that
    the licence page has something to show.
    """
    with (
        django_db_blocker.unblock(),
        override_settings(
            PRIVATE_MEDIA_ROOT=_private_media_dir,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
        transaction.atomic(),
    ):
        conftest.loaded_demo.__wrapped__(None)
        application = Application.objects.earliest("pk")
        application.business_licence.save("licence.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
        yield SimpleNamespace(closed=set())  # the pages closed to superusers, once known
        transaction.set_rollback(True)


def staff_in(*roles: str) -> User:
    email = "staff-" + "-".join(str(ROLES.index(role)) for role in roles) + "@example.com"
    user = User.objects.create_user(email, PASSWORD, name="、".join(roles))
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.set(Group.objects.filter(name__in=roles))
    assert user.groups.count() == len(roles)
    return user


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# Every admin URL ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    model: str
    name: str
    url: str
    method: str
    needs: tuple[frozenset[str], ...]  # any one of these sets of permissions opens it


def sample(model):
    """An existing object of ``model`` whose pages all have something to show."""
    if model is Notice:  # the reply pages are a notice's that asks for replies
        return Notice.objects.filter(asks_reply=True, mailings__isnull=False).earliest("pk")
    if model is Application:
        return Application.objects.exclude(business_licence="").earliest("pk")
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"the demo has no {label_of(model)}: add one in tests/conftest.py"
    return obj


def custom_url_names(model, model_admin) -> list[URLPattern]:
    opts = model._meta
    standard = {f"{opts.app_label}_{opts.model_name}_{view}" for view in STANDARD_VIEWS}
    return [
        pattern
        for pattern in model_admin.get_urls()
        if isinstance(pattern, URLPattern) and pattern.name and pattern.name not in standard
    ]


STANDARD_VIEWS = ("changelist", "add", "change", "history", "delete")


def admin_pages() -> list[Page]:
    pages = []
    for model, model_admin in admin.site._registry.items():
        label, opts = label_of(model), model._meta
        obj = sample(model)
        view = codename("view", label)
        change = codename("change", label)
        for name in STANDARD_VIEWS:
            args = [] if name in ("changelist", "add") else [quote(obj.pk)]
            if name in ("add", "delete"):
                needs = (need(codename(name, label)),)
            else:
                needs = (need(view), need(change))
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{name}", args=args)
            pages.append(Page(label, name, url, "get", needs))
        for pattern in custom_url_names(model, model_admin):
            custom = CUSTOM_PAGES.get(pattern.name)
            assert custom is not None, (
                f"name admin:{pattern.name} in CUSTOM_PAGES with the permissions its view checks"
            )
            if custom.args is not None:
                args = custom.args(obj)
            elif pattern.pattern.converters:
                assert len(pattern.pattern.converters) == 1, (
                    f"admin:{pattern.name} takes more than the object: give CUSTOM_PAGES its args"
                )
                args = [quote(obj.pk)]
            else:
                args = []
            needs = [custom.needs]
            if any(p.endswith(f".view_{opts.model_name}") for p in custom.needs):
                needs.append(custom.needs - {view} | {change})  # has_view_permission: or change
            url = reverse(f"admin:{pattern.name}", args=args)
            pages.append(Page(label, pattern.name, url, custom.method, tuple(needs)))
    return pages


def is_open(response) -> bool:
    if response.status_code == 200:
        return True
    return response.status_code == 302 and "/login/" not in response["Location"]


def answer(client: Client, page: Page):
    return getattr(client, page.method)(page.url)


def walk(client: Client, pages: list[Page]) -> dict[str, int]:
    return {page.url: answer(client, page) for page in pages}


def closed_by_design(demo, pages: list[Page]) -> set[str]:
    """The pages a superuser gets 403 on: closed to everyone (nobody adds to a log)."""
    if demo.closed:  # the same for every test: each starts from the demo as loaded
        return demo.closed
    superuser = User.objects.create_superuser("root@example.com", PASSWORD, name="root")
    client = signed_in(superuser)
    closed = set()
    for page in pages:
        response = answer(client, page)
        assert is_open(response) or response.status_code == 403, (
            f"{page.method.upper()} {page.url} answered a superuser {response.status_code}"
        )
        if response.status_code == 403:
            closed.add(page.url)
    demo.closed.update(closed)
    return closed


def check_matrix(demo, roles: tuple[str, ...]) -> int:
    """Walk every admin page as a staff user holding ``roles``; the number of pages walked."""
    pages = admin_pages()
    closed = closed_by_design(demo, pages)
    permissions = permissions_of(*roles)
    client = signed_in(staff_in(*roles))
    wrong = []
    opened = 0
    for page in pages:
        response = answer(client, page)
        allowed = page.url not in closed and any(needs <= permissions for needs in page.needs)
        opened += allowed
        if allowed and not is_open(response):
            wrong.append(f"{page.method.upper()} {page.url}: {response.status_code}, not open")
        elif not allowed and response.status_code != 403:
            wrong.append(f"{page.method.upper()} {page.url}: {response.status_code}, not 403")
    assert not wrong, f"{'+'.join(roles)}:\n" + "\n".join(wrong)
    print(f"{'+'.join(roles)}: {len(pages)} admin URLs, {opened} open, {len(pages) - opened} 403")
    return len(pages)


# The tests ----------------------------------------------------------------------------------


def test_it_names_every_admin_model():
    named = SECRETARY_GENERAL_ONLY | {label for rules in RULES.values() for label in rules}
    found = set(admin_models())
    missing = found - named
    assert not missing, (
        f"name these admin models in RULES or SECRETARY_GENERAL_ONLY, and give their "
        f"permissions to the roles in a migration: {sorted(missing)}"
    )
    assert not SECRETARY_GENERAL_ONLY & {label for rules in RULES.values() for label in rules}


def test_the_secretary_general_has_every_permission():
    granted = {
        f"{app_label}.{name}"
        for app_label, name in Group.objects.get(name=SECRETARY_GENERAL).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }
    for label, model in admin_models().items():
        expected = {codename(action, label) for action in model._meta.default_permissions}
        expected |= {codename(name, label) for name, _title in model._meta.permissions}
        missing = expected - granted
        assert not missing, (
            f"秘书长 lacks {sorted(missing)}: a migration gives {label}'s permissions to the roles"
        )
    assert granted == every_permission()


@pytest.mark.parametrize("role", list(RULES))
def test_each_role_has_the_permissions_of_its_rules(role):
    granted = {
        f"{app_label}.{name}"
        for app_label, name in Group.objects.get(name=role).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }

    assert granted == permissions_of(role), (
        f"{role}: missing {sorted(permissions_of(role) - granted)}, "
        f"extra {sorted(granted - permissions_of(role))}"
    )


def test_nobody_but_the_secretary_general_and_finance_has_a_dues_permission():
    holders = set(
        Group.objects.filter(permissions__content_type__app_label="dues").values_list(
            "name", flat=True
        )
    )

    assert holders == {SECRETARY_GENERAL, FINANCE}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_opens_the_admin_pages_of_its_rules_and_no_other(demo, role):
    walked = check_matrix(demo, (role,))

    assert walked >= 5 * len(admin.site._registry)


def test_a_user_in_two_roles_opens_the_pages_of_both(demo):
    assert check_matrix(demo, (EDITOR, EVENTS)) >= 5 * len(admin.site._registry)


@pytest.mark.parametrize("role", [MEMBERS, EDITOR, EVENTS])
def test_nobody_but_the_secretary_general_and_finance_opens_a_dues_page(demo, role):
    client = signed_in(staff_in(role))
    dues_pages = [page for page in admin_pages() if page.model.startswith("dues.")]
    assert len(dues_pages) >= 5 * 5

    for page in dues_pages:
        response = answer(client, page)
        assert response.status_code == 403, f"{role}: {page.method.upper()} {page.url}"
    assert client.get(reverse("admin:dashboard_export"), {"figure": "dues"}).status_code == 403
    assert client.get(reverse("admin:app_list", args=["dues"])).status_code == 404
    index = client.get(reverse("admin:index"))
    assert "dues" not in {app["app_label"] for app in index.context["app_list"]}
    assert "dues" not in {section.key for section in index.context["dashboard_sections"]}
    # Nor through the audit log: it is 秘书长's alone.
    assert client.get(reverse("admin:auditlog_logentry_changelist")).status_code == 403


def menu(client: Client) -> dict[str, set[str]]:
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return {
        app["app_label"]: {label_of(model["model"]) for model in app["models"]}
        for app in response.context["app_list"]
    }


def expected_menu(*roles: str) -> dict[str, set[str]]:
    sections: dict[str, set[str]] = {}
    for label in menu_models(*roles):
        section = SYSTEM_LABEL if label in SYSTEM_MODELS else label.split(".")[0]
        sections.setdefault(section, set()).add(label)
    return sections


@pytest.mark.parametrize(
    "roles",
    [(role,) for role in ROLES] + [(EDITOR, EVENTS), (MEMBERS, FINANCE)],
    ids=lambda roles: "+".join(roles),
)
def test_the_admin_index_shows_each_role_its_own_menus(db, roles):
    client = signed_in(staff_in(*roles))

    assert menu(client) == expected_menu(*roles), (
        "a role's menus are its own models: not the models it only views (the VIEW grants), "
        "which its forms look up"
    )
    system = client.get(reverse("admin:system"))
    assert system.status_code == (200 if SECRETARY_GENERAL in roles else 403)


@pytest.mark.parametrize("role", list(RULES))
def test_each_role_looks_up_what_its_forms_ask_for(demo, role):
    """Each autocomplete field of a form the role fills in answers the role."""
    permissions = permissions_of(role)
    client = signed_in(staff_in(role))
    fields = set()
    for model, model_admin in admin.site._registry.items():
        for form_model, names in [
            (model, model_admin.autocomplete_fields),
            *((inline.model, inline.autocomplete_fields) for inline in model_admin.inlines),
        ]:
            if codename("change", label_of(form_model)) in permissions:
                fields.update((form_model, name) for name in names)
    assert fields

    for form_model, name in sorted(fields, key=lambda field: (label_of(field[0]), field[1])):
        response = client.get(
            reverse("admin:autocomplete"),
            {
                "app_label": form_model._meta.app_label,
                "model_name": form_model._meta.model_name,
                "field_name": name,
                "term": "",
            },
        )
        assert response.status_code == 200, f"{role}: {label_of(form_model)}.{name}"
        assert response.json()["results"], f"{role}: {label_of(form_model)}.{name}"


@pytest.fixture
def door_event():
    event = Event.objects.create(
        title="第七届理事会第三次会议",
        kind=Event.Kind.MEETING,
        starts_at=conftest.shanghai(2027, 3, 18, 9),
        ends_at=conftest.shanghai(2027, 3, 18, 17),
        venue="杭州市西湖区文三路90号",
        city="杭州",
        status=Event.Status.PUBLISHED,
    )
    return SimpleNamespace(event=event, url=reverse("events:check_in", args=[event.pk]))


@pytest.mark.parametrize(
    ("role", "status"),
    [(EVENTS, 200), (SECRETARY_GENERAL, 200), (EDITOR, 403), (MEMBERS, 403), (FINANCE, 403)],
)
def test_the_check_in_page_is_for_the_events_role(db, door_event, role, status):
    response = signed_in(staff_in(role)).get(door_event.url)

    assert response.status_code == status
    if status == 200:
        assert door_event.event.title in response.content.decode()
