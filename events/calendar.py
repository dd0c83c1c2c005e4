"""iCalendar (RFC 5545) files for events, written by hand.

One event needs a dozen content lines, so a small writer is smaller than a
dependency. What it takes care of:

- TEXT values escape backslashes, semicolons, commas and newlines (3.3.11);
- lines longer than 75 octets are folded with CRLF and a space (3.1), never
  inside a multi-byte UTF-8 character, so every physical line is valid UTF-8;
- every line ends with CRLF;
- timed events are given in UTC (``…Z``); all-day events as DATE values in
  the association's time zone, DTEND being the day after the last day (3.6.1).
"""

from datetime import UTC, date, datetime, timedelta

from django.utils import timezone

from .models import Event

MAX_LINE_OCTETS = 75
CRLF = "\r\n"


def escape_text(value: str) -> str:
    """``value`` as an iCalendar TEXT value: ``\\``, ``;``, ``,`` and newlines escaped."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """``line`` folded into physical lines of at most 75 octets, joined with CRLF.

    Continuation lines start with a space, which counts towards their 75 octets.
    A line is only cut between characters, never inside a UTF-8 sequence.
    """
    pieces: list[str] = []
    current, size, limit = [], 0, MAX_LINE_OCTETS
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            pieces.append("".join(current))
            current, size, limit = [], 0, MAX_LINE_OCTETS - 1
        current.append(char)
        size += width
    pieces.append("".join(current))
    return (CRLF + " ").join(pieces)


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _date(value: date) -> str:
    return value.strftime("%Y%m%d")


def _when(event: Event) -> list[tuple[str, str]]:
    if event.all_day:
        first_day = timezone.localdate(event.starts_at)
        last_day = timezone.localdate(event.ends_at)
        return [
            ("DTSTART;VALUE=DATE", _date(first_day)),
            ("DTEND;VALUE=DATE", _date(last_day + timedelta(days=1))),
        ]
    return [("DTSTART", _utc(event.starts_at)), ("DTEND", _utc(event.ends_at))]


def _status(event: Event) -> str:
    if event.status == Event.Status.CANCELLED:
        return "CANCELLED"
    # Postponed with no new date yet (the original date was not kept aside).
    if event.status == Event.Status.POSTPONED and event.original_starts_at is None:
        return "TENTATIVE"
    return "CONFIRMED"


def event_calendar(
    event: Event, *, url: str, uid_host: str, product_id: str, now: datetime | None = None
) -> str:
    """A VCALENDAR with one VEVENT for ``event``, ready to send as text/calendar.

    ``url`` is the event's page (absolute); ``uid_host`` makes the UID globally
    unique (``event-<id>@<host>``); ``now`` is the DTSTAMP (the current time by default).
    """
    description = "\n\n".join(part for part in (event.summary.strip(), url) if part)
    location = ", ".join(part for part in (event.venue, event.city) if part)
    status = _status(event)
    properties = [
        ("BEGIN", "VCALENDAR"),
        ("PRODID", escape_text(product_id)),
        ("VERSION", "2.0"),
        ("CALSCALE", "GREGORIAN"),
        ("METHOD", "PUBLISH"),
        ("BEGIN", "VEVENT"),
        ("UID", f"event-{event.pk}@{uid_host}"),
        ("DTSTAMP", _utc(now or timezone.now())),
        *_when(event),
        ("SUMMARY", escape_text(event.title)),
        *([("LOCATION", escape_text(location))] if location else []),
        ("DESCRIPTION", escape_text(description)),
        ("URL", url),
        ("STATUS", status),
        ("LAST-MODIFIED", _utc(event.updated_at)),
        ("END", "VEVENT"),
        ("END", "VCALENDAR"),
    ]
    return "".join(fold(f"{name}:{value}") + CRLF for name, value in properties)
