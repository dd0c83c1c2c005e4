"""Every public page in English marks the Chinese it shows with lang="zh-Hans" (WCAG 3.1.2).

Content entered only in Chinese (article titles, company names, event and
notice titles) appears on the English pages as it is; a screen reader reads it
in Chinese only when an element around it says so. The check walks the page's
elements, tracking the language each one is in, and reports every run of
Chinese characters, in text or in an attribute people are shown or read, that
is not inside an element with lang="zh-Hans".
"""

import re
from html.parser import HTMLParser

import pytest
from django.utils.html import escape

from awards.models import Honour
from bulletin.models import Article, Issue, Section
from events.models import Event
from members.models import Company, Term
from notices.models import Notice

pytestmark = pytest.mark.django_db

# Han ideographs, CJK punctuation and full-width forms (，。：（）).
CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+")
# Attributes whose text is shown or read out.
READ_ATTRIBUTES = ("title", "alt", "aria-label", "aria-description", "placeholder", "label")
# <meta> whose content is a page's text for search engines and link previews.
READ_META = re.compile(r"^(description|og:title|og:description|og:site_name|twitter:.*)$")
VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip
# Elements whose end tag HTML lets one leave out: the next sibling closes them.
SELF_CLOSING_SIBLINGS = {"li": {"li"}, "dt": {"dt", "dd"}, "dd": {"dt", "dd"},
                         "option": {"option"}, "tr": {"tr"}, "td": {"td", "th"},
                         "th": {"td", "th"}, "p": {"p"}}  # fmt: skip


def _is_chinese(lang: str | None) -> bool:
    return (lang or "").lower() == "zh-hans"


class _LanguageWalk(HTMLParser):
    """Chinese runs of a page outside lang="zh-Hans", as (where, text) pairs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []  # (tag, language in force)
        self.found: list[tuple[str, str]] = []

    def _language(self) -> str | None:
        return self.stack[-1][1] if self.stack else None

    def _report(self, where: str, text: str) -> None:
        if not _is_chinese(self._language()) and CHINESE.search(text):
            self.found.append((where, " ".join(text.split())))

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.stack and self.stack[-1][0] in SELF_CLOSING_SIBLINGS.get(tag, ()):
            self.stack.pop()
        language = attrs["lang"] if "lang" in attrs else self._language()
        self.stack.append((tag, language))
        for name in READ_ATTRIBUTES:
            if attrs.get(name):
                self._report(f"<{tag} {name}>", attrs[name])
        if tag == "meta" and READ_META.match(attrs.get("name") or attrs.get("property") or ""):
            self._report(f"<meta {attrs.get('name') or attrs.get('property')}>", attrs["content"])
        if tag == "input" and attrs.get("type") in ("submit", "button", "reset"):
            self._report(f"<input {attrs['type']}>", attrs.get("value") or "")
        if tag in VOID:
            self.stack.pop()

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        if self.stack and self.stack[-1][0] in ("script", "style"):
            return
        tag = self.stack[-1][0] if self.stack else "document"
        self._report(f"<{tag}>", data)


def chinese_outside_chinese_elements(html: str) -> list[tuple[str, str]]:
    walk = _LanguageWalk()
    walk.feed(html)
    walk.close()
    return walk.found


def test_the_walk_finds_chinese_outside_lang_zh_hans_and_nothing_inside():
    html = """<!doctype html><html lang="en"><head>
      <title>News · 浙江省仪器仪表行业协会</title>
      <meta name="description" content="协会动态">
      <meta property="og:title" content="中控技术" lang="zh-Hans">
      <meta property="og:type" content="网站">
      <script>var s = "不算";</script>
    </head><body>
      <p lang="zh-Hans">中控技术 <em>荣获<b>金奖</b></em></p>
      <p lang="zh-Hans">会员 <span lang="en">Members 第一</span></p>
      <ul><li lang="zh-Hans">杭州<li>宁波</ul>
      <img src="x.png" alt="会刊封面"><br>
      <a href="/" title="首页" lang="zh-Hans">首页</a>
      <input type="submit" value="提交">
      <p>Plain English, 2022年11月</p>
    </body></html>"""
    found = chinese_outside_chinese_elements(html)
    assert found == [
        ("<title>", "News · 浙江省仪器仪表行业协会"),
        ("<meta description>", "协会动态"),
        ("<span>", "Members 第一"),
        ("<li>", "宁波"),
        ("<img alt>", "会刊封面"),
        ("<input submit>", "提交"),
        ("<p>", "Plain English, 2022年11月"),
    ]


def public_pages() -> list[str]:
    """Every kind of public page, with the demo's rows; at /en/."""
    article = Article.objects.published().latest("published_at")
    issue = Issue.objects.latest("year", "number")
    term = Term.objects.get(is_current=True)
    pages = [
        "/",
        "/news/",
        *(f"/news/?section={slug}" for slug in Section.objects.values_list("slug", flat=True)),
        f"/news/{article.pk}/",
        "/bulletin/",
        f"/bulletin/{issue.year}/{issue.number}/",
        "/members/",
        *(f"/members/{pk}/" for pk in Company.objects.listed().values_list("pk", flat=True)),
        "/leadership/",
        f"/leadership/{term.ordinal}/",
        "/honours/",
        "/events/",
        *(f"/events/{pk}/" for pk in Event.objects.visible().values_list("pk", flat=True)),
        "/notices/",
        *(f"/notices/{pk}/" for pk in Notice.objects.public().values_list("pk", flat=True)),
        "/documents/",
        "/join/",
        "/about/",
        "/account/login/",
        "/account/password-reset/",
        "/account/password-reset/sent/",
        "/subscribe/",
        "/subscribe/sent/",
    ]
    return ["/en" + page for page in pages]


def test_every_public_page_in_english_marks_its_chinese(client, loaded_demo):
    pages = public_pages()
    assert Honour.objects.public().exists()  # the honours page has rows to show
    assert len([page for page in pages if "/members/" in page]) > 10

    unmarked = {}
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        assert '<html lang="en">' in html, page
        found = chinese_outside_chinese_elements(html)
        if found:
            unmarked[page] = found
    report = "\n".join(
        f"{page}\n" + "\n".join(f"    {where} {text}" for where, text in found)
        for page, found in unmarked.items()
    )
    assert not unmarked, f"Chinese outside lang=zh-Hans on {len(unmarked)} pages:\n{report}"


def test_english_pages_name_the_association_in_english(client, settings):
    name, name_en = settings.SITE_NAME, escape(settings.SITE_NAME_EN)

    english = client.get("/en/").content.decode()
    chinese = client.get("/").content.decode()

    assert f"<title>{name_en}</title>" in english
    assert f'<meta property="og:site_name" content="{name_en}">' in english
    assert f'title="{name_en} RSS"' in english
    assert re.search(rf"<p>© \d{{4}} {re.escape(name_en)}</p>", english)
    # The header shows both names, as the association's logo does.
    assert f'<span class="brand-name" lang="zh-Hans">{name}</span>' in english
    assert f"<title>{name}</title>" in chinese
    assert f'<meta property="og:site_name" content="{name}">' in chinese
    assert re.search(rf"<p>© \d{{4}} {name}</p>", chinese)
