"""The honours roll (/honours/)."""

from datetime import date

import pytest

from awards.models import Award, Honour
from members.models import Company
from tests.queries import MAX_QUERIES, count_queries, empty_cache


@pytest.fixture
def roll(db):
    """Two awards, honours over two years, and honours the public must not see."""
    national = Award.objects.create(
        name="国家知识产权示范企业", issuer="国家知识产权局", level="national", kind="ip"
    )
    provincial = Award.objects.create(
        name="浙江省优秀工业产品", issuer="浙江省企业联合会", level="provincial", kind="product"
    )
    hidden_award = Award.objects.create(
        name="未核实奖项", issuer="某机构", level="industry", kind="enterprise"
    )
    focused = Company.objects.create(name="聚光科技（杭州）股份有限公司", short_name="聚光科技")
    sunny = Company.objects.create(name="宁波永新光学股份有限公司", short_name="永新光学")
    water = Company.objects.create(name="宁波水表（集团）股份有限公司", short_name="宁水集团")
    unlisted = Company.objects.create(name="不公开的公司", listed=False)
    suspended = Company.objects.create(name="暂停的公司", status=Company.Status.SUSPENDED)

    def honour(award, year, company, verified=True, **fields):
        return Honour.objects.create(
            award=award, year=year, company=company, verified=verified, **fields
        )

    honour(
        national,
        2022,
        focused,
        document_number="国知发运函字〔2022〕160号",
        awarded_on=date(2022, 10, 31),
    )
    honour(national, 2022, sunny, document_number="国知发运函字〔2022〕160号")
    honour(provincial, 2022, water, project="智能水表", grade="一等奖")
    honour(provincial, 2021, focused, project="在线色谱仪", person="王健")
    honour(national, 2021, water)
    honour(national, 2022, water, verified=False, project="未核实")
    honour(hidden_award, 2020, water, verified=False)
    honour(national, 2022, unlisted)
    honour(provincial, 2022, suspended)
    return {"national": national, "provincial": provincial, "hidden_award": hidden_award}


def html(response) -> str:
    return response.content.decode()


def rows(response) -> list[tuple[int, str, str]]:
    return [
        (honour.year, honour.award.name, honour.company.display_name)
        for honour in response.context["page_obj"]
    ]


def test_it_groups_public_honours_by_year(client, roll):
    response = client.get("/honours/")

    assert response.status_code == 200
    found = rows(response)
    assert [year for year, _, _ in found] == [2022, 2022, 2022, 2021, 2021]
    assert set(found) == {
        (2022, "国家知识产权示范企业", "永新光学"),
        (2022, "国家知识产权示范企业", "聚光科技"),
        (2022, "浙江省优秀工业产品", "宁水集团"),
        (2021, "国家知识产权示范企业", "宁水集团"),
        (2021, "浙江省优秀工业产品", "聚光科技"),
    }
    page = html(response)
    assert page.index('id="year-2022"') < page.index('id="year-2021"')
    assert page.count('<section class="card honour-year"') == 2
    assert "国知发运函字〔2022〕160号" in page
    assert "2022年10月31日" in page
    assert "一等奖" in page and "智能水表" in page and "王健" in page
    assert 'class="badge">国家级</span>' in page


def test_it_shows_only_verified_honours_of_listed_active_companies(client, roll):
    page = html(client.get("/honours/"))

    assert "未核实" not in page
    assert "不公开的公司" not in page
    assert "暂停的公司" not in page
    assert "2020" not in page


def test_it_filters_by_level_award_and_year(client, roll):
    def companies(query: str) -> list[tuple[int, str, str]]:
        empty_cache()  # the same address twice would come from the page cache
        return rows(client.get(f"/honours/{query}"))

    national, provincial = roll["national"].pk, roll["provincial"].pk
    assert {row[1] for row in companies("?level=provincial")} == {"浙江省优秀工业产品"}
    assert len(companies("?level=provincial")) == 2
    assert companies("?level=municipal") == []
    assert {row[2] for row in companies(f"?award={national}")} == {
        "聚光科技",
        "永新光学",
        "宁水集团",
    }
    assert {row[0] for row in companies("?year=2021")} == {2021}
    assert companies(f"?award={provincial}&year=2022") == [(2022, "浙江省优秀工业产品", "宁水集团")]
    assert companies(f"?level=national&year=2021&award={national}") == [
        (2021, "国家知识产权示范企业", "宁水集团")
    ]
    assert companies(f"?level=provincial&award={national}") == []


