"""The news list /news/: filters, pagination, languages, drafts.

The small factories at the top are shared with the other news, issue and feed tests.
"""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from bulletin.models import Article, Issue, Section
from members.models import Company

SHANGHAI = ZoneInfo("Asia/Shanghai")
PUBLISHED_AT = datetime(2022, 11, 30, 8, tzinfo=SHANGHAI)


def make_section(slug: str = "member-achievements", **fields) -> Section:
    defaults = {"name": "会员成果", "english_name": "Member achievements", "order": 2}
    return Section.objects.get_or_create(slug=slug, defaults={**defaults, **fields})[0]


def make_issue(year: int = 2022, number: int = 11, **fields) -> Issue:
    return Issue.objects.get_or_create(year=year, number=number, defaults=fields)[0]


def make_company(name: str, **fields) -> Company:
    return Company.objects.create(name=name, **fields)


def make_article(title: str, *, section: Section | None = None, **fields) -> Article:
    fields.setdefault("status", Article.Status.PUBLISHED)
    fields.setdefault("published_at", PUBLISHED_AT)
    fields.setdefault("summary", f"{title}的摘要。")
    fields.setdefault("source", "浙仪协")
    companies = fields.pop("companies", ())
    article = Article.objects.create(title=title, section=section or make_section(), **fields)
    article.companies.add(*companies)
    return article


def make_articles(count: int, *, title: str = "第{n}篇文章", **fields) -> list[Article]:
    """``count`` articles, the last one the newest (a minute apart)."""
    return [
        make_article(
            title.format(n=n),
            published_at=PUBLISHED_AT + timedelta(minutes=n),
            position=n if fields.get("issue") else None,
            **fields,
        )
        for n in range(1, count + 1)
    ]


def make_hidden_articles(**fields) -> tuple[Article, Article]:
    """A draft and an article scheduled for tomorrow, which the public must not see."""
    draft = make_article("草稿：尚未发布的协会通知", status=Article.Status.DRAFT, **fields)
    scheduled = make_article(
        "预告：明天发布的行业资讯", published_at=timezone.now() + timedelta(days=1), **fields
    )
    return draft, scheduled


def listed_titles(response) -> list[str]:
    """Titles of the articles listed on a news page, in order, without highlighting."""
    html = response.content.decode()
    titles = re.findall(r'<h2 class="item-title"[^>]*><a href="[^"]+">(.*?)</a></h2>', html)
    return [re.sub(r"</?mark>", "", title) for title in titles]


@pytest.mark.django_db
def test_it_lists_published_articles_newest_first(client):
    section = make_section()
    issue = make_issue()
    make_article("聚光科技入选国家知识产权示范企业", section=section, issue=issue, position=1)
    make_article(
        "中控技术荣膺拉姆·查兰管理实践奖",
        section=section,
        published_at=PUBLISHED_AT + timedelta(days=1),
        source="中控技术",
    )

    response = client.get("/news/")

    assert response.status_code == 200
    assert listed_titles(response) == [
        "中控技术荣膺拉姆·查兰管理实践奖",
        "聚光科技入选国家知识产权示范企业",
    ]
    html = response.content.decode()
    assert '<span class="badge">会员成果</span>' in html
    assert "中控技术" in html
    assert '<a href="/bulletin/2022/11/">2022年第11期</a>' in html
    assert '<time datetime="2022-11-30T08:00:00+08:00">2022年11月30日</time>' in html


