"""Tickets: a signed code per registration, shown as a QR code and typed at the door.

A code is ``<registration id>-<10 characters>``, the characters an HMAC of
the registration and its event under the site's secret key (Crockford's
base32: no I, L, O or U, so that it reads aloud and types without mistakes;
lower case, spaces and dashes are forgiven when typed). It cannot be guessed
or forged, and a code from another site or another secret is no ticket.
Only a confirmed (or checked-in) registration shows its ticket; the code of
a waitlisted or cancelled one is recognised, to say so at the door.
"""

import base64
import io
import re

import segno
from django.utils.crypto import constant_time_compare, salted_hmac

from .models import Registration

SALT = "events.tickets"
SIGNATURE_LENGTH = 10
CROCKFORD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "0123456789ABCDEFGHJKMNPQRSTVWXYZ")
CODE = re.compile(r"^(?P<pk>[1-9][0-9]{0,11})-(?P<signature>[0-9A-HJKMNP-TV-Z]{10})$")
TYPED_ALIASES = str.maketrans({"O": "0", "I": "1", "L": "1"})

VALID_STATUSES = (Registration.Status.CONFIRMED, Registration.Status.ATTENDED)


def _signature(registration_id: int, event_id: int) -> str:
    digest = salted_hmac(SALT, f"{registration_id}:{event_id}", algorithm="sha256").digest()
    return base64.b32encode(digest).decode()[:SIGNATURE_LENGTH].translate(CROCKFORD)


def ticket_code(registration: Registration) -> str:
    """The ticket code of ``registration`` (whatever its status; show it only when valid)."""
    return f"{registration.pk}-{_signature(registration.pk, registration.event_id)}"


def normalise(code: str) -> str:
    """A code as scanned or typed: upper case, no spaces, look-alike letters read as digits."""
    code = "".join(str(code or "").split()).upper().replace("—", "-").replace("–", "-")
    if "-" not in code and len(code) > SIGNATURE_LENGTH:
        code = f"{code[:-SIGNATURE_LENGTH]}-{code[-SIGNATURE_LENGTH:]}"
    # The number too: 1O0 typed for 100.
    return code.translate(TYPED_ALIASES)


def registration_for_code(code: str) -> Registration | None:
    """The registration a code is the ticket of, with event and company; None if it is none.

    None for a forged, foreign or malformed code, and for a registration
    that no longer exists. The caller checks the event and the status.
    """
    match = CODE.match(normalise(code)[:40])
    if match is None:
        return None
    registration = (
        Registration.objects.select_related("event", "company").filter(pk=int(match["pk"])).first()
    )
    if registration is None:
        return None
    expected = _signature(registration.pk, registration.event_id)
    if not constant_time_compare(expected, match["signature"]):
        return None
    return registration


def has_valid_ticket(registration: Registration) -> bool:
    return registration.status in VALID_STATUSES


def qr_svg(code: str, *, scale: int = 5) -> str:
    """The code as an inline SVG QR code (for pages)."""
    out = io.BytesIO()
    segno.make_qr(code, error="m").save(
        out, kind="svg", scale=scale, border=2, xmldecl=False, svgns=True, title=code
    )
    return out.getvalue().decode()


def qr_png(code: str, *, scale: int = 6) -> bytes:
    """The code as a PNG QR code (for mail, where SVG is not shown)."""
    out = io.BytesIO()
    segno.make_qr(code, error="m").save(out, kind="png", scale=scale, border=2)
    return out.getvalue()
