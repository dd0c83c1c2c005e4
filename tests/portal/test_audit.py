"""The audit log (portal/audit.py): who changed what, old → new, and from where.

Each way a change arrives is followed to its entries: an edit in the back
office, an approved profile change, a member import, an honours import, the
dues office's bulk writes (waiving bills, making the year's bills). Then the
log itself in the back office: nobody edits it, its list filters by user,
model and date, and an object's 历史 page shows its entries.
"""

from types import SimpleNamespace
from urllib.parse import parse_qsl

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from accounts.models import User
from awards.models import Honour
from dues.models import DuesBill
from events.models import Event
from members import services as member_services
from members.models import City, Company, Contact, SeatRole
from portal.audit import Source
from tests.accounts.builders import make_company, make_contact, make_term, open_event
from tests.admin_forms import change_form_data
from tests.awards import test_honours_import as honour_lists
from tests.conftest import shanghai
from tests.dues.builders import fee_schedule, seated_company
from tests.members import member_lists

pytestmark = pytest.mark.django_db

members = honour_lists.members  # the fixture: 100 member companies and two known awards

UPDATE, CREATE = LogEntry.Action.UPDATE, LogEntry.Action.CREATE


def staff(email: str, role: str, client=None) -> User:
    """A staff user in the role's group (accounts/migrations/0003_roles.py), signed in."""
    user = User.objects.create_user(email, "correct horse battery", name=email.split("@")[0])
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(Group.objects.get(name=role))
    if client is not None:
        client.force_login(user)
    return user


@pytest.fixture
def alice(client):
    """会员管理, signed in."""
    return staff("alice@example.com", "会员管理", client)


@pytest.fixture
def supcon():
    make_term()
    return make_company(
        "浙江中控技术股份有限公司",
        short_name="中控技术",
        city=City.HANGZHOU,
        address="杭州市滨江区六和路309号",
        phone="0571-86667525",
        website="http://www.supcon.com",
    )


def entries_of(obj, **filters):
    return LogEntry.objects.get_for_object(obj).filter(**filters).order_by("pk")


def edit_in_admin(client, obj, **changes):
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    data = change_form_data(client.get(url))
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


# Where a change comes from ------------------------------------------------------------------


def test_an_edit_in_the_back_office_records_old_and_new_values_the_actor_and_the_source(
    client, alice, supcon
):
    before = LogEntry.objects.count()

    edit_in_admin(client, supcon, phone="0571-88888888", address="杭州市滨江区江陵路")

    entry = entries_of(supcon, action=UPDATE).get()
    assert LogEntry.objects.count() == before + 1
    assert entry.changes == {
        "phone": ["0571-86667525", "0571-88888888"],
        "address": ["杭州市滨江区六和路309号", "杭州市滨江区江陵路"],
    }
    assert (entry.actor, entry.actor_email) == (alice, "alice@example.com")
    assert entry.additional_data == {"source": Source.ADMIN}
    assert entry.remote_addr == "127.0.0.1"
    assert entry.object_repr == "浙江中控技术股份有限公司"


def test_an_approved_profile_change_is_recorded_as_one_with_its_reviewer(client, alice, supcon):
    contact = make_contact(supcon, "liming@example.com", primary=True)
    change = member_services.profile_change_submit(
        contact=contact, data={"website": "https://www.supcon.com"}
    )

    response = client.post(reverse("admin:members_profilechange_approve", args=[change.pk]))

    assert response.status_code == 302
    entry = entries_of(supcon, action=UPDATE).get()
    assert entry.changes == {"website": ["http://www.supcon.com", "https://www.supcon.com"]}
    assert entry.actor == alice
    assert entry.additional_data == {
        "source": Source.PROFILE_CHANGE,
        "profile_change": change.pk,
    }
    assert entry.additional_data["source"] == "profile change approved"


def test_a_change_made_outside_any_request_is_the_systems(supcon):
    supcon.phone = "0571-00000000"
    supcon.save()

    entry = entries_of(supcon, action=UPDATE).get()
    assert entry.actor is None
    assert entry.additional_data == {"source": Source.SYSTEM}
    assert entry.remote_addr is None


