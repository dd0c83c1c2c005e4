"""Request bodies over the limit are refused before a byte of them is read.

Django's DATA_UPLOAD_MAX_MEMORY_SIZE does not count files, and its upload
handlers spool a file to disk before a form can refuse it: a 100 MB upload
to /join/ was received whole before the 10 MB rule answered. The middleware
answers 413 from the Content-Length alone. (A body without one, chunked, is
never read by Django's WSGI request at all.) nginx refuses larger bodies
still in front of it (deploy/nginx).

Staff get a larger limit (MAX_STAFF_REQUEST_BODY_BYTES): the back office
uploads whole bulletin issues as PDF.
"""

from django.conf import settings
from django.shortcuts import render


def body_limit(request) -> int:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_staff:
        return settings.MAX_STAFF_REQUEST_BODY_BYTES
    return settings.MAX_REQUEST_BODY_BYTES


def too_large(request, limit: int):
    response = render(request, "413.html", {"limit_mb": limit // (1024 * 1024)}, status=413)
    response["Connection"] = "close"  # the unread body must not be taken for the next request
    return response


class RequestBodyLimitMiddleware:
    """After AuthenticationMiddleware (the limit depends on who asks), before anything reads."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django's request parsing treats a malformed length as none
        limit = body_limit(request)
        if length > limit:
            return too_large(request, limit)
        return self.get_response(request)
