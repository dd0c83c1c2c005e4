"""/members/: the member directory, its filters and its Chinese search."""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.models import City, Company, CouncilSeat, IndustrySegment, SeatRole, Term
from tests.queries import assert_fixed_and_few, page_queries

pytestmark = pytest.mark.django_db


URL = "/members/"


def _company(name: str, **fields) -> Company:
    return Company.objects.create(name=name, **fields)


def _seat(company: Company, role: SeatRole, term: Term | None = None) -> CouncilSeat:
    term = (
        term
        or Term.objects.get_or_create(
            ordinal=7, defaults={"name": "第七届理事会", "is_current": True}
        )[0]
    )
    return CouncilSeat.objects.create(term=term, company=company, role=role)


def _titles(response) -> list[str]:
    """The companies listed, as their entries' headings read (highlights removed)."""
    html = response.content.decode()
    return [
        re.sub(r"<[^>]+>", "", title)
        for title in re.findall(r'<h3 class="item-title"><a [^>]*>(.*?)</a></h3>', html)
    ]


def test_it_lists_a_company_with_its_public_facts(client, demo_db):
    demo_db.company.logo = "logos/2024/supcon.png"
    demo_db.company.save()

    response = client.get(URL)

    assert response.status_code == 200
    assert _titles(response) == ["浙江中控技术股份有限公司"]
    assert "中控技术" in response.text
    assert "SUPCON Technology Co., Ltd." in response.text
    assert "杭州市" in response.text  # the city, in Chinese on the Chinese page
    assert "工业自动化仪表" in response.text
    assert '<span class="badge">副理事长单位</span>' in response.text
    assert 'src="/media/logos/2024/supcon.png" alt="浙江中控技术股份有限公司"' in response.text
    assert "91330100799655058B" not in response.text


def test_it_counts_members_by_role_and_results(client, db):
    for n in range(3):
        _seat(_company(f"理事{n}有限公司"), SeatRole.COUNCIL)
    _seat(_company("副理事长有限公司"), SeatRole.VICE_PRESIDENT)
    _company("未入席有限公司")

    response = client.get(URL)

    figures = re.search(r'<dl class="figures role-figures">(.*?)</dl>', response.text, re.S)[1]
    assert re.search(r"副理事长单位</a></dt><dd>1</dd>", figures)
    assert re.search(r"理事单位</a></dt><dd>3</dd>", figures)
    assert "理事长单位</a></dt>" not in figures.replace("副理事长单位</a></dt>", "")
    assert response.context["page_obj"].paginator.count == 5


def test_it_sorts_by_role_then_name(client, db):
    _company("A无席位公司")
    _seat(_company("B会员公司"), SeatRole.MEMBER)
    _seat(_company("C理事公司"), SeatRole.COUNCIL)
    _seat(_company("D理事长公司"), SeatRole.PRESIDENT)
    _seat(_company("E副理事长公司"), SeatRole.VICE_PRESIDENT)
    _seat(_company("F理事公司"), SeatRole.COUNCIL)

    response = client.get(URL)

    assert _titles(response) == [
        "D理事长公司",
        "E副理事长公司",
        "C理事公司",
        "F理事公司",
        "B会员公司",
        "A无席位公司",
    ]


def test_it_filters_by_role_in_the_current_term(client, db):
    old_term = Term.objects.create(ordinal=6, name="第六届理事会")
    council = _company("理事单位公司")
    _seat(council, SeatRole.COUNCIL)
    formerly_council = _company("曾任理事公司")
    _seat(formerly_council, SeatRole.MEMBER)
    _seat(formerly_council, SeatRole.COUNCIL, term=old_term)

    response = client.get(f"{URL}?role={SeatRole.COUNCIL.value}")

    assert _titles(response) == ["理事单位公司"]


def test_it_filters_by_city(client, db):
    _company("杭州甲公司", city=City.HANGZHOU)
    _company("宁波乙公司", city=City.NINGBO)

    response = client.get(f"{URL}?city=ningbo")

    assert _titles(response) == ["宁波乙公司"]


def test_it_filters_by_industry(client, db):
    flow = IndustrySegment.objects.create(name="流量与计量仪表")
    optics = IndustrySegment.objects.create(name="光学仪器")
    _company("流量公司", industry=flow)
    _company("光学公司", industry=optics)

    response = client.get(f"{URL}?industry={optics.pk}")

    assert _titles(response) == ["光学公司"]


def test_it_shows_form_errors_for_invalid_values_and_ignores_them(client, db):
    _company("杭州甲公司", city=City.HANGZHOU)

    response = client.get(f"{URL}?role=99&city=mars&industry=abc&page=x")

    assert response.status_code == 200
    assert response.text.count('class="field-error"') == 3
    assert _titles(response) == ["杭州甲公司"]


def test_it_searches_for_a_word_in_names_and_descriptions(client, loaded_demo):
    _company("杭州示例科技有限公司", description="<p>研发智能燃气仪表与传感器。</p>")

    response = client.get(f"{URL}?q=仪表")

    titles = _titles(response)
    assert {"苍南仪表集团", "天信仪表", "浙江中控自动化仪表有限公司"} <= set(titles)
    assert "杭州示例科技有限公司" in titles  # by its description
    assert "舜宇集团有限公司" not in titles
    assert "<mark>仪表</mark>" in response.text
    # A name containing the word ranks above a description that mentions it.
    assert titles[-1] == "杭州示例科技有限公司"