def import_members(client, content: bytes, name: str):
    upload = client.post(
        reverse("admin:members_company_import"), {"file": SimpleUploadedFile(name, content)}
    )
    assert upload.status_code == 200
    assert upload.context["preview"].errors == []
    done = client.post(reverse("admin:members_company_import"), {"token": upload.context["token"]})
    assert done.status_code == 302
    return upload.context["preview"]


def test_a_member_import_records_each_company_it_changes_or_adds(client, alice):
    found = member_lists.members(3, errors=False)
    member_lists.existing_members(found[:2])  # at 旧地址, which the list puts right
    known = Company.objects.get(credit_code=found[0].code)
    before = LogEntry.objects.count()

    preview = import_members(client, member_lists.gbk_csv(found), "会员名单.csv")

    assert (preview.created, preview.updated) == (1, 2)
    assert LogEntry.objects.count() == before + 3
    changed = entries_of(known, action=UPDATE).get()
    assert changed.changes == {"address": ["旧地址", "杭州市滨江区测试路0号"]}
    assert changed.actor == alice
    assert changed.additional_data == {"source": Source.IMPORT}

    new = Company.objects.get(credit_code=found[2].code)
    created = entries_of(new).get()
    assert created.action == CREATE
    assert created.object_repr == new.name
    assert created.actor == alice
    assert created.additional_data == {"source": Source.IMPORT}
    changes = created.changes
    assert changes["name"] == ["None", new.name]
    assert changes["credit_code"] == ["None", found[2].code]
    assert changes["address"] == ["None", "杭州市滨江区测试路2号"]
    assert changes["届内职务"] == ["", "理事单位"]
    assert changes["联系人邮箱"] == ["", "contact2@test2.com"]
    assert changes["手机（contact2@test2.com）"] == ["", "13900000002"]
    contact = Contact.objects.select_related("user").get(company=new)
    assert contact.user.email == "contact2@test2.com"


def test_a_member_import_records_a_new_role_and_contact_of_a_known_company(client, alice):
    found = member_lists.members(1, errors=False)
    member_lists.existing_members(found)
    known = Company.objects.get(credit_code=found[0].code)
    found[0].address = "杭州市滨江区测试路0号"  # as the company has it, after the changes
    known.address = found[0].address
    known.save()
    found[0].role = SeatRole.MEMBER  # was council
    found[0].mobile = "13911112222"

    import_members(client, member_lists.gbk_csv(found), "会员名单.csv")

    entry = entries_of(known, action=UPDATE, additional_data__source=Source.IMPORT).get()
    assert entry.changes == {
        "届内职务": ["理事单位", "会员单位"],
        "手机（contact0@test0.com）": ["13900000000", "13911112222"],
    }
    assert entry.additional_data == {"source": Source.IMPORT}
    assert known.seats.get().role == SeatRole.MEMBER


def test_an_honours_import_records_each_new_honour(client, alice, members):
    rows = honour_lists.honour_list(3)
    upload = client.post(
        reverse("admin:awards_honour_import"),
        {"file": SimpleUploadedFile("获奖名单.xlsx", honour_lists.xlsx(rows))},
    )
    token = upload.context["confirm_form"]["token"].value()

    done = client.post(reverse("admin:awards_honour_import"), {"token": token})

    assert done.status_code == 302
    honours = list(Honour.objects.select_related("award", "company").order_by("pk"))
    assert len(honours) == 3
    for honour in honours:
        entry = entries_of(honour).get()
        assert entry.action == CREATE
        assert entry.actor == alice
        assert entry.additional_data == {"source": Source.IMPORT}
        assert entry.changes["year"] == ["None", "2022"]
        assert entry.changes["company"] == ["None", str(honour.company_id)]
        assert entry.changes["award"] == ["None", str(honour.award_id)]


@pytest.fixture
def bob(client):
    """财务, signed in."""
    fee_schedule()
    return staff("bob@example.com", "财务", client)


