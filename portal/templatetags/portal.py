from django import template
from django.utils.translation import get_language

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
