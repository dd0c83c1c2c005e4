"""The check-in page at the door (/events/<id>/check-in/): staff with the events permission.

GET is the page, made for a phone; POST with ``code`` checks a ticket in and
answers JSON (see ``events.check_in``). The name search and the walk-in form
answer JSON too. Anonymous visitors are sent to sign in; signed-in users
without the permission get 403.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from members.models import Company

from . import check_in as door
from .models import Event

PERMISSION = "events.change_registration"


def door_staff(view):
    @wraps(view)
    def wrapper(request, pk: int, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not (user.is_active and user.is_staff and user.has_perm(PERMISSION)):
            raise PermissionDenied("Not event staff")
        event = get_object_or_404(Event.objects.exclude(status=Event.Status.DRAFT), pk=pk)
        return view(request, event, *args, **kwargs)

    return never_cache(wrapper)


@door_staff
@require_http_methods(["GET", "HEAD", "POST"])
def check_in(request, event: Event):
    if request.method == "POST":
        result = door.check_in(event=event, code=request.POST.get("code", ""), by=request.user)
        return JsonResponse({**result.as_json(), "counts": door.door_counts(event)})
    companies = Company.objects.filter(status=Company.Status.ACTIVE).order_by("name")
    return render(
        request,
        "events/check_in.html",
        {
            "event": event,
            "counts": door.door_counts(event),
            "companies": companies.values_list("name", flat=True),
            "messages_json": _messages(),
        },
    )


def _messages() -> dict:
    """What the page says for each answer, in the page's language."""
    return {
        "checked_in": _("Check-in done"),
        "already": _("Already checked in at %(time)s"),
        "wrong_event": _("Not for this event"),
        "wrong_event_detail": _("This ticket is for “%(event)s”."),
        "cancelled": _("Registration cancelled"),
        "waitlisted": _("On the waitlist: no seat confirmed"),
        "invalid": _("Not a ticket"),
        "invalid_detail": _("Check the code, or find the person by name."),
        "offline": _("No answer from the server: try again."),
        "no_camera": _("The camera cannot be used here: type the code or search by name."),
        "no_results": _("Nobody found."),
        "check_in": _("Check in"),
        "scanning": _("Point the camera at the ticket's QR code."),
        "stop": _("Stop the camera"),
        "start": _("Scan with the camera"),
        "status": {
            "confirmed": _("Confirmed"),
            "waitlisted": _("Waitlisted"),
            "cancelled": _("Cancelled"),
            "attended": _("Checked in"),
        },
    }


@door_staff
@require_safe
def search(request, event: Event):
    return JsonResponse(
        {
            "results": door.door_search(event, request.GET.get("q", "")[:50]),
            "counts": door.door_counts(event),
        }
    )


@door_staff
@require_POST
def walk_in(request, event: Event):
    name = request.POST.get("name", "").strip()[:50]
    company_name = request.POST.get("company", "").strip()[:200]
    company = (
        Company.objects.filter(status=Company.Status.ACTIVE).filter(name=company_name).first()
        or Company.objects.filter(status=Company.Status.ACTIVE, short_name=company_name).first()
    )
    errors = {}
    if not name:
        errors["name"] = _("Give the attendee's name.")
    if company is None:
        errors["company"] = _("Choose a member company from the list.")
    if errors:
        return JsonResponse({"result": "error", "errors": errors}, status=400)
    result = door.walk_in(
        event=event,
        company=company,
        name=name,
        phone=request.POST.get("phone", "").strip()[:40],
        title=request.POST.get("title", "").strip()[:100],
        by=request.user,
    )
    return JsonResponse({**result.as_json(), "counts": door.door_counts(event)})
