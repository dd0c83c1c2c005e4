"""/leadership/ and /leadership/<ordinal>/: a term's officers and council units."""

import re

import pytest
from django.conf import settings

from members.models import Company, CouncilSeat, Office, Officer, SeatRole, Term
from tests.demo import COUNCIL_UNITS, VICE_PRESIDENT_UNITS
from tests.queries import assert_fixed_and_few, page_queries

pytestmark = pytest.mark.django_db


def _groups(response) -> dict[str, str]:
    """Each <h3> group of the page by its heading's text: {heading: the HTML under it}."""
    parts = re.split(r"<h3[^>]*>(.*?)</h3>", response.text.split("<main", 1)[1])
    headings = [
        re.sub(r'<span class="badge">\d+</span>|<[^>]+>', "", heading).strip()
        for heading in parts[1::2]
    ]
    return dict(zip(headings, parts[2::2], strict=True))


def _company_links(html: str) -> set[str]:
    return set(re.findall(r'<a href="(?:/en)?/members/\d+/">([^<]+)</a>', html))


def test_it_shows_the_demo_council(client, loaded_demo):
    response = client.get("/leadership/")

    assert response.status_code == 200
    assert "<h1>第七届理事会</h1>" in response.text
    groups = _groups(response)
    assert "金建祥" in groups["理事长"]
    assert "中控集团董事长" in groups["理事长"]
    assert "裘晓景" in groups["副理事长"]
    assert "裘晓景" in groups["秘书长"]
    assert "褚天羽" in groups["副秘书长"]
    names = dict(Company.objects.values_list("short_name", "name"))
    assert _company_links(groups["副理事长单位"]) == {names[c] for c in VICE_PRESIDENT_UNITS}
    assert _company_links(groups["理事单位"]) == {names[c] for c in COUNCIL_UNITS}
    assert list(groups)[:4] == ["理事长", "副理事长", "秘书长", "副秘书长"]


def test_it_links_an_officer_to_a_listed_company_only(client, demo_db):
    supcon = demo_db.company
    hidden = Company.objects.create(name="不公开的公司", listed=False)
    Officer.objects.create(
        term=demo_db.term, name="王五", office=Office.VICE_PRESIDENT, company=hidden
    )

    response = client.get("/leadership/")

    groups = _groups(response)
    assert f'<a href="/members/{supcon.pk}/">中控技术</a>' in groups["理事长"]
    assert "王五" in groups["副理事长"]
    assert f"/members/{hidden.pk}/" not in response.text
    assert "不公开的公司" not in response.text


def test_it_shows_only_listed_companies_seats(client, demo_db):
    for name, change in [("不公开公司", {"listed": False}), ("退会公司", {"status": "withdrawn"})]:
        company = Company.objects.create(name=name, **change)
        CouncilSeat.objects.create(term=demo_db.term, company=company, role=SeatRole.COUNCIL)

    response = client.get("/leadership/")

    assert "不公开公司" not in response.text
    assert "退会公司" not in response.text
    assert "理事单位" not in _groups(response)


def test_it_counts_member_units_and_links_to_the_directory(client, demo_db):
    for n in range(3):
        company = Company.objects.create(name=f"会员公司{n}")
        CouncilSeat.objects.create(term=demo_db.term, company=company, role=SeatRole.MEMBER)

    response = client.get("/leadership/")

    assert "会员公司0" not in response.text
    assert "本届共有 3 家会员单位。" in response.text
    assert f'href="/members/?role={SeatRole.MEMBER.value}"' in response.text


def test_it_shows_an_earlier_term(client, demo_db):
    sixth = Term.objects.create(ordinal=6, name="第六届理事会")
    Officer.objects.create(term=sixth, name="赵六", office=Office.PRESIDENT)
    CouncilSeat.objects.create(term=sixth, company=demo_db.company, role=SeatRole.PRESIDENT)

    response = client.get("/leadership/6/")

    assert response.status_code == 200
    assert "<h1>第六届理事会</h1>" in response.text
    groups = _groups(response)
    assert "赵六" in groups["理事长"]
    assert "金建祥" not in response.text
    assert _company_links(groups["理事长单位"]) == {"浙江中控技术股份有限公司"}
    terms = response.text.split('id="terms-heading"', 1)[1]
    assert '<a href="/leadership/" aria-current="page">' not in terms
    assert '<a href="/leadership/6/" aria-current="page">第六届理事会</a>' in terms


def test_it_links_every_term(client, demo_db):
    Term.objects.create(ordinal=6, name="第六届理事会")
    Term.objects.create(ordinal=5, name="第五届理事会")

    response = client.get("/leadership/")

    assert '<a href="/leadership/" aria-current="page">第七届理事会</a>' in response.text
    assert '<a href="/leadership/6/">第六届理事会</a>' in response.text
    assert '<a href="/leadership/5/">第五届理事会</a>' in response.text


def test_it_points_the_current_terms_own_address_to_leadership(client, demo_db):
    response = client.get("/leadership/7/")

    assert response.status_code == 200
    assert f'<link rel="canonical" href="{settings.SITE_URL}/leadership/">' in response.text


def test_it_is_not_found_for_an_unknown_term(client, demo_db):
    assert client.get("/leadership/99/").status_code == 404


def test_it_says_so_without_a_current_term(client, db):
    Term.objects.create(ordinal=6, name="第六届理事会")

    response = client.get("/leadership/")

    assert response.status_code == 200
    assert 'class="empty"' in response.text
    assert '<a href="/leadership/6/">第六届理事会</a>' in response.text


def test_it_says_so_without_any_term(client, db):
    response = client.get("/leadership/")

    assert response.status_code == 200
    assert 'class="empty"' in response.text


def test_it_speaks_english_at_en(client, demo_db):
    response = client.get("/en/leadership/")

    assert response.status_code == 200
    assert '<html lang="en">' in response.text
    assert "Officers" in response.text
    groups = _groups(response)
    assert "金建祥" in groups["President"]
    assert _company_links(groups["Vice-president unit"]) == {"SUPCON Technology Co., Ltd."}


# ------------------------------------------------------------------------- query counts
def _council(term: Term, count: int, start: int) -> None:
    for n in range(start, start + count):
        company = Company.objects.create(name=f"理事公司{n:03d}", short_name=f"理事{n:03d}")
        CouncilSeat.objects.create(term=term, company=company, role=SeatRole.COUNCIL)
        member = Company.objects.create(name=f"会员公司{n:03d}")
        CouncilSeat.objects.create(term=term, company=member, role=SeatRole.MEMBER)
        Officer.objects.create(
            term=term, name=f"副理事长{n:03d}", office=Office.VICE_PRESIDENT, company=company
        )
        Term.objects.create(ordinal=100 + n, name=f"第{100 + n}届理事会")


@pytest.mark.parametrize("url", ["/leadership/", "/leadership/7/", "/en/leadership/"])
def test_it_needs_the_same_few_queries_for_3_or_60_rows(client, demo_db, url, private_cache):
    _council(demo_db.term, 3, start=0)
    with_three = page_queries(client, url)

    _council(demo_db.term, 57, start=3)
    with_sixty = page_queries(client, url)

    assert_fixed_and_few(with_three, with_sixty)
