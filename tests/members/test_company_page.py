"""/members/<id>/: a member company's public page."""

import re

import pytest
from django.conf import settings

from awards.models import Award, Honour
from bulletin.models import Article, Section
from events.models import Event
from members.models import Company, CouncilSeat, SeatRole, Term
from tests.conftest import shanghai
from tests.queries import assert_fixed_and_few, page_queries

pytestmark = pytest.mark.django_db


def _url(company: Company, language: str = "") -> str:
    return f"{language}/members/{company.pk}/"


def test_it_shows_the_public_fields(client, demo_db):
    company = demo_db.company
    company.public_email = "info@supcon.com"
    company.logo = "logos/2024/supcon.png"
    company.save()

    response = client.get(_url(company))

    assert response.status_code == 200
    assert '<h1 id="company-name">浙江中控技术股份有限公司</h1>' in response.text
    for value in (
        "中控技术",
        "SUPCON Technology Co., Ltd.",
        "杭州市",
        "工业自动化仪表",
        "杭州市滨江区六和路309号",
        "1999",
        "<p>流程工业智能制造整体解决方案供应商。</p>",
    ):
        assert value in response.text, value
    assert '<a href="http://www.supcon.com" rel="noopener">' in response.text
    assert '<a href="tel:0571-86667525">' in response.text
    assert '<a href="mailto:info@supcon.com">' in response.text
    assert 'src="/media/logos/2024/supcon.png" alt="浙江中控技术股份有限公司"' in response.text


def test_it_never_shows_the_credit_code_or_contacts(client, demo_db):
    response = client.get(_url(demo_db.company))

    assert demo_db.company.credit_code == "91330100799655058B"
    assert "91330100799655058B" not in response.text
    assert "liming@example.com" not in response.text
    assert "13800000000" not in response.text
    assert "李明" not in response.text


def test_it_shows_the_seat_honours_news_and_events(client, demo_db):
    response = client.get(_url(demo_db.company))

    assert "副理事长单位" in response.text
    assert "第七届理事会" in response.text
    assert "国家知识产权示范企业" in response.text
    assert "国知发运函字〔2022〕160号" in response.text
    assert f'href="/news/{demo_db.article.pk}/"' in response.text
    assert f'href="/news/?company={demo_db.company.pk}"' in response.text
    assert f'href="/events/{demo_db.event.pk}/"' in response.text


def test_it_shows_the_demo_honour_and_news_of_focused_photonics(client, loaded_demo):
    company = Company.objects.get(short_name="聚光科技")

    response = client.get(_url(company))

    assert response.status_code == 200
    assert "国家知识产权示范企业" in response.text
    assert "国知发运函字〔2022〕160号" in response.text
    assert "国家知识产权示范企业和优势企业名单公布啦！" in response.text
    assert "高可靠工业在线色谱仪工程化及应用开发" in response.text  # project and news
    assert "副理事长单位" in response.text


def test_it_leaves_out_what_the_public_may_not_see(client, demo_db):
    company = demo_db.company
    Honour.objects.create(award=demo_db.award, year=2021, company=company, verified=False)
    Article.objects.create(
        title="尚未发布的草稿", section=demo_db.section, status=Article.Status.DRAFT
    )
    Article.objects.create(
        title="明年才发布的文章",
        section=demo_db.section,
        status=Article.Status.PUBLISHED,
        published_at=shanghai(2100, 1, 1),
    ).companies.add(company)
    Event.objects.create(
        title="草稿活动", starts_at=shanghai(2022, 1, 1), ends_at=shanghai(2022, 1, 2)
    ).co_organisers.add(company)

    response = client.get(_url(company))

    assert response.text.count("国家知识产权示范企业") == 1
    assert "2021" not in response.text
    assert "尚未发布的草稿" not in response.text
    assert "明年才发布的文章" not in response.text
    assert "草稿活动" not in response.text


def test_it_lists_the_newest_ten_articles_and_links_to_all(client, demo_db):
    for day in range(1, 13):
        Article.objects.create(
            title=f"中控新闻第{day:02d}篇",
            section=demo_db.section,
            status=Article.Status.PUBLISHED,
            published_at=shanghai(2023, 1, day),
        ).companies.add(demo_db.company)

    response = client.get(_url(demo_db.company))

    assert "中控新闻第12篇" in response.text
    assert "中控新闻第03篇" in response.text
    assert "中控新闻第02篇" not in response.text
    assert response.text.index("中控新闻第12篇") < response.text.index("中控新闻第11篇")
    assert f'href="/news/?company={demo_db.company.pk}"' in response.text


def test_it_orders_honours_by_year_newest_first(client, demo_db):
    older = Award.objects.create(
        name="浙江省优秀工业产品", issuer="三家单位", level="provincial", kind="product"
    )
    Honour.objects.create(
        award=older, year=2019, company=demo_db.company, project="某产品", verified=True
    )

    response = client.get(_url(demo_db.company))

    assert response.text.index("国家知识产权示范企业") < response.text.index("浙江省优秀工业产品")
    assert "某产品" in response.text


