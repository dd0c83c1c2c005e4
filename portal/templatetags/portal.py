from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from portal.content_language import is_chinese_on_another_page
from portal.search import highlight as highlight_terms

register = template.Library()


@register.filter
def page_range(paginator, number):
    """Page numbers around ``number``, with ellipses (Paginator.get_elided_page_range)."""
    return paginator.get_elided_page_range(number, on_each_side=2, on_ends=1)


@register.filter
def highlight(text, terms):
    """``text`` escaped, with the search terms marked."""
    return highlight_terms(text, terms or [])


@register.filter
def localized(obj, field: str = "name"):
    """``obj.english_<field>`` on English pages when it is filled in, else ``obj.<field>``."""
    if get_language() == "en":
        english = getattr(obj, f"english_{field}", "") or (
            obj.get(f"english_{field}", "") if isinstance(obj, dict) else ""
        )
        if english:
            return english
    return obj.get(field, "") if isinstance(obj, dict) else getattr(obj, field, "")


@register.filter(needs_autoescape=True)
def zh(value, autoescape=True):
    """``value`` in ``<span lang="zh-Hans">`` on an English page when it is Chinese.

    For content entered only in Chinese (titles, names) shown among English
    words, so that a screen reader reads it in Chinese (WCAG 3.1.2). Content
    with an English version goes through ``localized`` first.
    """
    text = conditional_escape(value) if autoescape else value
    if not is_chinese_on_another_page(value):
        return text
    return format_html('<span lang="zh-Hans">{}</span>', text)


@register.filter
def zh_lang(value):
    """`` lang="zh-Hans"`` for the element that holds ``value``, as ``zh`` decides it."""
    return mark_safe(' lang="zh-Hans"') if is_chinese_on_another_page(value) else ""


@register.filter
def zh_element(content, tag: str):
    """``<tag>content</tag>``, with lang="zh-Hans" when ``content`` holds Chinese (as ``zh``).

    For what holds one language only, as a page's <title>: a title that
    starts with the Chinese name of what the page shows is read in Chinese.
    Used as ``{% filter zh_element:"title" %}…{% endfilter %}`` (``content`` is rendered).
    """
    return format_html("<{}{}>{}</{}>", tag, zh_lang(content), conditional_escape(content), tag)


@register.filter
def zh_attribute(content, name: str):
    """``name="content"``, then lang="zh-Hans" as ``zh_element`` decides it (for <meta> tags)."""
    return format_html('{}="{}"{}', name, conditional_escape(content), zh_lang(content))
