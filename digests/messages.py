"""The digest as an email: rendered with outbox's templates, with one-click unsubscribe headers."""

from dataclasses import dataclass, replace
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from django.utils.html import escape

from outbox.messages import RenderedMail, make_message, render_mail

from . import tokens
from .models import Frequency
from .selectors import DigestContent, absolute_url

TEMPLATE = "digest"


@dataclass(frozen=True)
class DigestMail:
    to: str
    rendered: RenderedMail
    headers: dict

    def message(self, *, connection=None) -> EmailMultiAlternatives:
        return make_message(
            to=self.to, rendered=self.rendered, headers=self.headers, connection=connection
        )


def unsubscribe_url(subscriber_id: int) -> str:
    return absolute_url("digests:unsubscribe", tokens.unsubscribe_token(subscriber_id))


def web_view_url(delivery_id: int) -> str:
    return absolute_url("digests:web_view", tokens.web_view_token(delivery_id))


def digest_context(
    content: DigestContent, *, web_view: str | None, unsubscribe: str | None, is_test=False
) -> dict:
    """The templates' context, shared by the email and the web view."""
    request = content.request
    first_day = timezone.localdate(request.window_start)
    # A window ends at a midnight (the run's cutoff), which is not a day it covers.
    last_day = max(first_day, timezone.localdate(request.window_end - timedelta(microseconds=1)))
    return {
        "content": content,
        "subscriber": content.subscriber,
        "is_monthly": request.frequency == Frequency.MONTHLY,
        "first_day": first_day,
        "last_day": last_day,
        "show_year": first_day.year != last_day.year,
        "events_days": settings.DIGEST_EVENTS_DAYS,
        "web_view_url": web_view,
        "unsubscribe_url": unsubscribe,
        "subscribe_url": absolute_url("digests:subscribe"),
        "news_url": absolute_url("bulletin:article_list"),
        "events_url": absolute_url("events:event_list"),
        "honours_url": absolute_url("awards:honour_list"),
        "is_test": is_test,
    }


def list_headers(unsubscribe: str) -> dict:
    """RFC 2369 and RFC 8058: mail clients show an unsubscribe button that POSTs to the link."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return {
        "List-Id": f"<digest.{host}>",
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def digest_mail(content: DigestContent, *, delivery_id: int | None) -> DigestMail:
    """The digest for its subscriber; with ``delivery_id``, with a link to its web view."""
    unsubscribe = unsubscribe_url(content.subscriber.pk)
    context = digest_context(
        content,
        web_view=web_view_url(delivery_id) if delivery_id else None,
        unsubscribe=unsubscribe,
    )
    return DigestMail(
        to=content.subscriber.email,
        rendered=render_mail(TEMPLATE, context),
        headers=list_headers(unsubscribe),
    )


def digest_test_context(content: DigestContent) -> dict:
    """A test sent to the secretariat: no working unsubscribe link (it is someone else's)."""
    return digest_context(content, web_view=None, unsubscribe=None, is_test=True)


# Rendering once per edition: everything but the subscriber's address and links is
# the same for all subscribers with the same window and sections.
_EMAIL = "subscriber@placeholder.invalid"
_UNSUBSCRIBE = "https://placeholder.invalid/unsubscribe"
_WEB_VIEW = "https://placeholder.invalid/web-view"


def edition_key(content: DigestContent) -> tuple:
    """What makes two subscribers' digests the same but for their address and links."""
    request = content.request
    sections = tuple(sorted(section.pk for section in request.subscriber.sections.all()))
    return (request.frequency, request.window_start, request.window_end, sections)


def _fill(text: str, email: str, unsubscribe: str, web_view: str, *, html: bool) -> str:
    """One subscriber's copy of an edition: their address and links in the placeholders."""
    quote = escape if html else str
    return (
        text.replace(_EMAIL, quote(email))
        .replace(_UNSUBSCRIBE, quote(unsubscribe))
        .replace(_WEB_VIEW, quote(web_view))
    )


# A run keeps at most this many editions rendered (subscribers choose sections:
# five sections make at most 32 editions of one window).
EDITIONS_KEPT = 256


def digest_mails(
    items: list[tuple[DigestContent, int]], *, editions: dict[tuple, RenderedMail] | None = None
) -> list[DigestMail]:
    """``digest_mail`` for many digests, rendering each distinct edition once.

    ``editions`` carries the rendered editions from one batch of a run to the
    next, so that a run renders each edition once (a run's windows end at its
    cutoff, in the past; an article edited while the run sends keeps, in that
    run, the rendering it had first); without it, each call renders its own.
    """
    editions = {} if editions is None else editions
    if len(editions) > EDITIONS_KEPT:
        editions.clear()
    mails = []
    for content, delivery_id in items:
        key = edition_key(content)
        rendered = editions.get(key)
        if rendered is None:
            placeholder = replace(
                content,
                request=replace(content.request, subscriber=SimpleNamespace(email=_EMAIL, pk=0)),
            )
            context = digest_context(placeholder, web_view=_WEB_VIEW, unsubscribe=_UNSUBSCRIBE)
            rendered = editions[key] = render_mail(TEMPLATE, context)
        unsubscribe = unsubscribe_url(content.subscriber.pk)
        web_view = web_view_url(delivery_id)
        email = content.subscriber.email

        mails.append(
            DigestMail(
                to=email,
                rendered=RenderedMail(
                    rendered.subject,
                    _fill(rendered.body_text, email, unsubscribe, web_view, html=False),
                    _fill(rendered.body_html, email, unsubscribe, web_view, html=True),
                ),
                headers=list_headers(unsubscribe),
            )
        )
    return mails
