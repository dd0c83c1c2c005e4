"""The back office's Excel exports: every main list, as filtered and searched, in Chinese.

For each list: a filter and a search each leave a row in that the other takes
out, so the file holds exactly the rows that both keep; a value that a
spreadsheet would run as a formula is planted in one of them.
"""

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from urllib.parse import quote, urlencode

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from accounts.models import User
from awards.models import Award, Honour
from bulletin.models import Section
from digests.models import Subscriber
from dues import services as dues_services
from dues.models import DuesBill, PaymentMethod
from events.models import Registration
from members.models import Application, City, Company, Contact, CouncilSeat, SeatRole
from tests.accounts.builders import credit_code, make_company, make_contact, make_term, open_event
from tests.dues.builders import bills, fee_schedule, seated_company, treasurer

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA = '=HYPERLINK("http://example.com/","点这里")'
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def trio(i: int, **fields) -> tuple[Company, Company, Company]:
    """宁波甲 (Ningbo, 仪表: kept), 宁波乙 (Ningbo, 机械: out by the search),
    杭州丙 (Hangzhou, 仪表: out by the filter when it is on the city)."""
    return (
        make_company(f"宁波甲{i}仪表有限公司", seed=10 * i + 1, city=City.NINGBO, **fields),
        make_company(f"宁波乙{i}机械有限公司", seed=10 * i + 2, city=City.NINGBO),
        make_company(f"杭州丙{i}仪表有限公司", seed=10 * i + 3, city=City.HANGZHOU),
    )


def build_companies(i: int) -> None:
    trio(i, address=FORMULA)


def build_contacts(i: int) -> None:
    a, b, _c = trio(i)
    kept = make_contact(a, f"jia{i}@example.com", name=f"甲联系人{i}", primary=True)
    Contact.objects.filter(pk=kept.pk).update(job_title=FORMULA)
    make_contact(a, f"jia-colleague{i}@example.com", name=f"甲同事{i}")  # not primary
    make_contact(b, f"yi{i}@example.com", name=f"乙联系人{i}", primary=True)  # not 仪表


def build_seats(i: int) -> None:
    term = make_term()
    a = make_company(f"=宁波甲{i}仪表有限公司", seed=10 * i + 1, city=City.NINGBO)
    b = make_company(f"宁波乙{i}机械有限公司", seed=10 * i + 2)
    c = make_company(f"杭州丙{i}仪表有限公司", seed=10 * i + 3)
    CouncilSeat.objects.create(term=term, company=a, role=SeatRole.COUNCIL)
    CouncilSeat.objects.create(term=term, company=b, role=SeatRole.COUNCIL)
    CouncilSeat.objects.create(term=term, company=c, role=SeatRole.MEMBER)


def build_honours(i: int) -> None:
    award = Award.objects.get_or_create(
        name="浙江省专精特新中小企业",
        defaults={"issuer": "浙江省经信厅", "level": Award.Level.PROVINCIAL, "kind": "enterprise"},
    )[0]
    a, b, c = trio(i)
    Honour.objects.create(award=award, year=2025, company=a, project=FORMULA, verified=True)
    Honour.objects.create(award=award, year=2025, company=b, verified=True)
    Honour.objects.create(award=award, year=2025, company=c, verified=False)


