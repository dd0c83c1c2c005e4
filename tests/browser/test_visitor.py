"""A visitor's way through the portal, in a real browser, with accessibility checks."""

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SERIOUS = {"serious", "critical"}


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in SERIOUS
    ]


def test_it_leads_from_home_to_a_companys_honours(page, demo_site):
    page.goto("/")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="会员成果").click()
    page.wait_for_url("**/news/?section=*")
    page.get_by_role("link", name="国家知识产权示范企业和优势企业名单公布啦！").first.click()
    page.wait_for_url("**/news/*/")
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == "国家知识产权示范企业和优势企业名单公布啦！"
    page.get_by_role("link", name="聚光科技").first.click()
    page.wait_for_url("**/members/*/")
    assert "聚光科技" in page.get_by_role("heading", level=1).inner_text()
    honours = page.locator("#honours")
    assert "国家知识产权示范企业" in honours.inner_text()
    assert "国知发运函字〔2022〕160号" in honours.inner_text()
    assert page.console_errors == []


def test_it_filters_the_directory_by_city_and_switches_language(page, demo_site):
    page.goto("/members/")
    page.get_by_label("城市").select_option("ningbo")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**/members/?*city=ningbo*")
    results = page.locator("#results").inner_text()
    assert "宁波水表" in results
    assert "浙江中控技术股份有限公司" not in results

    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/en/members/?*city=ningbo*")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "宁波水表" in page.locator("#results").inner_text()

    page.get_by_role("link", name="简体中文").click()
    page.wait_for_url("**/members/?*city=ningbo*")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.console_errors == []


def test_it_has_no_serious_accessibility_violations(page, demo_site):
    from bulletin.models import Article
    from members.models import Company

    article = Article.objects.get(title="国家知识产权示范企业和优势企业名单公布啦！")
    company = Company.objects.get(short_name="聚光科技")
    pages = [
        "/",
        "/news/",
        f"/news/{article.pk}/",
        "/members/",
        f"/members/{company.pk}/",
        "/events/",
        "/honours/",
        "/en/",
        "/en/news/",
    ]
    found = {}
    for path in pages:
        page.goto(path)
        violations = serious_violations(page)
        if violations:
            found[path] = violations
    assert found == {}
    assert page.console_errors == []
