"""从 PDF 导入会刊: the admin's upload → preview → confirm of an issue's PDF.

The PDF is made from the demo text (tests/bulletin/bulletin_pdf.py: there is
no real PDF in the repository), so the import of the PDF must give the
articles that load_demo's import of the text gives.
"""

import io
from datetime import date
from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from accounts.models import User
from awards.models import Honour
from bulletin.models import Article, Issue
from bulletin.pdf_import import PENDING_DIR, PendingPdfGone, pending_pdf_claim
from bulletin.pdf_reading import PDF_MAX_BYTES, pdf_text
from config.private_files import private_storage
from demo import facts
from members.models import Company
from portal.search import html_to_text

from .bulletin_pdf import TEXT, TOC, bulletin_pdf

pytestmark = pytest.mark.django_db

UPLOAD_URL = reverse("admin:bulletin_issue_import_pdf")
CONFIRM_URL = reverse("admin:bulletin_issue_import_pdf_confirm")
CHANGELIST_URL = reverse("admin:bulletin_issue_changelist")


@pytest.fixture(scope="module")
def demo_pdf() -> bytes:
    return bulletin_pdf()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """The issue's PDF and cover go to a temporary MEDIA_ROOT, pending uploads to its own
    private folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def staff(client):
    """A secretary who may add and change issues and articles, and nothing else."""
    user = User.objects.create_user("editor@example.com", "pw", name="编辑", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="bulletin",
            codename__in=["add_issue", "change_issue", "add_article", "change_article"],
        )
    )
    client.force_login(user)
    return client


def _form(pdf: bytes, *, year=2022, number=11, toc=True, name="会刊2022-11.pdf", **extra):
    return {
        "pdf": SimpleUploadedFile(name, pdf, content_type="application/pdf"),
        "year": year,
        "number": number,
        "title": facts.ISSUE_TITLE,
        "published_on": facts.ISSUE_PUBLISHED_ON.isoformat(),
        "toc": TOC.read_text(encoding="utf-8") if toc else "",
        **extra,
    }


def _preview(client, pdf: bytes, **form):
    response = client.post(UPLOAD_URL, _form(pdf, **form))
    assert response.status_code == 200
    assert "plan" in response.context, response.context["form"].errors
    return response


def _confirm(client, preview):
    return client.post(CONFIRM_URL, {"token": preview.context["pending"].token, "confirm": "1"})


def _articles(issue: Issue) -> list[tuple]:
    return [
        (
            article.position,
            article.section.name,
            article.title,
            article.subtitle,
            article.source,
            "".join(html_to_text(article.body).split()),
            article.status,
            article.published_at,
        )
        for article in issue.articles.select_related("section").order_by("position")
    ]


def _pending_files() -> list[str]:
    storage = private_storage()
    return storage.listdir(PENDING_DIR)[1] if storage.exists(PENDING_DIR) else []


def _demo_companies() -> None:
    """The member companies the demo names, without anything else of the demo."""
    for fact in facts.COMPANIES:
        Company.objects.create(name=fact.name, short_name=fact.short_name, aliases=fact.aliases)


def test_it_reads_every_printed_line_of_the_pdf_as_the_demo_text_has_it(demo_pdf):
    lines = [line.strip() for line in pdf_text(demo_pdf).splitlines() if line.strip()]
    expected = [line.strip() for line in TEXT.read_text(encoding="utf-8").splitlines()]
    assert lines == [line for line in expected if line]


def test_it_imports_the_articles_load_demo_imports_from_the_text(staff, demo_pdf):
    call_command("load_demo", stdout=StringIO())
    from_text = Issue.objects.get(year=2022, number=11)
    changelist = staff.get(CHANGELIST_URL)
    assert UPLOAD_URL in changelist.content.decode()
    assert staff.get(UPLOAD_URL).status_code == 200

    # Imported as another issue, so that nothing of load_demo's is merely left as it was.
    preview = _preview(staff, demo_pdf, number=12)
    page = preview.content.decode()
    assert Issue.objects.count() == 1, "nothing is created before the confirmation"
    assert not Article.objects.filter(issue__number=12).exists()
    plan = preview.context["plan"]
    assert plan.issue is None
    assert (plan.created, plan.updated) == (25, 0)
    for article in from_text.articles.all():
        assert article.title in page
        assert article.source in page
        if article.subtitle:
            assert article.subtitle in page
    for section in ("协会动态", "会员成果", "会员风采", "政策法规", "行业资讯"):
        assert f">{section}" in page
    assert len(_pending_files()) == 2  # the PDF and its text, privately

    response = _confirm(staff, preview)
    issue = Issue.objects.get(year=2022, number=12)
    assert response.status_code == 302
    assert response.url == reverse("admin:bulletin_issue_change", args=[issue.pk])
    assert _articles(issue) == _articles(from_text)
    assert issue.title == facts.ISSUE_TITLE
    assert issue.published_on == facts.ISSUE_PUBLISHED_ON
    assert _pending_files() == []

    # The PDF is kept, public, for download; the cover is its first page.
    assert issue.pdf.name.startswith("issues/pdf/") and issue.pdf.url.startswith("/media/")
    with issue.pdf.open("rb") as file:
        assert file.read() == demo_pdf
    with issue.cover.open("rb") as file, Image.open(io.BytesIO(file.read())) as cover:
        assert cover.format in ("JPEG", "PNG")
        assert cover.width == 800 and cover.height > cover.width  # an A4 page, upright


def test_it_links_the_companies_each_article_names(staff, demo_pdf):
    call_command("load_demo", stdout=StringIO())
    _confirm(staff, _preview(staff, demo_pdf, number=12))
    issue = Issue.objects.get(year=2022, number=12)
    # The facts spell a few titles without their spaces, as load_demo matches them.
    by_title = {"".join(article.title.split()): article for article in issue.articles.all()}
    for fact in facts.ARTICLES:
        article = by_title["".join(fact.title.split())]
        linked = set(article.companies.values_list("short_name", flat=True))
        assert set(fact.companies) <= linked, fact.title
    ip = by_title[facts.A_IP]
    assert set(ip.companies.values_list("short_name", flat=True)) == {
        "聚光科技",
        "永新光学",
        "和利时",
        "宁水集团",
        "金卡智能",
        "西力智能",
        "绿洁科技",
        "中德自控",
        "晨泰科技",
        "全盛壳体",
    }


def test_it_updates_an_issue_imported_before(staff, demo_pdf):
    call_command("load_demo", stdout=StringIO())
    issue = Issue.objects.get(year=2022, number=11)
    ids = set(issue.articles.values_list("pk", flat=True))
    before = _articles(issue)
    verified = Honour.objects.filter(verified=True).count()

    preview = _preview(staff, demo_pdf)
    plan = preview.context["plan"]
    assert plan.issue == issue
    assert (plan.created, plan.updated) == (0, 25)
    assert all(row.existing is not None for row in plan.articles)

    _confirm(staff, preview)
    issue.refresh_from_db()
    assert set(issue.articles.values_list("pk", flat=True)) == ids
    assert _articles(issue) == before
    assert issue.pdf and issue.cover
    # The demo's honours are recognised (by award, year and company): none is proposed
    # again; only the one the facts leave out is.
    assert Honour.objects.filter(verified=True).count() == verified
    assert list(
        Honour.objects.filter(verified=False).values_list("award__name", "company__short_name")
    ) == [("《哈佛商业评论》中文版案例库", "中控技术")]


def test_it_proposes_the_honours_of_member_achievements_unverified(staff, client, demo_pdf):
    _demo_companies()
    preview = _preview(staff, demo_pdf)
    page = preview.content.decode()
    for shown in ("国家知识产权示范企业", "国知发运函字〔2022〕160号", "全国总决赛一等奖"):
        assert shown in page
    assert not Honour.objects.exists()

    _confirm(staff, preview)
    honours = Honour.objects.select_related("award", "company", "source_article")
    assert honours.count() == len(preview.context["plan"].proposals) == 15
    assert not honours.filter(verified=True).exists()
    assert all(honour.source_article.section.name == "会员成果" for honour in honours)
    ip = honours.filter(award__name="国家知识产权示范企业")
    assert {h.company.short_name for h in ip} == {"聚光科技", "永新光学"}
    assert {h.document_number for h in ip} == {"国知发运函字〔2022〕160号"}
    bloom = honours.get(award__name="“绽放杯”5G应用征集大赛")
    assert bloom.company.short_name == "金卡智能"
    assert (bloom.grade, bloom.project) == ("全国总决赛一等奖", "金卡智能智慧燃气5G系统项目")

    # Not published unconfirmed: the honours roll and the home page show none of them.
    Company.objects.update(status=Company.Status.ACTIVE, listed=True)
    assert not Honour.objects.public().exists()
    roll = client.get("/honours/").content.decode()
    for honour in honours:
        assert honour.award.name not in roll


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("会刊.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "不是 PDF"),
        ("会刊.pdf", "浙江省仪器仪表行业协会会刊".encode(), "不是 PDF"),
        ("会刊.pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "已损坏或不完整"),
        ("会刊.pdf", b"", "空"),
    ],
)
def test_it_refuses_a_file_that_is_not_a_pdf(staff, name, content, message):
    response = staff.post(UPLOAD_URL, _form(content, name=name))
    assert response.status_code == 200
    assert "plan" not in response.context
    assert message in " ".join(response.context["form"].errors["pdf"])
    assert message in response.content.decode()
    assert not Issue.objects.exists()
    assert _pending_files() == []


def test_it_refuses_a_pdf_over_50_mb(staff):
    big = b"%PDF-1.7\n" + b"0" * PDF_MAX_BYTES + b"\nstartxref\n0\n%%EOF\n"
    response = staff.post(UPLOAD_URL, _form(big))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["pdf"])
    assert "文件过大" in errors and "50.0\xa0MB" in errors
    assert not Issue.objects.exists()
    assert _pending_files() == []


def test_it_says_where_the_text_does_not_split_into_articles(staff, demo_pdf):
    # A table of contents with one title misspelt: the parser names the line.
    toc = TOC.read_text(encoding="utf-8").replace("敢为善为 聚力创新", "敢为善为 聚力创业")
    response = staff.post(UPLOAD_URL, {**_form(demo_pdf), "toc": toc})
    assert "plan" not in response.context
    assert "敢为善为 聚力创业" in " ".join(response.context["form"].non_field_errors())
    assert not Issue.objects.exists()


def test_it_imports_nothing_from_a_token_it_did_not_sign_or_another_user(staff, client, demo_pdf):
    preview = _preview(staff, demo_pdf)
    token = preview.context["pending"].token
    response = staff.post(CONFIRM_URL, {"token": token[:-2] + "xx", "confirm": "1"})
    assert response.status_code == 302 and response.url == UPLOAD_URL
    other = User.objects.create_superuser("admin@example.com", "pw")
    client.force_login(other)
    assert client.post(CONFIRM_URL, {"token": token, "confirm": "1"}).url == UPLOAD_URL
    assert not Issue.objects.exists()
    assert len(_pending_files()) == 2


def test_it_imports_nothing_from_a_waiting_pdf_changed_on_disk(staff, demo_pdf):
    preview = _preview(staff, demo_pdf)
    name = preview.context["pending"].pdf_name
    storage = private_storage()
    storage.delete(name)
    storage.save(name, io.BytesIO(demo_pdf + b"%% appended\n"))
    response = _confirm(staff, preview)
    assert response.url == UPLOAD_URL
    assert "预览后被改动" in staff.get(response.url).content.decode()
    assert not Issue.objects.exists()
    assert _pending_files() == []


def test_one_confirmation_only_can_claim_a_waiting_upload(staff, demo_pdf):
    # Two confirmations at once (a double click): the second finds the upload taken.
    pending = _preview(staff, demo_pdf).context["pending"]
    claimed = pending_pdf_claim(pending=pending)
    with pytest.raises(PendingPdfGone):
        pending_pdf_claim(pending=pending)
    assert claimed.pdf() == demo_pdf


def test_it_forgets_the_upload_when_cancelled(staff, demo_pdf):
    preview = _preview(staff, demo_pdf)
    token = preview.context["pending"].token
    response = staff.post(CONFIRM_URL, {"token": token, "cancel": "1"})
    assert response.url == CHANGELIST_URL
    assert _pending_files() == []
    assert staff.post(CONFIRM_URL, {"token": token, "confirm": "1"}).url == UPLOAD_URL
    assert not Issue.objects.exists()


def test_it_confirms_a_preview_only_once(staff, demo_pdf):
    preview = _preview(staff, demo_pdf)
    _confirm(staff, preview)
    assert _confirm(staff, preview).url == UPLOAD_URL
    assert Issue.objects.count() == 1


@pytest.mark.parametrize(
    "codenames",
    [
        [],
        ["view_issue", "view_article"],
        ["add_issue", "change_issue", "view_issue"],  # articles too are written
    ],
)
def test_it_is_only_for_staff_who_may_add_and_change_issues_and_articles(
    client, codenames, demo_pdf
):
    user = User.objects.create_user("clerk@example.com", "pw", name="文员", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="bulletin", codename__in=codenames)
    )
    client.force_login(user)
    assert client.get(UPLOAD_URL).status_code == 403
    assert client.post(UPLOAD_URL, _form(demo_pdf)).status_code == 403
    assert client.post(CONFIRM_URL, {"token": "x"}).status_code == 403
    if "view_issue" in codenames:
        assert UPLOAD_URL not in client.get(CHANGELIST_URL).content.decode()
    assert not Issue.objects.exists()


def test_it_sends_anonymous_visitors_to_the_sign_in_page(client):
    response = client.get(UPLOAD_URL)
    assert response.status_code == 302 and "login" in response.url


def test_it_publishes_the_articles_on_the_date_given(staff, demo_pdf):
    _confirm(staff, _preview(staff, demo_pdf, published_on=date(2022, 12, 1).isoformat()))
    article = Article.objects.get(position=1)
    assert article.published_at.date() == date(2022, 12, 1)
