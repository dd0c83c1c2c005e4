"""richtext.sanitize_html: XSS payloads are removed, CKEditor 5 output is kept."""

import html
import re
from html.parser import HTMLParser

import pytest
from django.db import connection

from bulletin.models import Article, Section
from richtext import sanitize_html

LINK_REL = 'rel="noopener noreferrer nofollow"'

# Classic payloads (OWASP XSS filter evasion cheat sheet and friends).
XSS_PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "script-mixed-case": "<ScRiPt>alert(1)</sCrIpT>",
    "script-nested": "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "script-src": "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "script-unclosed": "<script>alert(1)",
    "img-onerror": "<img src=x onerror=alert(1)>",
    "img-onerror-unclosed": "<img src=x onerror=alert(1)//",
    "img-javascript-src": '<IMG SRC="javascript:alert(1)">',
    "img-data-svg": '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    "img-quote-breakout": '<img """><script>alert(1)</script>">',
    "svg-onload": "<svg onload=alert(1)>",
    "svg-script": "<svg><script>alert(1)</script></svg>",
    "svg-xlink-href": '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "math-xlink-href": '<math><mtext><a xlink:href="javascript:alert(1)">x</a></mtext></math>',
    "math-href": '<math href="javascript:alert(1)">x</math>',
    "a-javascript": '<a href="javascript:alert(1)">x</a>',
    "a-javascript-mixed-case": '<a href="JaVaScRiPt:alert(1)">x</a>',
    "a-javascript-leading-space": '<a href="  javascript:alert(1)">x</a>',
    "a-javascript-decimal-entities": (
        '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>'
    ),
    "a-javascript-padded-entities": (
        '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114'
        '&#0000105&#0000112&#0000116&#0000058alert(1)">x</a>'
    ),
    "a-javascript-hex-entities": '<a href="&#x6A;avascript&#x3A;alert(1)">x</a>',
    "a-javascript-named-colon": '<a href="javascript&colon;alert(1)">x</a>',
    "a-javascript-tab-entity": '<a href="java&#x09;script:alert(1)">x</a>',
    "a-javascript-raw-tab": '<a href="java\tscript:alert(1)">x</a>',
    "a-javascript-newline-entity": '<a href="jav&#x0A;ascript:alert(1)">x</a>',
    "a-vbscript": '<a href="vbscript:msgbox(1)">x</a>',
    "a-data-html": ('<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>'),
    "a-onclick": '<a href="https://example.org" onclick="alert(1)">x</a>',
    "iframe": '<iframe src="javascript:alert(1)"></iframe>',
    "iframe-srcdoc": '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "object": '<object data="javascript:alert(1)"></object>',
    "embed": '<embed src="javascript:alert(1)">',
    "style-expression": "<style>body{background:expression(alert(1))}</style>",
    "style-attribute-url": '<p style="background:url(javascript:alert(1))">x</p>',
    "style-attribute-expression": '<div style="width:expression(alert(1))">x</div>',
    "form-action": '<form action="javascript:alert(1)"><input type=submit></form>',
    "button-formaction": '<button formaction="javascript:alert(1)">x</button>',
    "meta-refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "base-href": '<base href="javascript:alert(1)//">',
    "link-stylesheet": '<link rel=stylesheet href="javascript:alert(1)">',
    "p-onmouseover": '<p onmouseover="alert(1)">x</p>',
    "p-slash-onmouseover": "<p/onmouseover=alert(1)>x",
    "td-onmouseover": "<table><tr><td onmouseover=alert(1)>x</td></tr></table>",
    "table-background": '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    "body-onload": "<body onload=alert(1)>",
    "details-ontoggle": "<details open ontoggle=alert(1)>",
    "video-source-onerror": "<video><source onerror=alert(1)></video>",
    "noscript-breakout": '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "comment": "<!--<img src=x onerror=alert(1)>-->",
    "template": "<template><script>alert(1)</script></template>",
    "textarea": "<textarea><script>alert(1)</script></textarea>",
}

FORBIDDEN_TAGS = {
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "form",
    "button",
    "input",
    "meta",
    "base",
    "link",
    "svg",
    "math",
    "body",
    "details",
    "video",
    "source",
    "noscript",
    "template",
    "textarea",
}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "background", "xlink:href", "data"}
# Browsers ignore ASCII whitespace and control characters inside a scheme.
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20]")


class _Elements(HTMLParser):
    """Collects (tag, attributes) for every element in a fragment."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, attrs))


