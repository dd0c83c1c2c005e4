"""Tickets in templates: the code of a registration that has one, its QR as SVG or a URL.

    {% load event_tickets %}
    {% with code=registration|ticket %}{% if code %}
      {{ code|ticket_svg }} {{ code }} <img src="{{ code|ticket_qr_url }}">
    {% endif %}{% endwith %}

``ticket`` is empty unless the registration is confirmed and its event is
not over: waitlisted, cancelled and checked-in registrations show none.
"""

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from events import tickets
from events.models import Registration

register = template.Library()


@register.filter
def ticket(registration: Registration) -> str:
    """The ticket code to show for ``registration``, or "" if it shows none."""
    if registration.status != Registration.Status.CONFIRMED:
        return ""
    if registration.event.ends_at < timezone.now():
        return ""
    return tickets.ticket_code(registration)


@register.filter
def ticket_svg(code: str) -> str:
    """The code as an inline SVG QR code."""
    return mark_safe(tickets.qr_svg(code)) if code else ""  # segno escapes the title


@register.filter
def ticket_qr_url(code: str) -> str:
    """The absolute address of the code's QR code as a PNG (for mail, at the default language)."""
    with translation.override(settings.LANGUAGE_CODE):
        return settings.SITE_URL + reverse("events:ticket_qr", args=[code])
