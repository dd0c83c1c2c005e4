"""An article /news/<id>/ and its QR code /news/<id>/qr.svg."""

import xml.etree.ElementTree as ET

import pytest
from django.conf import settings

from bulletin.models import Article
from tests.bulletin.test_news_list import (
    make_article,
    make_company,
    make_hidden_articles,
    make_issue,
    make_section,
)

SVG = "{http://www.w3.org/2000/svg}svg"


@pytest.fixture
def article(db):
    supcon = make_company("浙江中控技术股份有限公司", english_name="SUPCON Technology Co., Ltd.")
    hidden = make_company("未公开的会员单位", listed=False)
    return make_article(
        "中控技术荣膺《哈佛商业评论》2022年拉姆·查兰管理实践奖",
        subtitle="——“新百年·新管理”主题年会在京举行",
        summary="11月9日~10日，《哈佛商业评论》创刊百年中国年会在北京举行。",
        body="<p>中控技术凭借“工业AI”实践荣获<strong>拉姆·查兰管理实践奖</strong>。</p>",
        source="中控技术",
        issue=make_issue(),
        position=6,
        companies=[supcon, hidden],
    )


@pytest.mark.django_db
def test_it_shows_the_article(client, article):
    response = client.get(f"/news/{article.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>中控技术荣膺《哈佛商业评论》2022年拉姆·查兰管理实践奖</h1>" in html
    assert '<p class="subtitle">——“新百年·新管理”主题年会在京举行</p>' in html
    assert "<strong>拉姆·查兰管理实践奖</strong>" in html
    assert "2022年11月30日" in html
    assert "中控技术" in html
    assert '<a href="/news/?section=member-achievements">会员成果</a>' in html
    assert f'<a href="/bulletin/2022/11/#article-{article.pk}">2022年第11期</a>' in html


@pytest.mark.django_db
def test_it_links_only_listed_companies(client, article):
    supcon = article.companies.get(listed=True)

    html = client.get(f"/news/{article.pk}/").content.decode()

    assert f'<a href="/members/{supcon.pk}/">浙江中控技术股份有限公司</a>' in html
    assert "未公开的会员单位" not in html
    english = client.get(f"/en/news/{article.pk}/").content.decode()
    assert f'<a href="/en/members/{supcon.pk}/">SUPCON Technology Co., Ltd.</a>' in english


@pytest.mark.django_db
def test_it_describes_itself_for_search_engines_and_wechat(client, article):
    html = client.get(f"/news/{article.pk}/").content.decode()

    url = f"{settings.SITE_URL}/news/{article.pk}/"
    summary = "11月9日~10日，《哈佛商业评论》创刊百年中国年会在北京举行。"
    assert f'<link rel="canonical" href="{url}">' in html
    assert f'<meta name="description" content="{summary}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert (
        '<meta property="og:title" content="中控技术荣膺《哈佛商业评论》2022年拉姆·查兰管理实践奖">'
        in html
    )
    assert f'<meta property="og:description" content="{summary}">' in html
    assert '<meta property="article:published_time" content="2022-11-30T08:00:00+08:00">' in html


@pytest.mark.django_db
def test_it_describes_an_article_without_summary_by_its_text(client):
    article = make_article("没有摘要的文章", summary="", body="<p>正文&nbsp;第一句。</p>")

    html = client.get(f"/news/{article.pk}/").content.decode()

    assert '<meta name="description" content="正文 第一句。">' in html


@pytest.mark.django_db
def test_it_has_a_share_card_with_a_qr_code_and_a_printed_address(client, article):
    html = client.get(f"/news/{article.pk}/").content.decode()

    url = f"{settings.SITE_URL}/news/{article.pk}/"
    assert f'<img src="/news/{article.pk}/qr.svg" alt="' in html
    assert f'<a href="{url}">{url}</a>' in html
    assert f'<p class="print-only">本文网址：{url}</p>' in html
    assert 'class="card article-aside no-print"' in html
    assert 'class="breadcrumbs no-print"' in html


@pytest.mark.django_db
def test_it_links_the_previous_and_next_articles_of_the_issue(client):
    issue = make_issue()
    news = make_section("association-news", name="协会动态", order=1)
    achievements = make_section()
    first = make_article("协会动态第一篇", section=news, issue=issue, position=1)
    # Printed order: sections in order, then position.
    third = make_article("会员成果第一篇", section=achievements, issue=issue, position=2)
    second = make_article("协会动态第二篇", section=news, issue=issue, position=3)
    make_article("草稿不在其中", section=achievements, issue=issue, position=4, status="draft")

    html = client.get(f"/news/{second.pk}/").content.decode()
    assert f'href="/news/{first.pk}/" rel="prev"' in html
    assert f'href="/news/{third.pk}/" rel="next"' in html

    html = client.get(f"/news/{third.pk}/").content.decode()
    assert f'href="/news/{second.pk}/" rel="prev"' in html
    assert 'rel="next"' not in html

    html = client.get(f"/news/{first.pk}/").content.decode()
    assert 'rel="prev"' not in html


@pytest.mark.django_db
def test_it_has_no_issue_navigation_outside_an_issue(client):
    article = make_article("不在会刊中的文章")

    html = client.get(f"/news/{article.pk}/").content.decode()

    assert 'class="article-nav' not in html


@pytest.mark.django_db
def test_it_is_in_english_on_english_pages(client, article):
    response = client.get(f"/en/news/{article.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Nov. 30, 2022" in html
    assert "Share this article" in html
    assert '<h1 lang="zh-Hans">' in html
    assert f'<img src="/en/news/{article.pk}/qr.svg"' in html


@pytest.mark.django_db
def test_it_hides_drafts_scheduled_and_unknown_articles(client):
    draft, scheduled = make_hidden_articles()

    for pk in (draft.pk, scheduled.pk, 999999):
        response = client.get(f"/news/{pk}/")
        assert response.status_code == 404
        assert 'class="error-page"' in response.content.decode()
        assert client.get(f"/news/{pk}/qr.svg").status_code == 404


@pytest.mark.django_db
def test_it_serves_the_qr_code_as_svg(client, article):
    response = client.get(f"/news/{article.pk}/qr.svg")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert "max-age" in response["Cache-Control"]
    root = ET.fromstring(response.content)
    assert root.tag == SVG
    assert root.get("viewBox")
    title = root.find("{http://www.w3.org/2000/svg}title")
    assert title.text == f"{settings.SITE_URL}/news/{article.pk}/"


@pytest.mark.django_db
def test_it_encodes_the_english_address_on_english_pages(client, article):
    root = ET.fromstring(client.get(f"/en/news/{article.pk}/qr.svg").content)

    assert root.find("{http://www.w3.org/2000/svg}title").text.endswith(f"/en/news/{article.pk}/")


@pytest.mark.django_db
def test_it_shows_a_demo_article(client, loaded_demo):
    article = Article.objects.get(title="国家知识产权示范企业和优势企业名单公布啦！")

    response = client.get(f"/news/{article.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "国知发运函字〔2022〕160号" in html
    assert "聚光科技（杭州）股份有限公司" in html