def elements(fragment: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = _Elements()
    parser.feed(fragment)
    parser.close()
    return parser.elements


def assert_harmless(cleaned: str) -> None:
    lowered = cleaned.lower()
    assert "<script" not in lowered
    assert not re.search(r"\bon\w+\s*=", cleaned, re.IGNORECASE)
    assert "javascript:" not in lowered
    assert "vbscript:" not in lowered
    assert "data:" not in lowered
    assert "style=" not in lowered
    for tag, attrs in elements(cleaned):
        assert tag not in FORBIDDEN_TAGS, tag
        for name, value in attrs:
            assert not name.startswith("on"), name
            assert name != "style"
            if name in URL_ATTRIBUTES and value:
                url = _IGNORED_IN_SCHEME.sub("", html.unescape(value)).lower()
                assert not url.startswith(("javascript:", "vbscript:", "data:")), value


def test_it_has_enough_payloads():
    assert len(XSS_PAYLOADS) >= 15


@pytest.mark.parametrize("payload", XSS_PAYLOADS.values(), ids=XSS_PAYLOADS.keys())
def test_it_strips_xss_payloads(payload):
    assert_harmless(sanitize_html(payload))


@pytest.mark.parametrize("payload", XSS_PAYLOADS.values(), ids=XSS_PAYLOADS.keys())
def test_it_strips_xss_payloads_inside_ckeditor_content(payload):
    cleaned = sanitize_html(f"<h2>协会动态</h2><p>正文{payload}结束</p>")
    assert_harmless(cleaned)
    assert cleaned.startswith("<h2>协会动态</h2><p>正文")


@pytest.mark.parametrize("payload", XSS_PAYLOADS.values(), ids=XSS_PAYLOADS.keys())
def test_it_is_stable_when_cleaned_twice(payload):
    once = sanitize_html(payload)
    assert sanitize_html(once) == once


def test_it_drops_event_handlers_but_keeps_the_allowed_tag():
    assert sanitize_html('<p onmouseover="alert(1)">你好</p>') == "<p>你好</p>"
    assert sanitize_html("<img src=x onerror=alert(1)>") == '<img src="x">'


def test_it_drops_dangerous_links_but_keeps_their_text():
    assert sanitize_html('<a href="java&#x09;script:alert(1)">点击</a>') == (
        f"<a {LINK_REL}>点击</a>"
    )


@pytest.mark.parametrize(
    "value",
    [
        "<h2>协会动态</h2><h3>二级标题</h3>",
        "<p>本会于<strong>2025年</strong>召开<i>年会</i>，<em>强调</em><u>下划线</u><s>删除</s>。</p>",
        "<ul><li>一</li><li>二</li></ul><ol><li>甲</li><li>乙</li></ol>",
        "<blockquote><p>引用</p></blockquote>",
        '<figure class="image"><img src="/media/x.png" alt="会议现场"></figure>',
        '<figure class="image"><img src="/media/uploads/x.png" alt="a" width="800" height="600">'
        "<figcaption>说明</figcaption></figure>",
        '<figure class="table"><table><thead><tr><th colspan="2">表头</th></tr></thead>'
        '<tbody><tr><td>1</td><td rowspan="2">2</td></tr></tbody></table></figure>',
        "<p>中文标点：“引号”、《书名》——破折号……省略号</p>",
        "<p>第一行<br>第二行</p>",
    ],
)
def test_it_keeps_ckeditor_output_intact(value):
    assert sanitize_html(value) == value


@pytest.mark.parametrize(
    "href",
    ["https://www.example.org/news?id=1&amp;p=2", "/members/", "mailto:office@example.org"],
)
def test_it_keeps_links_and_adds_rel(href):
    assert sanitize_html(f'<p><a href="{href}">链接</a></p>') == (
        f'<p><a href="{href}" {LINK_REL}>链接</a></p>'
    )


def test_it_keeps_only_ckeditor_classes():
    value = '<figure class="image site-header"><img src="/media/x.png" alt="x"></figure>'
    assert sanitize_html(value) == '<figure class="image"><img src="/media/x.png" alt="x"></figure>'


@pytest.mark.parametrize("value", [None, ""])
def test_it_turns_nothing_into_an_empty_string(value):
    assert sanitize_html(value) == ""


def stored_body(pk: int) -> str:
    """The body column exactly as PostgreSQL holds it."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT body FROM {Article._meta.db_table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.fixture
def section():
    return Section.objects.create(name="协会动态", slug="news")


@pytest.mark.django_db
def test_it_stores_clean_html_when_an_article_is_saved(section):
    article = Article.objects.create(
        title="年会通知",
        section=section,
        body="<p>欢迎参加年会</p><script>alert(1)</script>",
        status=Article.Status.PUBLISHED,
    )
    assert article.body == "<p>欢迎参加年会</p>"
    article.refresh_from_db()
    assert article.body == "<p>欢迎参加年会</p>"
    assert stored_body(article.pk) == "<p>欢迎参加年会</p>"


@pytest.mark.django_db
def test_it_stores_clean_html_on_queryset_update(section):
    article = Article.objects.create(title="年会通知", section=section, body="<p>正文</p>")
    Article.objects.filter(pk=article.pk).update(body="<img src=x onerror=alert(1)>")
    article.refresh_from_db()
    assert article.body == '<img src="x">'
    assert stored_body(article.pk) == '<img src="x">'


@pytest.mark.django_db
def test_it_stores_clean_html_on_bulk_update(section):
    article = Article.objects.create(title="年会通知", section=section, body="<p>正文</p>")
    article.body = '<p onmouseover="alert(1)">正文</p>'
    Article.objects.bulk_update([article], ["body"])
    assert stored_body(article.pk) == "<p>正文</p>"