def test_it_finds_a_company_by_its_short_name(client, loaded_demo):
    response = client.get(f"{URL}?q=中控")

    titles = _titles(response)
    assert set(titles) == {"浙江中控技术股份有限公司", "浙江中控自动化仪表有限公司"}
    assert "<mark>中控</mark>技术" in response.text


def test_it_finds_a_substring_of_a_name(client, db):
    _company("杭州西力智能科技股份有限公司")
    _company("舜宇集团有限公司")

    response = client.get(f"{URL}?q=力智")

    assert _titles(response) == ["杭州西力智能科技股份有限公司"]


def test_it_combines_search_and_filters(client, loaded_demo):
    response = client.get(f"{URL}?q=仪表&city=wenzhou")

    assert set(_titles(response)) == {"苍南仪表集团", "天信仪表"}
    # Pages keep the search and the filter.
    assert 'value="仪表"' in response.text
    assert '<option value="wenzhou" selected>' in response.text


def test_it_says_so_when_nothing_matches(client, db):
    _company("杭州甲公司")

    response = client.get(f"{URL}?q=不存在的词")

    assert _titles(response) == []
    assert 'class="empty"' in response.text


def test_it_paginates_by_24(client, db):
    Company.objects.bulk_create(
        Company(name=f"会员公司{n:02d}", search_tokens=f"会员 公司 {n:02d}") for n in range(30)
    )

    first = client.get(URL)
    second = client.get(f"{URL}?page=2")

    assert len(_titles(first)) == 24
    assert len(_titles(second)) == 6
    assert first.context["page_obj"].paginator.num_pages == 2
    assert 'href="?page=2" rel="next"' in first.text
    assert 'href="?page=1" rel="prev"' in second.text
    assert set(_titles(first)).isdisjoint(_titles(second))
    assert f'<link rel="canonical" href="{settings.SITE_URL}/members/?page=2">' in second.text


def test_it_keeps_the_filters_when_paging(client, db):
    Company.objects.bulk_create(
        Company(name=f"杭州会员{n:02d}", city=City.HANGZHOU) for n in range(30)
    )

    response = client.get(f"{URL}?city=hangzhou")

    assert 'href="?city=hangzhou&amp;page=2"' in response.text


def test_it_speaks_english_at_en(client, demo_db):
    response = client.get(f"/en{URL}")

    assert response.status_code == 200
    assert '<html lang="en">' in response.text
    assert "Member directory" in response.text
    assert "Role in the current term" in response.text
    assert _titles(response) == ["SUPCON Technology Co., Ltd."]
    assert '<span lang="zh-Hans">浙江中控技术股份有限公司</span>' in response.text
    assert "Vice-president unit" in response.text
    assert "Hangzhou" in response.text


@pytest.mark.parametrize("status", [Company.Status.WITHDRAWN, Company.Status.SUSPENDED])
def test_it_leaves_out_companies_that_are_not_active(client, db, status):
    _company("在册仪表公司")
    _seat(_company("退会仪表公司", status=status), SeatRole.COUNCIL)

    assert _titles(client.get(URL)) == ["在册仪表公司"]
    assert _titles(client.get(f"{URL}?q=仪表")) == ["在册仪表公司"]
    assert _titles(client.get(f"{URL}?role={SeatRole.COUNCIL.value}")) == []


def test_it_leaves_out_unlisted_companies(client, db):
    _company("在册仪表公司")
    _seat(_company("不公开仪表公司", listed=False), SeatRole.COUNCIL)

    assert _titles(client.get(URL)) == ["在册仪表公司"]
    assert _titles(client.get(f"{URL}?q=不公开")) == []
    response = client.get(URL)
    assert "理事单位</a></dt>" not in response.text  # not counted in the summary


def test_it_is_cached_for_anonymous_visitors(client, db, private_cache):
    _company("杭州甲公司")
    assert client.get(URL).status_code == 200

    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)

    assert response.status_code == 200
    assert len(queries) == 0


# ------------------------------------------------------------------------- query counts
QUERY_URLS = [
    URL,
    f"{URL}?role={SeatRole.COUNCIL.value}&city=hangzhou",
    f"{URL}?industry=INDUSTRY",
    f"{URL}?q=仪表",
    f"{URL}?q=仪表&role={SeatRole.COUNCIL.value}&city=hangzhou&industry=INDUSTRY&page=2",
]


def _members(count: int, industry: IndustrySegment, start: int = 0) -> None:
    term = Term.objects.get_or_create(
        ordinal=7, defaults={"name": "第七届理事会", "is_current": True}
    )[0]
    for n in range(start, start + count):
        company = _company(
            f"杭州第{n:03d}仪表有限公司",
            short_name=f"第{n:03d}仪表",
            english_name=f"Meter No. {n}",
            city=City.HANGZHOU,
            industry=industry,
            logo=f"logos/2024/{n}.png",
            description="<p>研发智能仪表。</p>",
        )
        _seat(company, SeatRole.COUNCIL, term=term)


@pytest.mark.parametrize("url", QUERY_URLS)
def test_it_needs_the_same_few_queries_for_3_or_60_companies(client, db, url, private_cache):
    industry = IndustrySegment.objects.create(name="流量与计量仪表")
    url = url.replace("INDUSTRY", str(industry.pk))
    _members(3, industry)
    with_three = page_queries(client, url)

    _members(57, industry, start=3)
    with_sixty = page_queries(client, url)

    assert_fixed_and_few(with_three, with_sixty)
