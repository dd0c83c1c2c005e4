"""Whole-page caching of anonymous pages, invalidated when content changes.

Pages are cached in Redis under a key that includes a content generation
number; any change to published content bumps the generation (see
``portal.apps``), so every cached page is stale at once without deleting
keys one by one. The cache fails open (``config.cache``): with Redis down
pages are simply built every time.

Each process also keeps the pages it served last in memory (at most
``PAGE_CACHE_LOCAL_BYTES``), and trusts the generation it last read from
Redis for ``PAGE_CACHE_LOCAL_SECONDS``: within that time a repeated page
costs no round trip to Redis at all. A change made in this process is seen
at once; a change made in another process is seen by this one within
``PAGE_CACHE_LOCAL_SECONDS`` (1 s by default, well inside the
``PAGE_CACHE_MAX_AGE`` that browsers and proxies may keep a page anyway).
"""

import hashlib
import threading
import time
from collections import OrderedDict
from functools import wraps
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language

GENERATION_KEY = "portal:content-generation"


class CachedPage(NamedTuple):
    """What a cached page keeps of a response: plain values, quick to pickle and rebuild."""

    created: float  # time.time() when the page was built
    status: int
    headers: tuple[tuple[str, str], ...]
    content: bytes

    @classmethod
    def of(cls, response: HttpResponse) -> "CachedPage":
        return cls(time.time(), response.status_code, tuple(response.items()), response.content)

    def response(self) -> HttpResponse:
        return HttpResponse(self.content, status=self.status, headers=dict(self.headers))


def content_generation() -> int:
    """The current content generation (1 when the cache cannot say)."""
    return _read_generation() or 1


def current_generation() -> int:
    """The content generation: this process's, while it trusts it, else Redis's."""
    return _local.trusted_generation() or content_generation()


def _read_generation() -> int | None:
    """The generation as Redis has it, created if missing; None when Redis does not answer."""
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        if cache.add(GENERATION_KEY, 1, timeout=None):
            return 1
        generation = cache.get(GENERATION_KEY)  # another process added it first, or Redis is down
    return generation


def content_changed(**kwargs) -> None:
    """Make every cached page stale (a signal receiver, hence ``**kwargs``)."""
    try:
        generation = cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet: the first page will set one
        cache.add(GENERATION_KEY, 1, timeout=None)
        generation = None
    _local.trust(generation)


class LocalPages:
    """This process's copy of the pages it served last, under the generation it trusts.

    Thread-safe (runserver and the test server use threads); bounded in bytes,
    the least recently used pages go first.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.forget()

    def forget(self) -> None:
        with self._lock:
            self.generation: int | None = None
            self.checked = 0.0  # time.monotonic() when Redis last confirmed the generation
            self._pages: OrderedDict[tuple[str, str], CachedPage] = OrderedDict()
            self._bytes = 0

    def trust(self, generation: int | None) -> None:
        """Redis says the generation is ``generation`` (None: it could not say)."""
        with self._lock:
            if generation != self.generation:
                self._pages.clear()
                self._bytes = 0
                self.generation = generation
            self.checked = time.monotonic() if generation is not None else 0.0

    def trusted_generation(self) -> int | None:
        """The generation if Redis confirmed it within PAGE_CACHE_LOCAL_SECONDS."""
        if self.generation is None:
            return None
        if time.monotonic() - self.checked >= settings.PAGE_CACHE_LOCAL_SECONDS:
            return None
        return self.generation

    def get(self, key: tuple[str, str]) -> CachedPage | None:
        with self._lock:
            page = self._pages.get(key)
            if page is None:
                return None
            if time.time() - page.created >= settings.PAGE_CACHE_SECONDS:
                self._drop(key)
                return None
            self._pages.move_to_end(key)
            return page

    def put(self, generation: int, key: tuple[str, str], page: CachedPage) -> None:
        size = len(page.content)
        limit = settings.PAGE_CACHE_LOCAL_BYTES
        if size > limit:
            return
        with self._lock:
            if generation != self.generation:
                return  # the generation moved on while the page was being built
            self._drop(key)
            while self._pages and self._bytes + size > limit:
                self._drop(next(iter(self._pages)))
            self._pages[key] = page
            self._bytes += size

    def _drop(self, key: tuple[str, str]) -> None:
        page = self._pages.pop(key, None)
        if page is not None:
            self._bytes -= len(page.content)

    def __len__(self) -> int:
        return len(self._pages)


_local = LocalPages()


def forget_local_pages() -> None:
    """Drop this process's copies (the tests call it whenever they empty the cache)."""
    _local.forget()


def _redis_key(generation: int, local_key: tuple[str, str]) -> str:
    language, path = local_key
    path_hash = hashlib.sha256(path.encode()).hexdigest()[:32]
    return f"portal:page:{generation}:{language}:{path_hash}"


def _cached_page(local_key: tuple[str, str]) -> tuple[int | None, CachedPage | None]:
    """(generation, cached page or None) for the page at ``local_key``.

    From memory while the generation is trusted; otherwise the generation and
    the page under the generation seen last come from Redis in one MGET (the
    page counts only if the generation is still that one), else in two reads.
    Generation None: Redis did not answer, and nothing should be stored.
    """
    generation = _local.trusted_generation()
    if generation is not None:
        page = _local.get(local_key)
        if page is not None:
            return generation, page
    guess = generation if generation is not None else _local.generation
    if guess is not None:
        key = _redis_key(guess, local_key)
        values = cache.get_many([GENERATION_KEY, key])
        if values.get(GENERATION_KEY) == guess:
            _local.trust(guess)
            return guess, _remember(guess, local_key, values.get(key))
    generation = _read_generation()
    _local.trust(generation)
    if generation is None:
        return None, None
    return generation, _remember(
        generation, local_key, cache.get(_redis_key(generation, local_key))
    )


def _remember(generation: int, local_key: tuple[str, str], page) -> CachedPage | None:
    if not isinstance(page, CachedPage):  # a miss, or a value stored by an older release
        return None
    _local.put(generation, local_key, page)
    return page


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
        local_key = (get_language(), request.get_full_path())
        generation, page = _cached_page(local_key)
        if page is not None:
            response = page.response()
        else:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            if (
                generation is not None
                and response.status_code == 200
                and not response.streaming
                and not response.cookies
            ):
                page = CachedPage.of(response)
                cache.set(_redis_key(generation, local_key), page, settings.PAGE_CACHE_SECONDS)
                _local.put(generation, local_key, page)
        patch_cache_control(response, public=True, max_age=settings.PAGE_CACHE_MAX_AGE)
        return response

    return wrapper


class PrivateForSignedInMiddleware:
    """Every page served to a signed-in user says ``Cache-Control: private``.

    A shared cache (a proxy of the member company, a CDN in front of the
    portal) must never keep a page that shows one person's account links,
    company or registrations and hand it to the next person.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            directives = response.get("Cache-Control", "")
            if "private" not in directives and "no-store" not in directives:
                patch_cache_control(response, private=True)
        return response
