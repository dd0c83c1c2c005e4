"""The city and industry drop-downs of /join/ and /account/profile/, in the page's language."""

import re

import pytest

from members.models import City, IndustrySegment
from tests.accounts.builders import make_company, make_contact

pytestmark = pytest.mark.django_db

DJANGO_BLANKS = ("- Select an option -", "- 请选择 -", "---------")


@pytest.fixture
def industries():
    IndustrySegment.objects.create(name="分析仪器", english_name="Analytical instruments", order=1)
    IndustrySegment.objects.create(name="光学仪器", order=2)  # no English name yet


@pytest.fixture
def contact_client(client):
    company = make_company("浙江中控技术股份有限公司", city=City.HANGZHOU)
    client.force_login(make_contact(company, "liming@demo.xiehui.local", primary=True).user)
    return client


def _select(html: str, name: str) -> str:
    return re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)


def _empty_choice(select: str) -> str:
    return re.search(r'<option value=""(?: selected)?>(.*?)</option>', select).group(1)


@pytest.mark.parametrize("page", ["/join/", "/account/profile/"])
def test_its_empty_choices_prompt_in_chinese_on_chinese_pages(contact_client, industries, page):
    if page == "/join/":
        contact_client.logout()
    html = contact_client.get(page).content.decode()

    assert not [blank for blank in DJANGO_BLANKS if blank in html]
    assert _empty_choice(_select(html, "city")) == "请选择城市"
    industry = _select(html, "industry")
    assert _empty_choice(industry) == "请选择行业领域"
    assert ">分析仪器</option>" in industry and ">光学仪器</option>" in industry


@pytest.mark.parametrize("page", ["/en/join/", "/en/account/profile/"])
def test_its_choices_are_in_english_on_english_pages(contact_client, industries, page):
    if page == "/en/join/":
        contact_client.logout()
    html = contact_client.get(page).content.decode()

    assert not [blank for blank in DJANGO_BLANKS if blank in html]
    city = _select(html, "city")
    assert _empty_choice(city) == "Choose a city"
    assert ">Hangzhou</option>" in city
    industry = _select(html, "industry")
    assert _empty_choice(industry) == "Choose an industry"
    assert ">Analytical instruments</option>" in industry
    # A segment without an English name shows in Chinese, marked so.
    assert 'lang="zh-Hans">光学仪器</option>' in industry
