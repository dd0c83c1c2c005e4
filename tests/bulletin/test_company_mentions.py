"""The member companies an article names, by any of their spellings."""

from bulletin.company_mentions import CompanySpellings
from members.models import Company

SUPCON = Company(pk=1, name="浙江中控技术股份有限公司", short_name="中控技术", aliases=["中控"])
SUPCON_METERS = Company(pk=2, name="浙江中控自动化仪表有限公司", short_name="中控自动化仪表")
HOLLYSYS = Company(pk=3, name="杭州和利时自动化有限公司", short_name="和利时", aliases=["杭和"])
NINGBO_WATER = Company(
    pk=4, name="宁波水表（集团）股份有限公司", short_name="宁水集团", aliases=["宁波水表"]
)
SPELLINGS = CompanySpellings([SUPCON, SUPCON_METERS, HOLLYSYS, NINGBO_WATER])


def test_it_finds_companies_by_name_short_name_or_other_name_in_order():
    text = "杭和与济钢国际签署协议；宁波水表（集团）股份有限公司、中控技术出席。"
    assert SPELLINGS.find(text) == [HOLLYSYS, NINGBO_WATER, SUPCON]


def test_the_longest_spelling_wins():
    # 中控 is 中控技术's other name, but here it begins another company's name.
    assert SPELLINGS.find("理事单位浙江中控自动化仪表有限公司") == [SUPCON_METERS]
    assert SPELLINGS.find("中控自动化仪表与中控科技体验中心") == [SUPCON_METERS, SUPCON]


def test_it_names_each_company_once_and_none_for_no_spelling():
    assert SPELLINGS.find("中控技术5S店、中控技术S2B平台") == [SUPCON]
    assert SPELLINGS.find("十八部门联合发文，仪器仪表产品质量提升有了新方案！") == []
    assert SPELLINGS.find("") == []


def test_a_spelling_two_companies_share_names_neither():
    shared = Company(pk=5, name="某某仪表有限公司", short_name="某某", aliases=["中控"])
    spellings = CompanySpellings([SUPCON, shared])
    assert spellings.find("中控的新工厂") == []
    assert spellings.find("中控技术的新工厂") == [SUPCON]
