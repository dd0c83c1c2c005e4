"""Views for the benchmark, routed only when settings.BENCH_FLOOR is true (make bench).

The floor answers with ``size`` bytes from memory, through the same middleware
and the same gunicorn as the portal's pages, and touches neither the database
nor the cache: whatever a real page of that size costs beyond this is the
portal's own. The layout is the portal's base template with nothing in it:
what any page costs before its own content (a reference row in the results).
"""

from django.http import Http404, HttpResponse
from django.shortcuts import render

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
