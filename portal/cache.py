"""Whole-page caching of anonymous pages, invalidated when content changes.

Pages are cached in Redis under a key that includes a content generation
number; any change to published content bumps the generation (see
``portal.apps``), so every cached page is stale at once without deleting
keys one by one. The cache fails open (``config.cache``): with Redis down
pages are simply built every time.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language

GENERATION_KEY = "portal:content-generation"


def content_generation() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        generation = 1
        cache.add(GENERATION_KEY, generation, timeout=None)
    return generation


def content_changed(**kwargs) -> None:
    """Make every cached page stale (a signal receiver, hence ``**kwargs``)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet: the first page will set one
        cache.add(GENERATION_KEY, 1, timeout=None)


_last_generation: int | None = None


def _cached_page(suffix: str):
    """(key, cached response or None) in one round trip when the generation is as last seen.

    The generation and the page under the generation this process saw last are
    read together (MGET); the page counts only if the generation is still that one.
    """
    global _last_generation
    guess = _last_generation
    if guess is not None:
        key = f"portal:page:{guess}:{suffix}"
        values = cache.get_many([GENERATION_KEY, key])
        if values.get(GENERATION_KEY) == guess:
            return key, values.get(key)
    generation = _last_generation = content_generation()
    key = f"portal:page:{generation}:{suffix}"
    return key, cache.get(key)


def public_page(view):
    """Serve anonymous GET requests of ``view`` from the page cache.

    Signed-in users (whose pages may show their own state) and requests
    with side effects always reach the view.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if settings.PAGE_CACHE_SECONDS <= 0:  # the page cache is off: build every time
            response = view(request, *args, **kwargs)
            patch_cache_control(response, public=True, max_age=settings.PAGE_CACHE_MAX_AGE)
            return response
        path_hash = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
        key, response = _cached_page(f"{get_language()}:{path_hash}")
        if response is None:
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming:
                if hasattr(response, "render") and callable(response.render):
                    response = response.render()
                cache.set(key, response, settings.PAGE_CACHE_SECONDS)
        patch_cache_control(response, public=True, max_age=settings.PAGE_CACHE_MAX_AGE)
        return response

    return wrapper
