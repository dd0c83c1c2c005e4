import html
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.formats import get_format
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from portal.cache import public_page

from .calendar import event_calendar
from .filters import EventFilter
from .models import Event
from .selectors import events_for_page, events_upcoming_then_past, registration_state

EVENTS_PER_PAGE = 20
DESCRIPTION_CHARS = 150

# How a range of days within one month or one year is shortened, per language:
# (format of the first day, format of the last day, separator). Languages not
# listed show both days in full (DATE_FORMAT).
_SHORT_RANGES = {
    "zh-hans": {"month": ("Y年n月j日", "j日"), "year": ("Y年n月j日", "n月j日"), "sep": "—"},
    "en": {"month": ("N j", "j, Y"), "year": ("N j", "N j, Y"), "sep": "–"},
}


@dataclass(frozen=True)
class When:
    """An event's dates (and times unless all day), formatted for the active language."""

    start: str
    start_iso: str
    end: str = ""  # empty when the event is within one day and has no times
    end_iso: str = ""
    separator: str = "–"


def _when(event: Event) -> When:
    starts_at = timezone.localtime(event.starts_at)
    ends_at = timezone.localtime(event.ends_at)
    short = _SHORT_RANGES.get(get_language(), {})
    separator = short.get("sep", "–")
    if not event.all_day:
        same_day = starts_at.date() == ends_at.date()
        return When(
            start=date_format(starts_at, get_format("DATETIME_FORMAT")),
            start_iso=starts_at.isoformat(),
            end=date_format(ends_at, get_format("TIME_FORMAT" if same_day else "DATETIME_FORMAT")),
            end_iso=ends_at.isoformat(),
            separator=separator,
        )
    first, last = starts_at.date(), ends_at.date()
    full = get_format("DATE_FORMAT")
    if first == last:
        return When(start=date_format(first, full), start_iso=first.isoformat())
    if (first.year, first.month) == (last.year, last.month) and "month" in short:
        first_format, last_format = short["month"]
    elif first.year == last.year and "year" in short:
        first_format, last_format = short["year"]
    else:
        first_format, last_format = full, full
    return When(
        start=date_format(first, first_format),
        start_iso=first.isoformat(),
        end=date_format(last, last_format),
        end_iso=last.isoformat(),
        separator=separator,
    )


def _filtered(filterset):
    """The filtered rows; none (with the form's errors shown) for invalid values."""
    if filterset.is_bound and not filterset.is_valid():
        return filterset.queryset.none()
    return filterset.qs


def _list_canonical_url(request, filterset, page_obj) -> str:
    """The list's address with only its valid filters and page number, in a fixed order."""
    params = []
    if filterset.is_valid():
        params = [
            (name, request.GET[name])
            for name in filterset.filters
            if filterset.form.cleaned_data.get(name) not in (None, "")
        ]
    if page_obj.number > 1:
        params.append(("page", page_obj.number))
    query = f"?{urlencode(params)}" if params else ""
    return f"{settings.SITE_URL}{request.path}{query}"


def _description(event: Event) -> str:
    text = event.summary or html.unescape(strip_tags(event.description))
    return Truncator(" ".join(text.split())).chars(DESCRIPTION_CHARS)


@require_GET
@public_page
def event_list(request):
    """Upcoming events (soonest first), then past events (latest first), 20 a page."""
    filterset = EventFilter(
        request.GET or None, queryset=events_upcoming_then_past(now=timezone.now())
    )
    page_obj = Paginator(_filtered(filterset), EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    for event in page_obj:
        event.when = _when(event)
    is_filtered = any(request.GET.get(name) for name in filterset.filters)
    context = {
        "filter": filterset,
        "page_obj": page_obj,
        "is_filtered": is_filtered,
        # Say so when nothing is coming up, rather than open with past events.
        "nothing_upcoming": page_obj.number == 1
        and not is_filtered
        and bool(page_obj.object_list)
        and page_obj.object_list[0].is_past,
        "list_canonical_url": _list_canonical_url(request, filterset, page_obj),
    }
    return render(request, "events/event_list.html", context)


@require_GET
@public_page
def event_detail(request, pk: int):
    event = get_object_or_404(events_for_page(), pk=pk)
    now = timezone.now()
    event.when = _when(event)
    context = {
        "event": event,
        "is_past": event.ends_at < now,
        "registration": registration_state(event, now=now),
        "agenda_has_times": any(item.starts_at for item in event.agenda_items.all()),
        "description": _description(event),
    }
    return render(request, "events/event_detail.html", context)


def _event_url(event: Event) -> str:
    return settings.SITE_URL + reverse("events:event_detail", args=[event.pk])


@require_GET
@public_page
def event_ics(request, pk: int):
    """The event as an iCalendar file, to add to a calendar app."""
    event = get_object_or_404(Event.objects.visible(), pk=pk)
    body = event_calendar(
        event,
        url=_event_url(event),
        uid_host=urlsplit(settings.SITE_URL).hostname or "localhost",
        product_id=f"-//Xiehui//{settings.SITE_NAME_EN}//EN",
    )
    response = HttpResponse(body.encode(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response
