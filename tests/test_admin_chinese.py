"""The back office is all Chinese: a crawl of the admin in zh-hans finds no English UI text.

As a superuser with the full demo (loaded_demo), the crawl starts from the
index (the to-do list and the dashboard), the 系统 section, every app's page
and, for each registered model, its list (one choice of each list filter, and
a search), its add page and the change, history and delete pages of its first
row; the notices' own pages (recipients, send, progress, replies). Then it
follows the admin links it finds (same origin, /admin/ only, GET only), one
of each shape (the path with its ids taken out, with a query or without), so
that it sees each kind of page once and not each row; downloads (not HTML)
are skipped. Last, the pages no GET reaches: the sign-in page, signed out, and
the import previews (an upload that is read, nothing written).

From each HTML page it keeps the text people read: the text nodes and the
title, placeholder, aria-label and alt of any element, and the value of
buttons. It leaves out the rows of a list (the objects' own values), what
people typed (input values, textarea), scripts, styles and code, and text
marked as another language (lang="en"). Any run of two or more Latin letters
left is English unless ALLOWED says it is a name or a code; e-mail and web
addresses, paths, file names and codes with digits in them are taken out
first.

Under /en/ the admin's own words are English, on the pages without rows
(test_it_finds_no_chinese_words_in_the_english_admin).
"""

import re
import time
from collections import defaultdict, deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from demo import facts
from notices.models import Notice
from tests.awards.test_honours_import import honour_list
from tests.awards.test_honours_import import xlsx as honours_xlsx
from tests.bulletin.bulletin_pdf import TOC, bulletin_pdf
from tests.members.member_lists import BAD_EMAIL, members
from tests.members.member_lists import xlsx as members_xlsx

# Latin words that may stand in Chinese UI text: names and codes that Chinese
# software writes in Latin letters too. Each is here because a page shows it.
ALLOWED = frozenset(
    {
        # File formats and text encodings, as the upload fields' help names them
        # (会员名单（Excel .xlsx 或 CSV）, UTF-8 或 GBK 编码, HTML 正文, PNG、JPEG 图片).
        "PDF",
        "CSV",
        "HTML",
        "PNG",
        "JPEG",
        "UTF",
        "GBK",
        "Excel",
        "Word",
        "PowerPoint",
        # Codes and units: IP 地址, 关联 ID, a flat page's URL (Django's Chinese), file
        # sizes (3.6 KB, 不超过 10 MB).
        "IP",
        "ID",
        "URL",
        "KB",
        "MB",
        # Keys and systems named in Django's own Chinese (按住 Control 键或 Mac 上的
        # Command 键来选择多项; 单一登入或 LDAP).
        "Control",
        "Mac",
        "Command",
        "LDAP",
        # A loanword Chinese sites use as it is: 单位 Logo.
        "Logo",
        # Names in the demo's data: an event's motto ("SINCE 1992"), a conference
        # (FLOMEKO), an association (NAMUR) and a brand (Supmea).
        "SINCE",
        "FLOMEKO",
        "NAMUR",
        "Supmea",
    }
)

# Taken out of a text before its words are looked at: not words but addresses and codes.
FILE_TYPES = r"(?:pdf|xlsx?|csv|png|jpe?g|gif|svg|webp|docx?|pptx?|zip|txt|html)"
NOT_WORDS = re.compile(
    rf"""
    [\w.+-]+@[\w-]+(?:\.[\w-]+)+                # e-mail addresses
    | (?:https?://|www\.)\S+                     # web addresses
    | (?:[\w-]+\.)+(?:com|cn|org|net|local)\b    # domain names (example.com)
    | (?<![\w/])/[\w\-./?=&%]+                   # paths (/account/login/)
    | [\w\-./]*\.{FILE_TYPES}\b                  # file names and types (会刊.pdf, .xlsx)
    | (?<![A-Za-z0-9])(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]+(?![A-Za-z0-9])
                                                # codes of letters and digits (A4, 9133…58B)
    """,
    re.VERBOSE | re.IGNORECASE,
)
LATIN_WORD = re.compile(r"(?<![A-Za-z])[A-Za-z]{2,}(?![A-Za-z])")

