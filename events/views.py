import html
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.formats import get_format
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import contact_for
from accounts.selectors import company_registrations
from members.models import Company, Contact
from portal.cache import public_page
from portal.listing import canonical_list_url, filtered
from portal.phones import mobile_number

from . import services
from .calendar import event_calendar
from .colleagues import known_people, mark_registered
from .filters import EventFilter
from .forms import attendee_formset
from .models import Event, Registration
from .selectors import (
    RegistrationStatus,
    events_for_page,
    events_upcoming_then_past,
    registration_state,
)

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


def _description(event: Event) -> str:
    text = event.summary or html.unescape(strip_tags(event.description))
    return Truncator(" ".join(text.split())).chars(DESCRIPTION_CHARS)


@require_safe
@public_page
def event_list(request):
    """Upcoming events (soonest first), then past events (latest first), 20 a page."""
    filterset = EventFilter(
        request.GET or None, queryset=events_upcoming_then_past(now=timezone.now())
    )
    page_obj = Paginator(filtered(filterset), EVENTS_PER_PAGE).get_page(request.GET.get("page"))
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
        "list_canonical_url": canonical_list_url(request, filterset, page_obj),
    }
    return render(request, "events/event_list.html", context)


@require_safe
@public_page
def event_detail(request, pk: int):
    event = get_object_or_404(events_for_page(), pk=pk)
    now = timezone.now()
    event.when = _when(event)
    registration = registration_state(event, now=now)
    context = {
        "event": event,
        "is_past": event.ends_at < now,
        "registration": registration,
        "registration_offered": _registration_offered(event, registration),
        "agenda_has_times": any(item.starts_at for item in event.agenda_items.all()),
        "description": _description(event),
    }
    if request.user.is_authenticated:
        # Signed-in users bypass the page cache: their company's registrations can be shown.
        contact = Contact.objects.filter(user=request.user, user__is_active=True).first()
        if contact is not None:
            context["is_contact"] = True
            context["my_registrations"] = list(
                Registration.objects.filter(event=event, company_id=contact.company_id)
                .exclude(status=Registration.Status.CANCELLED)
                .order_by("created_at", "id")
            )
    return render(request, "events/event_detail.html", context)


def _registration_offered(event: Event, registration) -> bool:
    """Whether contacts can register for ``event`` online now (seats left or not)."""
    return event.status == Event.Status.PUBLISHED and registration.status in (
        RegistrationStatus.OPEN,
        RegistrationStatus.FULL,
    )


# How many attendees one registration form takes at most.
MAX_ATTENDEE_ROWS = 5


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def event_register(request, pk: int):
    """A contact registers colleagues for the event: GET shows the form, POST registers."""
    contact = contact_for(request)
    event = get_object_or_404(events_for_page(), pk=pk)
    now = timezone.now()
    event.when = _when(event)
    registration = registration_state(event, now=now)
    registered = list(
        Registration.objects.filter(event=event, company_id=contact.company_id)
        .exclude(status=Registration.Status.CANCELLED)
        .order_by("created_at", "id")
    )
    places_left = None
    if event.per_company_limit is not None:
        places_left = max(event.per_company_limit - len(registered), 0)
    company_active = contact.company.status == Company.Status.ACTIVE
    can_register = (
        _registration_offered(event, registration) and company_active and places_left != 0
    )
    rows = MAX_ATTENDEE_ROWS if places_left is None else min(places_left, MAX_ATTENDEE_ROWS)
    formset_class = attendee_formset(max(rows, 1))
    questions = list(event.questions.all()) if can_register else []
    known = known_people(contact.company) if can_register else []
    mark_registered(known, registered)
    formset = formset_class(
        request.POST if request.method == "POST" else None,
        prefix="attendees",
        questions=questions,
    )
    refusal = picked_note = ""
    if request.method == "POST" and can_register:
        picked = _picked(request, known, formset)
        if picked or "add" in request.POST:
            # Colleagues ticked (without JavaScript, which fills the rows at once):
            # show the form again with them in the empty rows, to check and send.
            filled, left_out = _fill_rows(formset, picked)
            formset = formset_class(prefix="attendees", questions=questions, rows=filled)
            picked_note = _picked_note(picked, left_out)
        elif formset.is_valid():
            try:
                created = services.registration_create(
                    event=event, contact=contact, attendees=formset.attendees()
                )
            except services.RegistrationError as error:
                refusal = str(error)
            else:
                messages.success(request, _registered_message(created))
                return redirect("accounts:registrations")
    in_rows = _row_mobiles(formset)
    for person in known:
        person.in_form = bool(person.mobile) and person.mobile in in_rows
    context = {
        "event": event,
        "contact": contact,
        "registration": registration,
        "registered": registered,
        "places_left": places_left,
        "company_active": company_active,
        "can_register": can_register,
        "formset": formset,
        "refusal": refusal,
        "known": known,
        "picked_note": picked_note,
    }
    return render(request, "events/register.html", context)


