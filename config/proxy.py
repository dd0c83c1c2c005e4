"""The client's address behind trusted reverse proxies (nginx in deploy/).

Behind a proxy REMOTE_ADDR is the proxy's address, so per-address limits
(the public forms' rate limits, django-axes' sign-in lockout) would lump all
visitors together. With TRUSTED_PROXY_COUNT = N > 0 the middleware puts the
client's address into REMOTE_ADDR, read from X-Forwarded-For: each proxy
appends the address it received the request from, so the N-th entry from the
right is what the outermost trusted proxy saw. Entries further left come from
the client and are never believed. With N = 0 (no proxy) the header is
ignored; a header that is missing, too short or malformed leaves REMOTE_ADDR
as it is.
"""

import ipaddress

from django.conf import settings


def forwarded_client(header: str, proxy_count: int) -> str | None:
    """The address ``proxy_count`` trusted proxies report in X-Forwarded-For, or None."""
    if proxy_count <= 0 or not header:
        return None
    entries = header.split(",")
    if len(entries) < proxy_count:
        return None
    return _address(entries[-proxy_count])


def _address(entry: str) -> str | None:
    """A bare IP address (normalised), also from "1.2.3.4:5678" or "[::1]:5678"; else None."""
    entry = entry.strip()
    if entry.startswith("["):
        entry, closed, port = entry[1:].partition("]")
        if not closed or (port and not (port[:1] == ":" and port[1:].isdigit())):
            return None
    elif entry.count(":") == 1:
        entry, _colon, port = entry.partition(":")
        if not port.isdigit():
            return None
    try:
        return str(ipaddress.ip_address(entry))
    except ValueError:
        return None


class TrustedProxyMiddleware:
    """First in MIDDLEWARE: REMOTE_ADDR becomes the client's address (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        client = forwarded_client(
            request.META.get("HTTP_X_FORWARDED_FOR", ""), settings.TRUSTED_PROXY_COUNT
        )
        if client is not None:
            request.META["REMOTE_ADDR"] = client
        return self.get_response(request)


def client_ip(request) -> str | None:
    """django-axes' AXES_CLIENT_IP_CALLABLE: the address the middleware settled on."""
    return request.META.get("REMOTE_ADDR")