def test_it_shows_earlier_terms_seats_as_history(client, demo_db):
    sixth = Term.objects.create(ordinal=6, name="第六届理事会")
    CouncilSeat.objects.create(term=sixth, company=demo_db.company, role=SeatRole.COUNCIL)

    response = client.get(_url(demo_db.company))

    assert '<a href="/leadership/6/">第六届理事会</a> <span class="badge">理事单位</span>' in (
        response.text
    )


@pytest.mark.parametrize(
    "change",
    [
        {"listed": False},
        {"status": Company.Status.WITHDRAWN},
        {"status": Company.Status.SUSPENDED},
        {"status": Company.Status.APPLICANT},
    ],
)
def test_it_is_not_found_when_not_public(client, demo_db, change):
    Company.objects.filter(pk=demo_db.company.pk).update(**change)

    assert client.get(_url(demo_db.company)).status_code == 404
    assert client.get(_url(demo_db.company, "/en")).status_code == 404


def test_it_is_not_found_for_an_unknown_id(client, db):
    assert client.get("/members/999999/").status_code == 404


def test_it_describes_itself_for_search_engines_and_sharing(client, demo_db):
    demo_db.company.logo = "logos/2024/supcon.png"
    demo_db.company.save()

    response = client.get(_url(demo_db.company))

    url = f"{settings.SITE_URL}/members/{demo_db.company.pk}/"
    assert f'<link rel="canonical" href="{url}">' in response.text
    assert f'<meta property="og:url" content="{url}">' in response.text
    assert '<meta property="og:title" content="浙江中控技术股份有限公司">' in response.text
    assert '<meta property="og:type" content="website">' in response.text
    assert (
        f'<meta property="og:image" content="{settings.SITE_URL}/media/logos/2024/supcon.png">'
        in response.text
    )
    assert '<meta name="description" content="流程工业智能制造整体解决方案供应商。">' in (
        response.text
    )


def test_it_describes_a_company_without_a_description_by_its_facts(client, demo_db):
    demo_db.company.description = ""
    demo_db.company.save()

    response = client.get(_url(demo_db.company))

    assert (
        '<meta name="description" content="浙江中控技术股份有限公司 · 杭州市 · 副理事长单位 · '
        in response.text
    )
    assert "og:image" not in response.text


def test_it_truncates_a_long_description(client, demo_db):
    demo_db.company.description = "<p>" + "仪" * 300 + "</p>"
    demo_db.company.save()

    response = client.get(_url(demo_db.company))

    description = re.search(r'<meta name="description" content="([^"]*)">', response.text)[1]
    assert description.startswith("仪" * 100)
    assert len(description) <= 120


def test_it_speaks_english_at_en(client, demo_db):
    response = client.get(_url(demo_db.company, "/en"))

    assert response.status_code == 200
    assert '<h1 id="company-name">SUPCON Technology Co., Ltd.</h1>' in response.text
    assert '<p class="subtitle" lang="zh-Hans">浙江中控技术股份有限公司</p>' in response.text
    assert "Company details" in response.text
    assert "Vice-president unit" in response.text
    assert "<title>SUPCON Technology Co., Ltd. · " in response.text


def test_it_shows_the_chinese_name_on_english_pages_without_an_english_name(client, demo_db):
    demo_db.company.english_name = ""
    demo_db.company.save()

    response = client.get(_url(demo_db.company, "/en"))

    # Marked Chinese, for screen readers (WCAG 3.1.2).
    assert '<h1 id="company-name" lang="zh-Hans">浙江中控技术股份有限公司</h1>' in response.text


# ------------------------------------------------------------------------- query counts
def _add_rows(company: Company, count: int, start: int) -> None:
    section = Section.objects.get_or_create(name="会员成果", slug="achievements")[0]
    for n in range(start, start + count):
        award = Award.objects.create(
            name=f"奖项{n}", issuer="颁发单位", level="provincial", kind="product"
        )
        Honour.objects.create(award=award, year=2000 + n % 20, company=company, verified=True)
        Article.objects.create(
            title=f"会员新闻{n}",
            section=section,
            status=Article.Status.PUBLISHED,
            published_at=shanghai(2022, 1, 1),
        ).companies.add(company)
        event = Event.objects.create(
            title=f"协办活动{n}",
            starts_at=shanghai(2022, 1, 1),
            ends_at=shanghai(2022, 1, 2),
            status=Event.Status.PUBLISHED,
        )
        event.co_organisers.add(company)
        term = Term.objects.create(ordinal=100 + n, name=f"第{n}届")
        CouncilSeat.objects.create(term=term, company=company, role=SeatRole.COUNCIL)


def test_it_needs_the_same_few_queries_for_3_or_60_rows(client, demo_db, private_cache):
    company = demo_db.company
    _add_rows(company, 3, start=0)
    with_three = page_queries(client, _url(company))

    _add_rows(company, 57, start=3)
    with_sixty = page_queries(client, _url(company))

    assert_fixed_and_few(with_three, with_sixty)
