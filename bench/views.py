"""Views for the benchmark, routed only when settings.BENCH_FLOOR is true (make bench).

The floor answers with ``size`` bytes from memory, through the same middleware
and the same gunicorn as the portal's pages, and touches neither the database
nor the cache: whatever a real page of that size costs beyond this is the
portal's own. Two kinds of reference rows in the results show what any page
costs before its own content: the layout is the portal's base template with
nothing in it; ``queries`` is the floor plus ``count`` one-row queries through
the ORM, and no template at all.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import render

from bulletin.models import Section

MAX_SIZE = 10 * 1024 * 1024
_blobs: dict[int, bytes] = {}


def floor(request, size: int):
    """``size`` bytes of HTML from memory."""
    if size > MAX_SIZE:
        raise Http404("Too large")
    blob = _blobs.get(size)
    if blob is None:
        blob = _blobs[size] = b"x" * size
    return HttpResponse(blob, content_type="text/html; charset=utf-8")


def layout(request):
    """An empty page in the portal's layout (navigation, languages, footer)."""
    return render(request, "bench/layout.html")


QUERIES_SIZE = 10_000
MAX_QUERIES = 20


def queries(request, count: int):
    """The floor's answer (10,000 bytes) after ``count`` one-row queries through the ORM."""
    if count > MAX_QUERIES:
        raise Http404("Too many")
    for _ in range(count):
        list(Section.objects.values_list("slug")[:1])
    return floor(request, QUERIES_SIZE)
