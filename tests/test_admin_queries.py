"""The busiest changelists run as many queries for 30 rows as for 3."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from awards.models import Award, Honour
from bulletin.models import Article, Issue, Section
from events.models import Event, Registration
from members.models import City, Company, CouncilSeat, IndustrySegment, SeatRole, Term

CITIES = [City.HANGZHOU, City.NINGBO, City.WENZHOU, City.JIAXING, City.SHAOXING]


def add_rows(start: int, stop: int) -> None:
    """One company per row, with its seat, an article, an event and an honour.

    Every row has its own industry, section, issue and award, so a missing
    ``select_related`` shows up as one more query per row.
    """
    term, _ = Term.objects.get_or_create(
        ordinal=7, defaults={"name": "第七届理事会", "is_current": True}
    )
    for n in range(start, stop):
        industry = IndustrySegment.objects.create(name=f"仪器仪表细分行业{n}")
        company = Company.objects.create(
            name=f"浙江测试仪表有限公司{n}",
            short_name=f"测试仪表{n}",
            city=CITIES[n % len(CITIES)],
            industry=industry,
            joined_on=date(2010, 1, 1) + timedelta(days=n),
        )
        CouncilSeat.objects.create(term=term, company=company, role=SeatRole.COUNCIL)
        section = Section.objects.create(name=f"栏目{n}", slug=f"section-{n}", order=n)
        issue = Issue.objects.create(year=2022, number=n + 1)
        article = Article.objects.create(
            title=f"测试仪表{n}荣获浙江省优秀工业产品",
            section=section,
            issue=issue,
            status=Article.Status.PUBLISHED,
        )
        article.companies.add(company)
        starts_at = datetime(2022, 10, 1, 9, tzinfo=ZoneInfo("Asia/Shanghai")) + timedelta(days=n)
        event = Event.objects.create(
            title=f"会员企业走访交流活动{n}",
            kind=Event.Kind.VISIT,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=3),
            status=Event.Status.PUBLISHED,
        )
        event.co_organisers.add(company)
        Registration.objects.create(
            event=event,
            company=company,
            attendee_name=f"联系人{n}",
            attendee_email=f"contact{n}@example.com",
        )
        award = Award.objects.create(
            name=f"浙江省专精特新中小企业{n}",
            issuer="浙江省经济和信息化厅",
            level=Award.Level.PROVINCIAL,
            kind=Award.Kind.ENTERPRISE,
        )
        Honour.objects.create(award=award, year=2022, company=company)


def count_queries(client, url: str, rows: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_count == rows
    return len(queries)


@pytest.mark.parametrize(
    "changelist",
    [
        "admin:members_company_changelist",
        "admin:bulletin_article_changelist",
        "admin:events_event_changelist",
        "admin:awards_honour_changelist",
    ],
)
def test_it_does_not_query_per_row(admin_client, changelist):
    url = reverse(changelist)
    add_rows(0, 3)
    few = count_queries(admin_client, url, 3)

    add_rows(3, 30)
    many = count_queries(admin_client, url, 30)

    assert many == few, (
        f"{changelist} ran {few} queries for 3 rows and {many} for 30: "
        f"a column or filter queries once per row"
    )
