from django.conf import settings
from django.core.cache import cache
from django.urls import translate_url
from django.utils.translation import get_language

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
    "about": "about",
    "home": "home",
}


def portal(request) -> dict:
    """What every public page needs: the association's name, navigation, languages."""
    if request.path.startswith(("/admin/", "/ckeditor5/")):
        return {}
    path = request.get_full_path()
    return {
        "site_name": settings.SITE_NAME,
        "site_name_en": settings.SITE_NAME_EN,
        "canonical_url": settings.SITE_URL + request.path,
        "nav_area": NAV_AREAS.get(getattr(request.resolver_match, "view_name", ""), ""),
        "nav_sections": _nav_sections,
        "language_links": [
            {
                "code": code,
                "name": name,
                "url": translate_url(path, code),
                "absolute_url": settings.SITE_URL + translate_url(request.path, code),
                "current": code == get_language(),
            }
            for code, name in settings.LANGUAGES
        ],
    }