def test_making_the_years_bills_records_each_bill(client, bob):
    companies = [
        seated_company("浙江甲仪表有限公司", SeatRole.COUNCIL, seed=1),
        seated_company("宁波乙仪表有限公司", SeatRole.MEMBER, seed=2),
    ]

    response = client.post(
        reverse("admin:dues_duesbill_create"),
        {"year": "2026", "due_on": "2026-03-31", "confirm": "1"},
    )

    assert response.status_code == 302
    bills = list(DuesBill.objects.filter(company__in=companies).order_by("pk"))
    assert len(bills) == 2
    for bill in bills:
        entry = entries_of(bill).get()
        assert entry.action == CREATE
        assert entry.actor == bob
        assert entry.additional_data == {"source": Source.ADMIN}
        assert entry.changes["year"] == ["None", "2026"]
        assert entry.changes["amount"] == ["None", str(bill.amount)]
        assert entry.changes["company"] == ["None", str(bill.company_id)]


def test_waiving_bills_records_each_bill_waived(client, bob):
    seated_company("浙江甲仪表有限公司", SeatRole.COUNCIL, seed=1)
    seated_company("宁波乙仪表有限公司", SeatRole.MEMBER, seed=2)
    client.post(
        reverse("admin:dues_duesbill_create"),
        {"year": "2026", "due_on": "2026-03-31", "confirm": "1"},
    )
    waived, kept = DuesBill.objects.order_by("pk")

    response = client.post(
        reverse("admin:dues_duesbill_changelist"),
        {"action": "waive", "_selected_action": [waived.pk], "reason": "新会员首年免缴"},
    )

    assert response.status_code == 302
    entry = entries_of(waived, action=UPDATE).get()
    assert entry.changes == {
        "waived": ["False", "True"],
        "adjustment_reason": ["", "新会员首年免缴"],
    }
    assert entry.actor == bob
    assert entry.additional_data == {"source": Source.ADMIN}
    assert not entries_of(kept, action=UPDATE).exists()
    # Waived once: a second waiver changes nothing and records nothing.
    client.post(
        reverse("admin:dues_duesbill_changelist"),
        {"action": "waive", "_selected_action": [waived.pk], "reason": "再次免缴"},
    )
    assert entries_of(waived, action=UPDATE).count() == 1


def test_a_registration_on_the_portal_is_the_portals(client, supcon):
    contact = make_contact(supcon, "liming@example.com", primary=True)
    event = open_event()
    client.force_login(contact.user)

    response = client.post(
        reverse("events:register", args=[event.pk]),
        {
            "attendees-TOTAL_FORMS": "1",
            "attendees-INITIAL_FORMS": "0",
            "attendees-MIN_NUM_FORMS": "1",
            "attendees-MAX_NUM_FORMS": "5",
            "attendees-0-name": "李明",
            "attendees-0-email": "liming@example.com",
            "attendees-0-phone": "13800000000",
        },
    )

    assert response.status_code == 302
    registration = event.registrations.get()
    entry = entries_of(registration).get()
    assert entry.action == CREATE
    assert entry.actor == contact.user
    assert entry.additional_data == {"source": Source.SITE}


# The log in the back office -----------------------------------------------------------------


def pks(entries) -> set[int]:
    return set(entries.values_list("pk", flat=True))


@pytest.fixture
def logged(client, alice, supcon):
    """The system made the company and an event; alice edited the company twice in the back
    office."""
    edit_in_admin(client, supcon, phone="0571-88888888")
    edit_in_admin(client, supcon, address="杭州市滨江区江陵路")
    event = open_event()
    return SimpleNamespace(
        company=supcon,
        created=entries_of(supcon, action=CREATE).get(),
        edits=entries_of(supcon, action=UPDATE),
        event=event,
        event_entries=pks(entries_of(event)),
    )