# The attributes whose text is read out or shown to people.
TEXT_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
BUTTON_TYPES = {"submit", "button", "reset"}
# Not words for people: scripts and styles; what people typed (textarea); code and
# machine values (code, pre, kbd, samp); user content of its own direction (bdi: Django
# wraps a password hash's values in it).
SKIPPED_ELEMENTS = frozenset(
    {"script", "style", "textarea", "template", "code", "pre", "kbd", "samp", "bdi"}
)
# Django writes alt="True"/"False"/"None" on its yes/no icons, in Python and untranslated
# (admin_list._boolean_icon): the icon is what people see.
BOOLEAN_ICON = re.compile(r"/admin/img/icon-(?:yes|no|unknown)\b")
# Elements without an end tag.
VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
    | {"track", "wbr"}
)

# The crawl's bounds: pages found by following links, after the start pages.
MAX_FOLLOWED = 600
# Links not to follow: signing out, the jump to the public site, JavaScript's catalogue;
# and the downloads known by their address (any other is fetched, then skipped).
UNFOLLOWED = re.compile(
    r"^/admin/(?:logout/|r/|jsi18n/|autocomplete/)"
    r"|/(?:export|template|file|receipt|licence|attachments/\d+)/$|\.(?:pdf|xlsx|csv|png)$"
)
# A notice's own pages (notices/admin.py).
NOTICE_PAGES = ("recipients", "send", "progress", "replies")


def english_words(text: str) -> list[str]:
    """The Latin words of ``text`` that are neither names nor codes."""
    return [word for word in LATIN_WORD.findall(NOT_WORDS.sub(" ", text)) if word not in ALLOWED]


class PageText(HTMLParser):
    """The text of a page that people read, and its links."""

    def __init__(self, *, skipped: frozenset[str] = SKIPPED_ELEMENTS, ids=frozenset()) -> None:
        """``skipped``: the elements whose text is not read; ``ids``: nor that of these."""
        super().__init__(convert_charrefs=True)
        self.skipped = skipped
        self.ids = ids
        self.texts: list[str] = []
        self.links: list[str] = []
        self._open: list[tuple[str, bool, str | None]] = []  # element, text skipped?, id
        self.language = ""  # the page's, from <html lang>

    @property
    def _skipping(self) -> bool:
        return bool(self._open) and self._open[-1][1]

    def _is_data(self, tag: str, values: dict) -> bool:
        """Rows of a list (the objects' own values), what people typed, another language."""
        lang = values.get("lang")
        if tag == "html":
            self.language = (lang or "").lower().split("-")[0]
            return False
        return (
            tag in self.skipped
            or values.get("id") in self.ids
            or (lang is not None and lang.lower().split("-")[0] != self.language)
            or (
                tag == "tbody"
                and any(name == "table" and id_ == "result_list" for name, _, id_ in self._open)
            )
        )

    def handle_starttag(self, tag, attrs):
        values = {name: value or "" for name, value in attrs}
        skipped = self._skipping or self._is_data(tag, values)
        if not skipped:
            if tag == "img" and BOOLEAN_ICON.search(values.get("src", "")):
                values.pop("alt", None)
            self.texts.extend(values[name] for name in TEXT_ATTRIBUTES if values.get(name))
            if tag in ("input", "button") and values.get("type", "").lower() in BUTTON_TYPES:
                self.texts.append(values.get("value", ""))
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        if tag not in VOID_ELEMENTS:
            self._open.append((tag, skipped, values.get("id")))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS and self._open and self._open[-1][0] == tag:
            self._open.pop()

    def handle_endtag(self, tag):
        # Close up to the matching element: a stray end tag must not unbalance the rest.
        for depth in range(len(self._open) - 1, -1, -1):
            if self._open[depth][0] == tag:
                del self._open[depth:]
                break

    def handle_data(self, data):
        if not self._skipping and data.strip():
            self.texts.append(data)