def test_it_offers_only_years_and_awards_with_public_honours(client, roll):
    form = client.get("/honours/").context["filter"].form

    assert [value for value, _ in form.fields["year"].choices if value] == [2022, 2021]
    awards = {str(label) for value, label in form.fields["award"].choices if value}
    assert awards == {"国家知识产权示范企业", "浙江省优秀工业产品"}
    page = html(client.get("/honours/"))
    assert '<label for="id_year">' in page
    assert '<label for="id_level">' in page
    assert '<label for="id_award">' in page


@pytest.mark.parametrize(
    "query",
    ["?year=abc", "?year=1900", "?level=galactic", "?award=999999", "?award=x", "?page=-1"],
)
def test_it_answers_invalid_filter_values_without_error(client, roll, query):
    response = client.get(f"/honours/{query}")

    assert response.status_code == 200
    if "page" not in query:
        assert rows(response) == []
        assert 'class="field-error"' in html(response)


def test_it_paginates_fifty_a_page(client, roll):
    award = roll["provincial"]
    for number in range(120):
        company = Company.objects.create(name=f"会员公司{number:03}")
        Honour.objects.create(award=award, year=2019, company=company, verified=True)

    first = client.get("/honours/")
    third = client.get("/honours/?page=3")

    assert len(first.context["page_obj"]) == 50
    assert first.context["page_obj"].paginator.count == 125
    assert len(third.context["page_obj"]) == 25
    assert {honour.year for honour in third.context["page_obj"]} == {2019}
    assert 'href="?page=2"' in html(first)
    assert 'aria-current="page">3</a>' in html(third)
    assert '<link rel="canonical" href="http://127.0.0.1:8000/honours/?page=3">' in html(third)
    filtered = html(client.get("/honours/?year=2019&page=2"))
    assert 'href="?year=2019&amp;page=3"' in filtered
    assert '<link rel="canonical" href="http://127.0.0.1:8000/honours/?year=2019&amp;page=2">' in (
        filtered
    )


def test_it_shows_the_roll_in_english(client, roll):
    page = html(client.get("/en/honours/"))

    assert '<html lang="en">' in page
    assert "<h1>Honours</h1>" in page and "5 honours" in page
    assert "Oct. 31, 2022" in page
    assert 'class="badge">National</span>' in page
    assert "国家知识产权示范企业" in page  # content stays as entered


def test_it_lists_the_demo_ip_demonstration_companies_of_2022(client, loaded_demo):
    award = Award.objects.get(name="国家知识产权示范企业")

    response = client.get(f"/honours/?award={award.pk}&year=2022")

    assert sorted(company for _, _, company in rows(response)) == sorted(["聚光科技", "永新光学"])
    assert "国知发运函字〔2022〕160号" in html(response)


def _add_honours(award: Award, count: int, start: int) -> None:
    for number in range(start, start + count):
        company = Company.objects.create(name=f"计数公司{number:03}", short_name=f"计数{number}")
        Honour.objects.create(award=award, year=2000 + number % 5, company=company, verified=True)


@pytest.mark.django_db
def test_it_builds_the_roll_in_a_fixed_number_of_queries(client, private_cache):
    award = Award.objects.create(name="计数奖", issuer="某机构", level="national", kind="ip")
    _add_honours(award, 3, start=0)
    few = count_queries(client, "/honours/")
    _add_honours(award, 57, start=3)
    many = count_queries(client, "/honours/")
    filtered = count_queries(client, f"/honours/?year=2001&level=national&award={award.pk}")

    assert few == many, "The honours roll must not make a query per honour."
    assert many <= MAX_QUERIES
    assert filtered <= MAX_QUERIES
