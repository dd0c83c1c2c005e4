"""The project's own deployment checks (`manage.py check --deploy`)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}


@checks.register(checks.Tags.security, deploy=True)
def check_site_url(app_configs, **kwargs):
    """Canonical links, feeds, the sitemap, QR codes, iCalendar UIDs and every link in mail
    come from SITE_URL: in production it must be the portal's public address."""
    if settings.DEBUG:
        return []
    if not settings.SITE_URL_FROM_ENV:
        return [
            checks.Error(
                "SITE_URL is not set: links in mail, feeds, the sitemap and QR codes would "
                "point at http://127.0.0.1:8000.",
                hint="Set SITE_URL to the portal's public address, e.g. https://portal.example.org",
                id="xiehui.E001",
            )
        ]
    parts = urlsplit(settings.SITE_URL)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return [
            checks.Error(
                f"SITE_URL={settings.SITE_URL!r} is not an http(s) address.",
                hint="Set SITE_URL to the portal's public address, e.g. https://portal.example.org",
                id="xiehui.E002",
            )
        ]
    if parts.hostname in LOCAL_HOSTS:
        return [
            checks.Error(
                f"SITE_URL={settings.SITE_URL!r} is this machine's own address: nobody else "
                "can follow links to it.",
                hint="Set SITE_URL to the portal's public address, e.g. https://portal.example.org",
                id="xiehui.E003",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def check_plain_http(app_configs, **kwargs):
    if settings.DEBUG or not settings.PLAIN_HTTP:
        return []
    return [
        checks.Warning(
            "PLAIN_HTTP is on: passwords and session cookies cross the network unencrypted, "
            "readable by anyone on the intranet.",
            hint="Serve the portal over HTTPS (README, 'TLS on an intranet'); unset PLAIN_HTTP.",
            id="xiehui.W001",
        )
    ]
