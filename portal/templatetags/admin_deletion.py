"""The back office's delete pages without the rows of many-to-many links.

Deleting a group deletes its links to its permissions, an article its links
to the companies it names: Django lists each link as a row of an
auto-created model, in English code names and one line a link
("Group-permission关系: Group_permissions object (17)"). Nobody made them,
and deleting them deletes nothing on the other side, so the delete pages
leave them out (templates/admin/delete_confirmation.html and
delete_selected_confirmation.html).
"""

from functools import cache

from django import template
from django.apps import apps
from django.utils.text import capfirst
from django.utils.translation import get_language

register = template.Library()


@cache
def _links(language: str | None) -> tuple[tuple[str, ...], frozenset[str]]:
    """The line prefixes and plural names of the many-to-many link models, in ``language``."""
    links = [m for m in apps.get_models(include_auto_created=True) if m._meta.auto_created]
    prefixes = tuple(f"{capfirst(model._meta.verbose_name)}: " for model in links)
    plurals = frozenset(str(model._meta.verbose_name_plural) for model in links)
    return prefixes, plurals


def _without_links(items: list, prefixes: tuple[str, ...]) -> list:
    kept = []
    for item in items:
        if isinstance(item, list):
            kept.append(_without_links(item, prefixes))
        elif not str(item).startswith(prefixes):
            kept.append(item)
    return kept


@register.simple_tag
def without_links(objects: list, counts) -> dict:
    """``objects`` (nested lists of lines) and ``counts`` ((name, count) pairs), less the links."""
    prefixes, plurals = _links(get_language())
    return {
        "objects": _without_links(list(objects), prefixes),
        "counts": [(name, count) for name, count in counts if str(name) not in plurals],
    }
