"""The template filters that mark Chinese content on English pages (portal/templatetags)."""

from django.template import Context, Template
from django.utils import translation

from portal.widgets import Select


def render(source: str, language: str, **context) -> str:
    with translation.override(language):
        return Template("{% load portal %}" + source).render(Context(context))


def test_it_wraps_chinese_in_a_span_on_english_pages_only():
    wrapped = '<span lang="zh-Hans">中控&lt;技术&gt;</span>'
    assert render("{{ v|zh }}", "en", v="中控<技术>") == wrapped
    assert render("{{ v|zh }}", "en", v="SUPCON <Ltd>") == "SUPCON &lt;Ltd&gt;"
    assert render("{{ v|zh }}", "zh-hans", v="中控技术") == "中控技术"


def test_it_gives_the_lang_attribute_on_english_pages_only():
    source = "<a{{ v|zh_lang }}>{{ v }}</a>"
    assert render(source, "en", v="浙仪协〔2026〕3号") == '<a lang="zh-Hans">浙仪协〔2026〕3号</a>'
    assert render(source, "en", v="2026-3") == "<a>2026-3</a>"
    assert render(source, "zh-hans", v="浙仪协") == "<a>浙仪协</a>"


def test_it_marks_a_title_or_a_meta_by_what_it_holds():
    title = '{% filter zh_element:"title" %}{{ v }} · Site{% endfilter %}'
    assert render(title, "en", v="会员风采") == '<title lang="zh-Hans">会员风采 · Site</title>'
    assert render(title, "en", v="News") == "<title>News · Site</title>"
    meta = '<meta name="description" {% filter zh_attribute:"content" %}{{ v }}{% endfilter %}>'
    assert render(meta, "en", v='"中控"') == (
        '<meta name="description" content="&quot;中控&quot;" lang="zh-Hans">'
    )
    assert render(meta, "zh-hans", v="中控") == '<meta name="description" content="中控">'


def test_the_filters_select_marks_chinese_options_on_english_pages():
    select = Select(choices=[("", "All"), ("1", "Analytical instruments"), ("2", "光学仪器")])
    with translation.override("en"):
        english = select.render("industry", "")
    with translation.override("zh-hans"):
        chinese = select.render("industry", "")

    assert '<option value="2" lang="zh-Hans">光学仪器</option>' in english
    assert '<option value="1">Analytical instruments</option>' in english
    assert "lang=" not in chinese
