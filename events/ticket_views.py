"""A ticket's QR code as a PNG, for the confirmation mails (mail clients show no SVG).

The address is the ticket itself: whoever has the mail has the code, and the
code cannot be guessed or forged (``events.tickets``). Anything but the code of
a confirmed or checked-in registration answers 404, a cancelled one too. The
image is the attendee's: private, never in a shared cache or a search index.
"""

from django.http import Http404, HttpResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from . import tickets

# A mail is read again days later; a cancelled ticket is refused at the door anyway.
MAX_AGE = 60 * 60


@require_safe
def ticket_qr(request, code: str):
    registration = tickets.registration_for_code(code)
    if registration is None or not tickets.has_valid_ticket(registration):
        raise Http404("No such ticket")
    response = HttpResponse(
        tickets.qr_png(tickets.ticket_code(registration)), content_type="image/png"
    )
    patch_cache_control(response, private=True, max_age=MAX_AGE)
    response["X-Robots-Tag"] = "noindex"
    return response