def test_nobody_edits_adds_or_deletes_an_entry_not_even_a_superuser(client, admin_client, logged):
    entry = logged.edits.first()
    saved = LogEntry.objects.values().get(pk=entry.pk)
    count = LogEntry.objects.count()
    secretary_general = staff("mishu@example.com", "秘书长")
    change = reverse("admin:auditlog_logentry_change", args=[entry.pk])
    delete = reverse("admin:auditlog_logentry_delete", args=[entry.pk])
    add = reverse("admin:auditlog_logentry_add")
    client.force_login(secretary_general)

    for user_client in (admin_client, client):
        page = user_client.get(change)
        assert page.status_code == 200
        content = page.content.decode()
        assert 'name="_save"' not in content
        assert 'name="_continue"' not in content
        assert "0571-88888888" in content  # the entry is shown, old → new
        assert user_client.post(change, {"object_repr": "改过了"}).status_code == 403
        assert user_client.get(delete).status_code == 403
        assert user_client.post(delete, {"post": "yes"}).status_code == 403
        assert user_client.get(add).status_code == 403
        assert user_client.post(add, {"object_repr": "新的"}).status_code == 403
        listing = user_client.get(reverse("admin:auditlog_logentry_changelist"))
        assert listing.status_code == 200
        assert 'name="action"' not in listing.content.decode()  # no bulk delete either

    assert LogEntry.objects.count() == count
    assert LogEntry.objects.values().get(pk=entry.pk) == saved


def results(client, **query) -> set[int]:
    response = client.get(reverse("admin:auditlog_logentry_changelist"), query)
    assert response.status_code == 200
    return {entry.pk for entry in response.context["cl"].result_list}


def date_filter(client, label: str) -> dict[str, str]:
    """The query of the list's date filter ``label`` (Today, Past 7 days …), as a click sends."""
    response = client.get(reverse("admin:auditlog_logentry_changelist"))
    changelist = response.context["cl"]
    spec = next(
        spec for spec in changelist.filter_specs if getattr(spec, "field_path", None) == "timestamp"
    )
    with translation.override("en"):
        query = next(
            choice["query_string"]
            for choice in spec.choices(changelist)
            if choice["display"] == label
        )
    return dict(parse_qsl(query.removeprefix("?")))


def test_the_list_filters_by_user_model_source_and_date(admin_client, logged, alice):
    by_alice = pks(logged.edits)
    company = by_alice | {logged.created.pk}
    assert len(by_alice) == 2 and len(logged.event_entries) == 1
    older = logged.edits.first()
    LogEntry.objects.filter(pk=older.pk).update(timestamp=shanghai(2024, 6, 1, 10))
    company_type = ContentType.objects.get_for_model(Company)
    event_type = ContentType.objects.get_for_model(Event)

    assert results(admin_client) == company | logged.event_entries
    assert results(admin_client, actor__id__exact=alice.pk) == by_alice
    assert results(admin_client, model=company_type.pk) == company
    assert results(admin_client, model=event_type.pk) == logged.event_entries
    assert results(admin_client, source=Source.ADMIN) == by_alice
    assert results(admin_client, source=Source.SYSTEM) == {logged.created.pk} | (
        logged.event_entries
    )
    assert (
        results(admin_client, **date_filter(admin_client, "Today"))
        == (company - {older.pk}) | logged.event_entries
    )
    assert (
        results(admin_client, **date_filter(admin_client, "Past 7 days"))
        == (company - {older.pk}) | logged.event_entries
    )
    assert results(admin_client, timestamp__year="2024") == {older.pk}
    assert results(admin_client, timestamp__year="2024", timestamp__month="7") == set()
    assert results(
        admin_client, actor__id__exact=alice.pk, **date_filter(admin_client, "Today")
    ) == by_alice - {older.pk}
    # An object's entries, as its 历史 page links to them.
    assert results(admin_client, model=company_type.pk, object_pk=str(logged.company.pk)) == (
        company
    )


def test_the_list_shows_who_what_and_from_where(admin_client, logged, alice):
    supcon = logged.company
    change_url = reverse("admin:members_company_change", args=[supcon.pk])

    response = admin_client.get("/en" + reverse("admin:auditlog_logentry_changelist"))

    content = response.content.decode()
    assert content.count(f'<td class="field-actor_name">{escape(alice)}</td>') == 2
    assert content.count('<td class="field-source">Back office</td>') == 2
    assert content.count('<td class="field-source">System</td>') == 2  # the company, the event
    assert f'<a href="/en{change_url}">{supcon.name}</a>' in content


def test_only_the_secretary_general_reads_the_log(client, logged):
    for n, role in enumerate(("会员管理", "编辑", "活动", "财务")):
        client.force_login(staff(f"role{n}@example.com", role))
        assert client.get(reverse("admin:auditlog_logentry_changelist")).status_code == 403
    client.force_login(staff("mishu@example.com", "秘书长"))
    assert client.get(reverse("admin:auditlog_logentry_changelist")).status_code == 200


