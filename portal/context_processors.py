from django.conf import settings
from django.core.cache import cache
from django.urls import NoReverseMatch, reverse, translate_url
from django.utils.encoding import iri_to_uri
from django.utils.translation import get_language, override

from .cache import current_generation


def _nav_sections() -> list[dict]:
    from bulletin.models import Section

    def load() -> list[dict]:
        return list(Section.objects.values("name", "english_name", "slug"))

    if settings.PAGE_CACHE_SECONDS <= 0:  # the cache is off: no round trips to Redis for nothing
        return load()
    return cache.get_or_set(
        f"portal:nav-sections:{current_generation()}", load, settings.PAGE_CACHE_SECONDS
    )


# Which main-navigation entry a page belongs to, by its URL name.
NAV_AREAS = {
    "bulletin:issue_list": "bulletin",
    "bulletin:issue_detail": "bulletin",
    "members:company_list": "members",
    "members:company_detail": "members",
    "members:leadership": "leadership",
    "members:leadership_term": "leadership",
    "events:event_list": "events",
    "events:event_detail": "events",
    "awards:honour_list": "honours",
    "notices:list": "notices",
    "notices:detail": "notices",
    "notices:documents": "documents",
    "about": "about",
    "home": "home",
}


def _translated_path(request, code: str) -> str:
    """This page's path in the language ``code``.

    From the match the request was resolved with, reversed in that language:
    what ``translate_url`` does, without resolving the path once more.
    """
    match = request.resolver_match
    if match is None or match.url_name is None:  # an error page: resolve what there is
        return translate_url(request.path, code)
    name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
    with override(code):
        try:
            return reverse(name, args=match.args, kwargs=match.kwargs)
        except NoReverseMatch:
            return request.path


def _language_links(request) -> list[dict]:
    query = request.META.get("QUERY_STRING", "")
    query = f"?{iri_to_uri(query)}" if query else ""  # as request.get_full_path() has it
    current = get_language()
    links = []
    for code, name in settings.LANGUAGES:
        path = _translated_path(request, code)
        links.append(
            {
                "code": code,
                "name": name,
                "url": path + query,
                "absolute_url": settings.SITE_URL + path,
                "current": code == current,
            }
        )
    return links


def portal(request) -> dict:
    """What every public page needs: the association's name, navigation, languages.

    ``site_name`` is the name in the page's language; the header shows both
    (``site_name_zh`` and ``site_name_en``).
    """
    if request.path.startswith(("/admin/", "/ckeditor5/")):
        return {}
    chinese = get_language() == settings.LANGUAGE_CODE
    return {
        "site_name": settings.SITE_NAME if chinese else settings.SITE_NAME_EN,
        "site_name_zh": settings.SITE_NAME,
        "site_name_en": settings.SITE_NAME_EN,
        "canonical_url": settings.SITE_URL + request.path,
        "nav_area": NAV_AREAS.get(getattr(request.resolver_match, "view_name", ""), ""),
        "nav_sections": _nav_sections,
        "language_links": _language_links(request),
    }