def _row_mobiles(formset) -> set[str]:
    """The mobile numbers in the rows of ``formset``, as typed or given."""
    return {mobile_number(str(form.typed().get("phone") or "")) for form in formset.forms} - {None}


def _picked(request, known: list, formset) -> list:
    """The known people ticked in the picker and not yet in a row of the form."""
    keys = set(request.POST.getlist("pick"))
    in_rows = _row_mobiles(formset)
    return [
        person
        for person in known
        if person.key in keys
        and not person.registered
        and not (person.mobile and person.mobile in in_rows)
    ]


def _fill_rows(formset, picked: list) -> tuple[list[dict], list]:
    """The rows of ``formset`` as typed, with ``picked`` in the empty ones; and those
    left out for want of an empty row."""
    rows, waiting = [], list(picked)
    for form in formset.forms:
        if form.is_blank() and waiting:
            rows.append(waiting.pop(0).row())
        else:
            rows.append(form.typed())
    return rows, waiting


def _picked_note(picked: list, left_out: list) -> str:
    if not picked:
        return ""
    added = len(picked) - len(left_out)
    note = ngettext(
        "%(count)d colleague was added to the form: check the row, then register.",
        "%(count)d colleagues were added to the form: check their rows, then register.",
        added,
    ) % {"count": added}
    if left_out:
        note += " " + _("There was no empty row left for %(names)s: register them next time.") % {
            "names": "、".join(person.name for person in left_out)
        }
    return note


def _registered_message(created: list[Registration]) -> str:
    confirmed = sum(r.status == Registration.Status.CONFIRMED for r in created)
    waitlisted = len(created) - confirmed
    parts = []
    if confirmed:
        parts.append(
            ngettext(
                "%(count)d person is registered.", "%(count)d people are registered.", confirmed
            )
            % {"count": confirmed}
        )
    if waitlisted:
        parts.append(
            ngettext(
                "%(count)d person is on the waitlist and will be told by email if a seat frees.",
                "%(count)d people are on the waitlist and will be told by email if seats free.",
                waitlisted,
            )
            % {"count": waitlisted}
        )
    return " ".join(parts)


REGISTRATIONS_PER_PAGE = 50


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def registration_list(request):
    """The registrations of the contact's company, latest event first."""
    contact = contact_for(request)
    page_obj = Paginator(company_registrations(contact), REGISTRATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    now = timezone.now()
    for item in page_obj:
        item.cancellable = (
            item.status
            in (
                Registration.Status.CONFIRMED,
                Registration.Status.WAITLISTED,
            )
            and item.event.starts_at > now
        )
    context = {"contact": contact, "page_obj": page_obj}
    return render(request, "accounts/registrations.html", context)


def _get_registration_for_user(request, pk: int) -> Registration:
    """The registration ``pk`` if it belongs to the signed-in contact's company, else 404."""
    contact = contact_for(request)
    return get_object_or_404(
        Registration.objects.select_related("event", "company"),
        pk=pk,
        company_id=contact.company_id,
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def registration_cancel(request, pk: int):
    """GET asks to confirm; POST cancels, and a freed seat goes to the waitlist."""
    item = _get_registration_for_user(request, pk)
    if request.method == "POST":
        try:
            services.registration_cancel(registration=item, by=request.user)
        except services.RegistrationError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("The registration of %(name)s has been cancelled.")
                % {"name": item.attendee_name},
            )
        return redirect("accounts:registrations")
    return render(request, "accounts/registration_cancel.html", {"registration": item})


def _event_url(event: Event) -> str:
    return settings.SITE_URL + reverse("events:event_detail", args=[event.pk])


@require_safe
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
