from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from bulletin.models import Article, Issue, Section

DEMO_DIR = Path(__file__).resolve().parents[2] / "bulletin" / "demo"
TEXT = DEMO_DIR / "zjiia-bulletin-2022-11.txt"
TOC = DEMO_DIR / "zjiia-bulletin-2022-11.toc.txt"

pytestmark = pytest.mark.django_db


def _import(**extra):
    call_command("import_bulletin", str(TEXT), "--year", "2022", "--number", "11", **extra)


def test_it_imports_the_issue_with_its_sections_and_articles():
    _import()
    issue = Issue.objects.get(year=2022, number=11)
    assert issue.articles.count() == 25
    assert list(Section.objects.values_list("name", flat=True)) == [
        "协会动态",
        "会员成果",
        "会员风采",
        "政策法规",
        "行业资讯",
    ]
    first = issue.articles.get(position=1)
    assert first.title == "SINCE 1992，我们在“仪”起"
    assert first.subtitle == "——浙仪协工作联系人交流活动成功举办"
    assert first.source == "浙仪协"
    assert first.section.name == "协会动态"
    assert first.status == Article.Status.PUBLISHED
    assert first.body.startswith("<p>为充分发挥协会合作交流平台的作用，进一步加强协会与会员单位")


def test_it_keeps_the_bulletin_order():
    _import()
    positions = list(
        Issue.objects.get().articles.order_by("position").values_list("position", flat=True)
    )
    assert positions == list(range(1, 26))


def test_it_finds_the_table_of_contents_next_to_the_text():
    out = _capture(_import)
    assert "25 articles (25 new, 0 updated)" in out
    # Only the TOC spells this two-line headline with a space between its phrases.
    assert Article.objects.filter(title="双11突破1500万 仪表“狂欢节”是怎样炼成的？").exists()


def test_it_does_not_duplicate_anything_when_run_twice():
    _import()
    ids = set(Article.objects.values_list("id", flat=True))
    original_body = Article.objects.get(position=3).body
    Article.objects.filter(position=3).update(body="<p>被改动的正文</p>")
    _import()
    assert Issue.objects.count() == 1
    assert Section.objects.count() == 5
    assert set(Article.objects.values_list("id", flat=True)) == ids
    assert Article.objects.get(position=3).body == original_body


def test_it_reports_a_missing_file_clearly():
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("import_bulletin", "/nonexistent.txt", "--year", "2022", "--number", "1")


def test_it_reports_a_malformed_text_with_its_line(tmp_path):
    broken = tmp_path / "broken.txt"
    broken.write_text(" 协会动态\n\n某某活动成功举办\n正文第一行，没有来源。\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"\d"):
        call_command("import_bulletin", str(broken), "--year", "2022", "--number", "2")
    assert not Article.objects.exists()


def _capture(func):
    from io import StringIO

    out = StringIO()
    func(stdout=out)
    return out.getvalue()