REGISTERED_AT = datetime(2026, 3, 1, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai


def build_registrations(i: int) -> None:
    event = open_event(title=f"会员交流活动{i}")
    a, b, c = trio(i)
    for company, name, status, title in (
        (a, f"甲{i}", Registration.Status.CONFIRMED, FORMULA),
        (b, f"乙{i}", Registration.Status.CONFIRMED, ""),
        (c, f"丙{i}", Registration.Status.WAITLISTED, ""),
    ):
        Registration.objects.create(
            event=event,
            company=company,
            attendee_name=name,
            attendee_title=title,
            attendee_email=f"{company.pk}@example.com",
            status=status,
            created_at=REGISTERED_AT,
        )


def build_subscribers(i: int) -> None:
    a, _b, _c = trio(i)
    contact = make_contact(a, f"c{i}@example.com", name=FORMULA)
    kept = Subscriber.objects.create(
        email=f"jia{i}@yibiao.example", status=Subscriber.Status.ACTIVE, contact=contact
    )
    kept.sections.set(
        [
            Section.objects.get_or_create(name="协会动态", defaults={"slug": "news", "order": 1})[
                0
            ],
            Section.objects.get_or_create(name="会员成果", defaults={"slug": "wins", "order": 2})[
                0
            ],
        ]
    )
    Subscriber.objects.create(email=f"yi{i}@other.example", status=Subscriber.Status.ACTIVE)
    Subscriber.objects.create(email=f"bing{i}@yibiao.example", status=Subscriber.Status.PENDING)


def build_applications(i: int) -> None:
    for n, (name, status, title) in enumerate(
        (
            (f"宁波甲{i}仪表有限公司", Application.Status.SUBMITTED, FORMULA),
            (f"宁波乙{i}机械有限公司", Application.Status.SUBMITTED, ""),
            (f"杭州丙{i}仪表有限公司", Application.Status.REJECTED, ""),
        )
    ):
        Application.objects.create(
            company_name=name,
            credit_code=credit_code(10 * i + n),
            city=City.NINGBO,
            contact_name="王工",
            contact_title=title,
            contact_email=f"apply{i}-{n}@example.com",
            contact_phone="13800000001",
            status=status,
            rejection_reason="不符合入会条件" if status == Application.Status.REJECTED else "",
        )


def dues_trio(i: int) -> tuple[Company, Company, Company]:
    fee_schedule()
    companies = (
        seated_company(f"宁波甲{i}仪表有限公司", seed=10 * i + 1, contacts=0, city=City.NINGBO),
        seated_company(f"宁波乙{i}机械有限公司", seed=10 * i + 2, contacts=0, city=City.NINGBO),
        seated_company(f"杭州丙{i}仪表有限公司", seed=10 * i + 3, contacts=0, city="hangzhou"),
    )
    bills(2026)
    return companies


def build_bills(i: int) -> None:
    a, _b, _c = dues_trio(i)
    DuesBill.objects.filter(company=a).update(adjustment_reason=FORMULA)


def build_payments(i: int) -> None:
    for company, method, reference in zip(
        dues_trio(i),
        (PaymentMethod.CASH, PaymentMethod.CASH, PaymentMethod.BANK_TRANSFER),
        (FORMULA, "", ""),
        strict=True,
    ):
        dues_services.payment_record(
            bill=DuesBill.objects.get(company=company),
            amount=Decimal("100"),
            method=method,
            paid_on=date(2026, 3, 16),
            reference=reference,
            by=treasurer(),
        )


@dataclass(frozen=True)
class Case:
    model: str  # app_label.model_name
    title: str  # of the file and its sheet
    build: Callable[[int], None]
    params: dict
    key: str  # the column that names each row
    kept: Callable[[int], str]  # the row of build(i) that the filter and the search keep
    planted: Callable[[int], str] = lambda i: FORMULA  # in the kept row of build(i)


CASES = [
    Case(
        "members.company",
        "会员单位",
        build_companies,
        {"city__exact": "ningbo", "q": "仪表"},
        "单位名称",
        lambda i: f"宁波甲{i}仪表有限公司",
    ),
    Case(
        "members.contact",
        "工作联系人",
        build_contacts,
        {"is_primary__exact": "1", "q": "仪表"},
        "姓名",
        lambda i: f"甲联系人{i}",
    ),
    Case(
        "members.councilseat",
        "理事会职务",
        build_seats,
        {"role__exact": str(SeatRole.COUNCIL), "q": "仪表"},
        "单位",
        lambda i: f"=宁波甲{i}仪表有限公司",
        planted=lambda i: f"=宁波甲{i}仪表有限公司",
    ),
    Case(
        "awards.honour",
        "荣誉",
        build_honours,
        {"verified__exact": "1", "q": "仪表"},
        "单位",
        lambda i: f"宁波甲{i}仪表有限公司",
    ),
    Case(
        "events.registration",
        "活动报名",
        build_registrations,
        {"status__exact": "confirmed", "q": "仪表"},
        "参会人",
        lambda i: f"甲{i}",
    ),
    Case(
        "digests.subscriber",
        "订阅者",
        build_subscribers,
        {"status__exact": "active", "q": "yibiao"},
        "电子邮箱",
        lambda i: f"jia{i}@yibiao.example",
    ),
    Case(
        "members.application",
        "入会申请",
        build_applications,
        {"status__exact": "submitted", "q": "仪表"},
        "单位名称",
        lambda i: f"宁波甲{i}仪表有限公司",
    ),
    Case(
        "dues.duesbill",
        "会费账单",
        build_bills,
        {"year": "2026", "company__city__exact": "ningbo", "q": "仪表"},
        "单位名称",
        lambda i: f"宁波甲{i}仪表有限公司",
    ),
    Case(
        "dues.payment",
        "会费收款",
        build_payments,
        {"method__exact": "cash", "q": "仪表"},
        "单位名称",
        lambda i: f"宁波甲{i}仪表有限公司",
    ),
]


def url(case: Case, view: str = "export") -> str:
    app_label, model_name = case.model.split(".")
    return reverse(f"admin:{app_label}_{model_name}_{view}")


def cells_of(response) -> list[list]:
    assert response.status_code == 200, response
    assert response["Content-Type"] == XLSX
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    return [list(row) for row in workbook.active.iter_rows()], workbook.active.title


def staff(*codenames: str) -> User:
    user = User.objects.create_user(f"staff{len(codenames)}@example.com", "x", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


@pytest.mark.parametrize("case", CASES, ids=[case.model for case in CASES])
def test_it_exports_the_filtered_and_searched_rows_in_chinese(admin_client, case):
    case.build(0)
    case.build(1)

    response = admin_client.get(url(case), case.params)

    today = timezone.localdate()
    filename = f"{case.title}-{today:%Y%m%d}.xlsx"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(filename)}"
    rows, title = cells_of(response)
    assert title == case.title
    headers = [cell.value for cell in rows[0]]
    assert all(CHINESE.search(header) for header in headers), headers
    assert len(headers) == len(set(headers)), headers
    key = headers.index(case.key)
    assert sorted(row[key].value for row in rows[1:]) == [case.kept(0), case.kept(1)]
    formulas = {case.planted(0), case.planted(1)}
    planted = [cell for row in rows[1:] for cell in row if cell.value in formulas]
    assert len(planted) == 2
    assert all(cell.data_type == "s" for cell in planted)  # text, never a formula


@pytest.mark.parametrize("case", CASES, ids=[case.model for case in CASES])
def test_it_exports_only_with_the_view_permission(client, case):
    case.build(0)
    model_name = case.model.split(".")[1]

    client.force_login(staff("view_article", "change_article"))
    assert client.get(url(case), case.params).status_code == 403
    action = {"action": "export_xlsx", "_selected_action": ["1"], **case.params}
    assert client.post(url(case, "changelist"), action).status_code == 403

    client.force_login(staff(f"view_{model_name}"))
    assert client.get(url(case), case.params).status_code == 200

    client.logout()
    assert client.get(url(case)).status_code == 302  # to the back office's sign-in


@pytest.mark.parametrize("case", CASES, ids=[case.model for case in CASES])
def test_it_runs_as_many_queries_for_many_rows_as_for_one(admin_client, case):
    case.build(0)
    with CaptureQueriesContext(connection) as one:
        rows, _title = cells_of(admin_client.get(url(case), case.params))
    assert len(rows) == 2
    for i in range(1, 6):
        case.build(i)

    with CaptureQueriesContext(connection) as many:
        rows, _title = cells_of(admin_client.get(url(case), case.params))

    assert len(rows) == 7
    listing = "\n".join(query["sql"] for query in many.captured_queries)
    assert len(many) == len(one), f"{len(one)} then {len(many)} queries:\n{listing}"


@pytest.mark.parametrize("case", CASES, ids=[case.model for case in CASES])
def test_the_list_links_to_its_export_with_its_filters(admin_client, case):
    case.build(0)

    response = admin_client.get(url(case, "changelist"), {**case.params, "p": "1"})

    link = f"{url(case)}?{urlencode(case.params)}"
    assert (
        f'<a href="{escape(link)}" class="export-xlsx">导出 Excel</a>' in response.content.decode()
    )


def test_the_export_action_exports_the_ticked_rows(admin_client):
    build_companies(0)
    ticked = Company.objects.filter(name__startswith="杭州")

    response = admin_client.post(
        reverse("admin:members_company_changelist"),
        {"action": "export_xlsx", "_selected_action": [company.pk for company in ticked]},
    )

    rows, _title = cells_of(response)
    headers = [cell.value for cell in rows[0]]
    assert [row[headers.index("单位名称")].value for row in rows[1:]] == ["杭州丙0仪表有限公司"]
    assert rows[1][headers.index("城市")].value == "杭州市"  # a choice by its label
    action = reverse("admin:members_company_changelist")
    assert "将所选会员单位导出为 Excel" in admin_client.get(action).content.decode()


def test_it_writes_labels_names_and_shanghai_times_from_the_english_back_office(admin_client):
    build_registrations(0)
    build_subscribers(1)

    with translation.override("en"):
        registrations = admin_client.get(reverse("admin:events_registration_export"), {"q": "甲0"})
        subscribers = admin_client.get(reverse("admin:digests_subscriber_export"), {"q": "jia1"})

    rows, _title = cells_of(registrations)
    record = dict(
        zip([cell.value for cell in rows[0]], [cell.value for cell in rows[1]], strict=True)
    )
    assert record["活动"] == "会员交流活动0"  # a foreign key by its name
    assert record["单位"] == "宁波甲0仪表有限公司"
    assert record["状态"] == "已确认"
    assert record["报名时间"] == datetime(2026, 3, 1, 9, 30)  # Asia/Shanghai
    rows, _title = cells_of(subscribers)
    record = dict(
        zip([cell.value for cell in rows[0]], [cell.value for cell in rows[1]], strict=True)
    )
    assert record["栏目"] == "协会动态、会员成果"
    assert record["状态"] == "正常"


def test_the_dues_bill_list_keeps_its_own_buttons(admin_client):
    build_bills(0)

    content = admin_client.get(reverse("admin:dues_duesbill_changelist")).content.decode()

    assert reverse("admin:dues_duesbill_create") in content
    assert reverse("admin:dues_payment_add") in content
    assert f'href="{reverse("admin:dues_duesbill_export")}"' in content


def test_a_malformed_filter_goes_back_to_the_list(admin_client):
    response = admin_client.get(reverse("admin:members_company_export"), {"joined_on__gte": "x"})

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:members_company_changelist") + "?e=1"