def page_text(html: str, **options) -> PageText:
    parser = PageText(**options)
    parser.feed(html)
    parser.close()
    return parser


def shape(url: str) -> tuple[str, bool]:
    """A URL with its ids taken out, with a query or without: one page of a kind.

    A list's filters, sorting and pages are the one list page (the start pages
    take each filter's choices); a change page with a query is another row's,
    reached from a filtered list.
    """
    parts = urlsplit(url)
    path = "/".join(
        "<id>" if re.fullmatch(r"\d+|[0-9a-f-]{32,36}", segment) else segment
        for segment in parts.path.split("/")
    )
    return path, bool(parts.query)


def admin_url(model, view: str, *args) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def start_pages(admin_client) -> list[str]:
    """The index (the to-do list and the dashboard), the 系统 section, each app, each
    model's pages, the notices' pages and the pages no page links to."""
    urls = [
        reverse("admin:index"),
        reverse("admin:system"),
        reverse("admin:password_change_done"),
        reverse("admin:digests_subscriber_preview_pick"),
    ]
    urls += sorted(
        {reverse("admin:app_list", args=[m._meta.app_label]) for m in admin.site._registry}
    )
    for model, model_admin in admin.site._registry.items():
        changelist_url = admin_url(model, "changelist")
        urls.append(changelist_url)
        if model_admin.search_fields:
            urls.append(f"{changelist_url}?q=仪表")
        changelist = admin_client.get(changelist_url)
        assert changelist.status_code == 200, changelist_url
        request = changelist.wsgi_request
        cl = changelist.context["cl"]
        # Every choice's label is on the list page itself (the filter's sidebar): one
        # filtered page a filter shows what filtering adds (清除筛选, the chosen state).
        for spec in cl.filter_specs:
            urls += [
                changelist_url + choice["query_string"]
                for choice in spec.choices(cl)
                if not choice["selected"]
            ][:1]
        if model_admin.has_add_permission(request):
            urls.append(admin_url(model, "add"))
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            pk = quote(obj.pk)
            urls += [admin_url(model, "change", pk), admin_url(model, "history", pk)]
            if model_admin.has_delete_permission(request, obj):
                urls.append(admin_url(model, "delete", pk))
    for notice in Notice.objects.all():
        pages = NOTICE_PAGES if notice.asks_reply else NOTICE_PAGES[:-1]
        urls += [reverse(f"admin:notices_notice_{name}", args=[notice.pk]) for name in pages]
    return list(dict.fromkeys(urls))


def posted_pages(admin_client) -> dict[str, str]:
    """The sign-in page (signed out), and the import previews (an upload read, nothing
    written): page name → HTML."""
    signed_out = Client().get(reverse("admin:login"))
    assert signed_out.status_code == 200
    pages = {"sign-in page": signed_out.content.decode()}

    def preview(name: str, url: str, data: dict) -> None:
        response = admin_client.post(url, data)
        assert response.status_code == 200, f"{name}: {response.status_code}"
        pages[name] = response.content.decode()

    members_url = reverse("admin:members_company_import")
    template = admin_client.get(reverse("admin:members_company_import_template")).content
    preview(
        "members import preview (the template)",
        members_url,
        {"file": SimpleUploadedFile("会员导入模板.xlsx", template)},
    )
    listed = members(460)  # with every kind of error (tests/members/member_lists.py)
    listed[BAD_EMAIL].email = "李明@中控"  # its value is in the message: not an English one
    preview(
        "members import preview (with every error)",
        members_url,
        {"file": SimpleUploadedFile("会员名单.xlsx", members_xlsx(listed))},
    )
    honours_url = reverse("admin:awards_honour_import")
    template = admin_client.get(reverse("admin:awards_honour_import_template")).content
    preview(
        "honours import preview (the template)",
        honours_url,
        {"file": SimpleUploadedFile("荣誉导入模板.xlsx", template)},
    )
    preview(
        "honours import preview (unknown companies, a duplicate)",
        honours_url,
        {
            "file": SimpleUploadedFile(
                "获奖名单.xlsx", honours_xlsx(honour_list(6, unknown=2, duplicate=True))
            )
        },
    )
    preview(
        "bulletin PDF import preview",
        reverse("admin:bulletin_issue_import_pdf"),
        {
            "pdf": SimpleUploadedFile("会刊.pdf", bulletin_pdf(), content_type="application/pdf"),
            "year": 2022,
            "number": 12,
            "title": "2022年第12期",
            "published_on": facts.ISSUE_PUBLISHED_ON.isoformat(),
            "toc": TOC.read_text(encoding="utf-8"),
        },
    )
    return pages