@pytest.mark.django_db
def test_it_shows_dates_and_interface_in_english_on_english_pages(client):
    make_article("聚光科技入选国家知识产权示范企业")

    response = client.get("/en/news/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "<h1>News</h1>" in html
    assert "Nov. 30, 2022" in html
    assert '<span class="badge">Member achievements</span>' in html
    assert 'href="/en/news/' in html
    # Content stays as entered, marked as Chinese for screen readers.
    assert 'lang="zh-Hans"><a href="/en/news/' in html


@pytest.mark.django_db
def test_it_filters_by_section_and_names_it_in_the_heading(client):
    make_article("聚光科技入选国家知识产权示范企业")
    policies = make_section("policies", name="政策法规", english_name="Policies", order=4)
    make_article("十八部门联合发文提升仪器仪表产品质量", section=policies)

    response = client.get("/news/?section=policies")

    assert listed_titles(response) == ["十八部门联合发文提升仪器仪表产品质量"]
    assert "<h1>政策法规</h1>" in response.content.decode()
    assert '<details class="more-filters" open>' in response.content.decode()
    assert "<h1>Policies</h1>" in client.get("/en/news/?section=policies").content.decode()


@pytest.mark.django_db
def test_it_filters_by_issue(client):
    october = make_issue(2022, 10)
    november = make_issue(2022, 11)
    make_article("十月刊的文章", issue=october, position=1)
    make_article("十一月刊的文章", issue=november, position=1)

    response = client.get(f"/news/?issue={november.pk}")

    assert listed_titles(response) == ["十一月刊的文章"]
    assert f'<option value="{october.pk}">2022年第10期</option>' in response.content.decode()


@pytest.mark.django_db
def test_it_filters_by_year_from_the_years_that_have_articles(client):
    make_article("二〇二二年的文章")
    make_article("二〇二一年的文章", published_at=datetime(2021, 12, 31, 23, 30, tzinfo=SHANGHAI))

    response = client.get("/news/?year=2021")

    assert listed_titles(response) == ["二〇二一年的文章"]
    options = re.findall(r'<option value="(\d{4})"', response.content.decode())
    assert options == ["2022", "2021"]


@pytest.mark.django_db
def test_it_filters_by_listed_company(client):
    supcon = make_company("浙江中控技术股份有限公司")
    unlisted = make_company("未公开的会员单位", listed=False)
    make_article("中控技术荣膺拉姆·查兰管理实践奖", companies=[supcon, unlisted])
    make_article("聚光科技入选国家知识产权示范企业")

    response = client.get(f"/news/?company={supcon.pk}")

    assert listed_titles(response) == ["中控技术荣膺拉姆·查兰管理实践奖"]
    html = response.content.decode()
    assert "未公开的会员单位" not in html
    # The company is named above the list, with a way back to all companies.
    assert "有关浙江中控技术股份有限公司的文章" in response.content.decode()
    # An unlisted company is not a valid choice.
    response = client.get(f"/news/?company={unlisted.pk}")
    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()


@pytest.mark.django_db
def test_it_combines_filters(client):
    supcon = make_company("浙江中控技术股份有限公司")
    policies = make_section("policies", name="政策法规", order=4)
    make_article("中控技术荣膺拉姆·查兰管理实践奖", companies=[supcon])
    make_article("中控技术参与起草国家标准", section=policies, companies=[supcon])
    make_article("十八部门联合发文", section=policies)

    response = client.get(f"/news/?section=policies&company={supcon.pk}&year=2022")

    assert listed_titles(response) == ["中控技术参与起草国家标准"]
    assert re.search(r'role="status">\s*找到 1 篇文章', response.content.decode())


@pytest.mark.parametrize(
    "query",
    ["year=abc", "section=no-such-section", "issue=abc", "issue=999999", "company=abc"],
)
@pytest.mark.django_db
def test_it_shows_the_error_and_the_unfiltered_list_for_invalid_values(client, query):
    make_articles(2)

    response = client.get(f"/news/?{query}")

    assert response.status_code == 200
    html = response.content.decode()
    name = query.split("=")[0]
    assert f'<p class="field-error" id="id_{name}_error" role="alert">' in html
    if name != "company":  # the company filter is a hidden field: company pages link to it
        assert f'aria-describedby="id_{name}_error"' in html
        assert '<details class="more-filters" open>' in html
    assert listed_titles(response) == ["第2篇文章", "第1篇文章"]


@pytest.mark.django_db
def test_it_paginates_by_twenty(client):
    make_articles(45)

    first = client.get("/news/")
    second = client.get("/news/?page=2")
    third = client.get("/news/?page=3")

    assert len(listed_titles(first)) == 20
    # Newest first: the 21st to the 40th articles of the list are numbers 25 to 6.
    assert listed_titles(second) == [f"第{n}篇文章" for n in range(25, 5, -1)]
    assert len(listed_titles(third)) == 5
    html = second.content.decode()
    assert 'href="?page=2" aria-current="page"' in html
    assert 'href="?page=1" rel="prev"' in html
    assert 'href="?page=3" rel="next"' in html


@pytest.mark.parametrize("page", ["99", "abc", "0"])
@pytest.mark.django_db
def test_it_handles_pages_out_of_range(client, page):
    make_articles(45)

    response = client.get(f"/news/?page={page}")

    assert response.status_code == 200
    assert len(listed_titles(response)) in (5, 20)


@pytest.mark.django_db
def test_it_keeps_filters_in_the_page_links(client):
    make_articles(25, section=make_section("policies", name="政策法规", order=4))

    response = client.get("/news/?section=policies")

    assert 'href="?section=policies&amp;page=2"' in response.content.decode()


@pytest.mark.django_db
def test_it_hides_drafts_and_scheduled_articles(client):
    make_article("已发布的文章")
    make_hidden_articles()

    response = client.get("/news/")

    assert listed_titles(response) == ["已发布的文章"]
    html = response.content.decode()
    assert "草稿" not in html
    assert "预告" not in html


@pytest.mark.django_db
def test_it_offers_only_years_and_companies_of_published_articles(client):
    hidden = make_company("只在草稿中出现的公司")
    make_article("已发布的文章")
    make_article(
        "二〇二〇年的草稿",
        status=Article.Status.DRAFT,
        published_at=datetime(2020, 5, 1, tzinfo=SHANGHAI),
        companies=[hidden],
    )

    html = client.get("/news/").content.decode()

    assert '<option value="2020"' not in html
    assert "只在草稿中出现的公司" not in html


@pytest.mark.django_db
def test_it_labels_every_filter_field(client):
    make_article("已发布的文章")

    html = client.get("/news/").content.decode()

    for name in ("q", "section", "issue", "year"):
        assert f'<label for="id_{name}">' in html
        assert f'id="id_{name}"' in html
    # Thousands of companies make no drop-down: company pages link to ?company=<id>.
    assert '<input type="hidden" name="company" id="id_company">' in html
    assert 'type="search" name="q"' in html
    # Unused, the filters other than search are folded away.
    assert '<details class="more-filters">' in html
    assert " style=" not in html
    assert "<script" not in html


@pytest.mark.django_db
def test_it_lists_the_demo_bulletin(client, loaded_demo):
    response = client.get("/news/?section=policies")

    assert listed_titles(response) == list(
        Article.objects.filter(section__slug="policies")
        .order_by("-published_at", "-id")
        .values_list("title", flat=True)
    )
    assert "2022年11月30日" in response.content.decode()


@pytest.mark.django_db
def test_it_offers_only_issues_with_published_articles(client):
    make_article("已发布的文章", issue=make_issue(2022, 11), position=1)
    make_article(
        "下一期的草稿", issue=make_issue(2022, 12), position=1, status=Article.Status.DRAFT
    )

    html = client.get("/news/").content.decode()

    assert "2022年第11期</option>" in html
    assert "2022年第12期" not in html