def test_a_reader_of_the_log_sees_the_entries_of_the_models_they_may_view(client, logged):
    """With the log's view permission and the companies', not the events': no event entries."""
    reader = User.objects.create_user("reader@example.com", "x", name="reader", is_staff=True)
    reader.user_permissions.set(
        Permission.objects.filter(codename__in=["view_logentry", "view_company"])
    )
    client.force_login(reader)

    shown = results(client)

    assert shown == pks(logged.edits) | {logged.created.pk}
    assert results(client, model=ContentType.objects.get_for_model(Event).pk) == set()
    history = client.get(reverse("admin:members_company_history", args=[logged.company.pk]))
    assert reverse("admin:auditlog_logentry_changelist") in history.content.decode()


def test_an_objects_history_page_shows_its_entries_old_and_new(client, logged, alice):
    supcon = logged.company

    response = client.get(reverse("admin:members_company_history", args=[supcon.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    assert '<div id="audit-log" class="module">' in content
    assert "<td>0571-86667525</td><td>0571-88888888</td>" in content
    assert "<td>杭州市滨江区六和路309号</td><td>杭州市滨江区江陵路</td>" in content
    assert content.count(f"<td>{escape(alice)}</td>") == 2
    # alice (会员管理) may not read the log itself: no link to it.
    assert reverse("admin:auditlog_logentry_changelist") not in content

    client.force_login(staff("mishu@example.com", "秘书长"))
    response = client.get(reverse("admin:members_company_history", args=[supcon.pk]))
    company_type = ContentType.objects.get_for_model(Company)
    listing = reverse("admin:auditlog_logentry_changelist")
    link = f"{listing}?model={company_type.pk}&amp;object_pk={supcon.pk}"
    assert link in response.content.decode()


def test_an_events_history_page_shows_the_co_organisers_added(admin_client, supcon):
    event = open_event()
    event.co_organisers.add(supcon)

    response = admin_client.get("/en" + reverse("admin:events_event_history", args=[event.pk]))

    entry = entries_of(event).last()
    assert entry.changes["co_organisers"] == {
        "type": "m2m",
        "operation": "add",
        "objects": [supcon.name],
    }
    content = response.content.decode()
    row = '<tr><th scope="row">Co-organising member companies</th><td></td><td>added: {}</td>'
    assert row.format(supcon.name) in content


def test_the_history_page_runs_as_many_queries_for_ten_edits_as_for_two(admin_client, supcon):
    url = reverse("admin:members_company_history", args=[supcon.pk])

    def queries(edits: int) -> int:
        for n in range(edits):
            supcon.phone = f"0571-8000{n:04d}"
            supcon.save()
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(url).status_code == 200
        return len(captured)

    few = queries(2)
    assert queries(8) == few, "a new query per entry on the history page: explain it"


def test_the_list_runs_as_many_queries_for_thirty_edits_as_for_three(admin_client, supcon):
    url = reverse("admin:auditlog_logentry_changelist")

    def queries(edits: int) -> int:
        for n in range(edits):
            supcon.phone = f"0571-8000{n:04d}"
            supcon.save()
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(url).status_code == 200
        return len(captured)

    few = queries(3)
    assert queries(27) == few, "a new query per entry on the audit log: explain it"


def test_an_entry_page_shows_its_changes_field_by_field(admin_client, logged):
    entry = logged.edits.first()

    response = admin_client.get(reverse("admin:auditlog_logentry_change", args=[entry.pk]))

    content = response.content.decode()
    assert '<table class="audit-changes">' in content
    assert "<td>0571-86667525</td><td>0571-88888888</td>" in content


def test_a_deleted_company_leaves_its_entries(admin_client, supcon):
    pk = supcon.pk
    supcon.delete()

    entry = LogEntry.objects.get(object_pk=str(pk), action=LogEntry.Action.DELETE)
    page = admin_client.get("/en" + reverse("admin:auditlog_logentry_change", args=[entry.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    assert "浙江中控技术股份有限公司" in content
    assert '<div class="readonly">Deleted</div>' in content
