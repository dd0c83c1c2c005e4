"""Small builders of public content for the portal's tests."""

from datetime import timedelta

from django.utils import timezone

from awards.models import Award, Honour
from bulletin.models import Article, Section
from events.models import Event
from members.models import Company, CouncilSeat, SeatRole, Term

SECTIONS = [
    ("协会动态", "association-news"),
    ("会员成果", "member-achievements"),
    ("会员风采", "member-spotlight"),
    ("政策法规", "policies"),
    ("行业资讯", "industry-news"),
]


def public_content(rows: int) -> dict:
    """Add ``rows`` each of published articles, companies with seats, events and honours.

    Calling it again adds more rows to the same sections, term and award.
    """
    now = timezone.now()
    sections = [
        Section.objects.get_or_create(name=name, defaults={"slug": slug, "order": order})[0]
        for order, (name, slug) in enumerate(SECTIONS, start=1)
    ]
    term = Term.objects.get_or_create(
        ordinal=7, defaults={"name": "第七届理事会", "is_current": True}
    )[0]
    award = Award.objects.get_or_create(
        name="浙江省优秀工业产品",
        issuer="浙江省企业联合会",
        defaults={"level": Award.Level.PROVINCIAL, "kind": Award.Kind.PRODUCT},
    )[0]
    companies, articles = [], []
    start = Company.objects.count()
    for n in range(start, start + rows):
        company = Company.objects.create(name=f"杭州第{n}仪表有限公司", short_name=f"仪表{n}")
        companies.append(company)
        CouncilSeat.objects.create(
            term=term, company=company, role=SeatRole.COUNCIL if n % 2 else SeatRole.MEMBER
        )
        article = Article.objects.create(
            title=f"会员单位第{n}项成果发布",
            section=sections[n % len(sections)],
            summary="仪器仪表行业的新成果。",
            body="<p>正文。</p>",
            status=Article.Status.PUBLISHED,
            published_at=now - timedelta(hours=n + 1),
        )
        article.companies.add(company)
        articles.append(article)
        event = Event.objects.create(
            title=f"第{n}期会员交流活动",
            starts_at=now + timedelta(days=n + 1),
            ends_at=now + timedelta(days=n + 1, hours=3),
            status=Event.Status.PUBLISHED,
        )
        event.co_organisers.add(company)
        Honour.objects.create(award=award, year=2022, company=company, verified=True)
    return {"sections": sections, "companies": companies, "articles": articles, "term": term}