class Crawl:
    """The admin's pages from the start pages on, one of each shape past them."""

    def __init__(self, client) -> None:
        self.client = client
        self.texts: dict[str, list[str]] = {}  # page → its text
        self.failed: list[str] = []

    def run(self, start: list[str]) -> None:
        queue = deque((url, True) for url in start)
        seen_urls = set(start)
        seen_shapes = {shape(url) for url in start}
        followed = 0
        while queue:
            url, is_start = queue.popleft()
            response = self.client.get(url)
            if response.status_code != 200:
                if is_start:
                    self.failed.append(f"{url} answered {response.status_code}")
                continue  # a followed link may redirect (e.g. to the public site)
            if not response.get("Content-Type", "").startswith("text/html"):
                continue  # a download: XLSX, PDF, PNG
            parsed = page_text(response.content.decode())
            self.texts[url] = parsed.texts
            for href in parsed.links:
                parts = urlsplit(urljoin(url, href))  # "../password/" too
                if parts.scheme or parts.netloc or not parts.path.startswith("/admin/"):
                    continue  # another site, another language (/en/admin/)
                if not parts.query and parts.path == urlsplit(url).path:
                    continue  # the page itself ("#" links, fragments)
                link = parts.path + (f"?{parts.query}" if parts.query else "")
                if UNFOLLOWED.search(parts.path) or link in seen_urls:
                    continue
                seen_urls.add(link)
                if shape(link) in seen_shapes or followed >= MAX_FOLLOWED:
                    continue
                seen_shapes.add(shape(link))
                followed += 1
                queue.append((link, False))


def english_on(texts: dict[str, list[str]]) -> dict[str, list[str]]:
    """Each text with English in it → the pages that show it (the first few)."""
    found = defaultdict(list)
    for page, page_texts in texts.items():
        for text in page_texts:
            if english_words(text):
                found[" ".join(text.split())].append(page)
    return found


def report(found: dict[str, list[str]]) -> str:
    lines = [
        f"{text!r} ({', '.join(english_words(text))}) on {pages[0]}"
        + (f" and {len(pages) - 1} more" if len(pages) > 1 else "")
        for text, pages in sorted(found.items(), key=lambda item: item[1][0])
    ]
    return f"{len(lines)} texts with English:\n" + "\n".join(lines)


def test_it_tells_english_from_names_and_codes():
    assert english_words("- Select an option -") == ["Select", "an", "option"]
    assert english_words("按 is_active 筛选") == ["is", "active"]
    assert english_words("application-received") == ["application", "received"]
    assert english_words("导出 Excel，上传 PDF") == []
    assert english_words("张小莉 <zhangxiaoli@example.com>，http://www.supcon.com/about") == []
    assert english_words("/account/login/ 会刊2022-11.pdf A4 91330100799655058B") == []

    parsed = page_text(
        '<h1 title="Home">首页</h1><script>var x = "Hello";</script>'
        '<input type="text" value="typed text"><input type="submit" value="Save">'
        '<textarea>Typed</textarea><option lang="en">English</option>'
        '<a href="/admin/x/" aria-label="Close">关闭</a><p>Filter by 状态</p>'
    )
    assert [t for t in parsed.texts if english_words(t)] == [
        "Home",
        "Save",
        "Close",
        "Filter by 状态",
    ]
    assert parsed.links == ["/admin/x/"]
    assert shape("/admin/members/company/12/change/?_changelist_filters=a") == shape(
        "/admin/members/company/7/change/?_changelist_filters=b"
    )


@pytest.mark.django_db
def test_it_finds_no_english_on_any_admin_page(admin_client, loaded_demo):
    began = time.monotonic()
    start = start_pages(admin_client)
    crawl = Crawl(admin_client)
    crawl.run(start)
    crawl.texts.update(
        (name, page_text(html).texts) for name, html in posted_pages(admin_client).items()
    )
    elapsed = time.monotonic() - began

    print(f"read {len(crawl.texts)} admin pages ({len(start)} start pages) in {elapsed:.1f} s")
    assert crawl.failed == []
    assert len(crawl.texts) > len(start)  # the links found were followed
    found = english_on(crawl.texts)
    assert not found, report(found)


HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Chinese on purpose in English text: examples of what is typed ("e.g. 中控集团董事长"),
# and the Chinese term after its English ("Reply slip (回执)").
EXAMPLE = re.compile(r"e\.g\. [^.;)]*|\((?=[^)]*[\u3400-\u9fff])[^)]*\)")


@pytest.mark.django_db
def test_it_finds_no_chinese_words_in_the_english_admin(admin_client, loaded_demo, settings):
    """Under /en/ the admin's own words are English: the index's to-do list, the 系统 section,
    every app's page and every add page. Not what comes from the rows: the choices of a
    select or of a many-to-many field (companies, terms, sections …), the dashboard's
    figures (their events and segments); and the association's name is a name."""
    names = {settings.SITE_NAME}
    for model in admin.site._registry:
        for field in model._meta.many_to_many:
            names.update(str(row) for row in field.related_model._default_manager.all())
    with translation.override("en"):
        urls = [reverse("admin:index"), reverse("admin:system")]
        urls += sorted(
            {reverse("admin:app_list", args=[m._meta.app_label]) for m in admin.site._registry}
        )
        urls += [admin_url(model, "add") for model in admin.site._registry]
    chinese = {}
    read = 0
    for url in urls:
        response = admin_client.get(url)
        if response.status_code == 403:
            continue  # rows made by the system: no add page
        assert response.status_code == 200, url
        parsed = page_text(
            response.content.decode(), skipped=SKIPPED_ELEMENTS | {"option"}, ids={"dashboard"}
        )
        assert parsed.language == "en", url
        read += 1
        for text in parsed.texts:
            if text.strip() not in names and HAN.search(
                EXAMPLE.sub("", text.replace(settings.SITE_NAME, ""))
            ):
                chinese.setdefault(" ".join(text.split()), url)
    assert read > len(admin.site._registry)
    assert not chinese, "\n".join(f"{text!r} on {url}" for text, url in chinese.items())


def test_it_leaves_the_many_to_many_links_off_a_delete_page(admin_client, demo_db):
    """An event's registrations go with it and are listed; its links to its co-organisers
    are not ("Event-company关系: Event_co_organisers object (1)")."""
    event = demo_db.event
    response = admin_client.get(admin_url(type(event), "delete", event.pk))

    assert response.status_code == 200
    content = response.content.decode()
    assert "<li>报名: 1</li>" in content  # the summary
    assert str(demo_db.registration) in content
    assert "关系" not in content
    assert "Event_co_organisers" not in content
