from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import content_disposition_header
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from portal.admin_columns import count_column
from portal.admin_exports import XlsxExportMixin
from portal.spreadsheets import XLSX

from . import notices, services
from .answers import answer, answered, question_columns
from .attendance import attendance_rate, with_attendance
from .badges import badge_registrations, badges_filename, badges_pdf
from .models import AgendaItem, Event, EventQuestion, Registration
from .sign_in_sheets import sign_in_sheet_filename, sign_in_sheet_pdf, sign_in_sheet_xlsx
from .tickets import VALID_STATUSES

SIGN_IN_SHEETS = {
    # kind: (what the link says, its format's name, the sheet, its content type)
    "xlsx": (_("Sign-in sheet (Excel)"), "Excel", sign_in_sheet_xlsx, XLSX),
    "pdf": (_("Sign-in sheet (PDF)"), "PDF", sign_in_sheet_pdf, "application/pdf"),
}


def sign_in_sheets(event_id, *, short: bool = False) -> list[tuple[str, str]]:
    """(URL, label) of an event's sign-in sheet as a workbook and as a PDF to print;
    labelled by format only (``short``) under a 签到表 column."""
    return [
        (
            reverse("admin:events_event_sign_in_sheet", args=[event_id, kind]),
            format_name if short else label,
        )
        for kind, (label, format_name, _sheet, _type) in SIGN_IN_SHEETS.items()
    ]


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    fields = ("order", "starts_at", "ends_at", "title", "speaker", "host")
    extra = 0


class EventQuestionForm(forms.ModelForm):
    class Meta:
        model = EventQuestion
        fields = ("order", "label", "kind", "choices", "required")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == EventQuestion.Kind.CHOICE:
            probe = EventQuestion(choices=cleaned.get("choices") or "")
            if len(probe.choice_list()) < 2:
                self.add_error("choices", _("Give at least two choices, separated by 、"))
        return cleaned


class EventQuestionInline(admin.TabularInline):
    """The event's own questions on the registration form (发票抬头, 用餐, 住宿, 备注)."""

    model = EventQuestion
    form = EventQuestionForm
    fields = ("order", "label", "kind", "choices", "required")
    extra = 0


def _as_saved(event: Event) -> dict | None:
    """The date and status ``event`` has in the database, before the form's changes."""
    if event.pk is None:
        return None
    return Event.objects.filter(pk=event.pk).values("starts_at", "status").first()


def _notify_change(event: Event, before: dict) -> int:
    return notices.event_change_notify(
        event=event, previous_starts_at=before["starts_at"], previous_status=before["status"]
    )


def _mailing_rehearsal(event: Event, before: dict) -> int:
    """How many registrants saving ``event`` as the form has it would mail.

    The notice itself runs in a savepoint that is then rolled back (its mails and
    their on-commit sending with it), so the count is the one the save will send:
    registrants nobody can be mailed for, or told of this very change before, are
    not counted.
    """
    with transaction.atomic():
        told = _notify_change(event, before)
        transaction.set_rollback(True)
    return told


class EventAdminForm(forms.ModelForm):
    """The event's form, held back once when saving it would mail the registrants.

    Moving or cancelling an event mails its registrants. A save that would is
    not valid until confirmed: the admin shows the same bound form again
    (every field and inline kept) with how many will be mailed and a
    ``_confirm_mailing`` button that saves it for real.
    """

    CONFIRM = "_confirm_mailing"

    mailing_count = 0  # how many the save would mail, once it was held back for that
    previous_starts_at = None

    def is_valid(self) -> bool:
        if not super().is_valid():
            return False
        before = _as_saved(self.instance)
        if before is None or self.CONFIRM in self.data:
            return True
        self.previous_starts_at = before["starts_at"]
        self.mailing_count = _mailing_rehearsal(self.instance, before)
        return not self.mailing_count

    @property
    def mailing_cancels(self) -> bool:
        """Whether the held-back save cancels the event (else it moves it)."""
        return self.instance.status == Event.Status.CANCELLED


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    form = EventAdminForm
    list_display = (
        "title",
        "kind",
        "starts_at",
        "city",
        "status",
        "members_only",
        "capacity",
        "registration_count",
        "waitlist_count",
        "checked_in_count",
        "walk_in_count",
        "attendance_rate",
        "sign_in_sheet_link",
    )
    list_filter = ("status", "kind", "members_only", "city")
    actions = ("promote_waitlist",)
    search_fields = ("title", "summary", "venue", "city", "organiser")
    autocomplete_fields = ("co_organisers", "report")
    readonly_fields = ("created_at", "updated_at", "attendance")
    date_hierarchy = "starts_at"
    ordering = ("-starts_at",)
    inlines = (AgendaItemInline, EventQuestionInline)
    fieldsets = (
        (None, {"fields": ("title", "kind", "status", "summary", "description")}),
        (
            _("When and where"),
            {
                "fields": (
                    ("starts_at", "ends_at"),
                    "all_day",
                    "original_starts_at",
                    ("venue", "city"),
                )
            },
        ),
        (_("Organisers"), {"fields": ("organiser", "co_organisers")}),
        (
            _("Registration"),
            {
                "fields": (
                    ("capacity", "per_company_limit"),
                    ("registration_opens_at", "registration_closes_at"),
                    "members_only",
                    "attendance",
                ),
            },
        ),
        (_("Report"), {"fields": ("report",)}),
        (_("Record"), {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )

    def save_model(self, request, obj, form, change):
        """Save, then tell the registrants when the event moved or was cancelled
        (a save that does is confirmed first: EventAdminForm)."""
        before = _as_saved(obj) if change else None
        if (
            before
            and before["status"] != Event.Status.DRAFT
            and obj.starts_at > before["starts_at"]
            and obj.original_starts_at is None
        ):
            # A postponement: the public page shows the date it was first announced for.
            obj.original_starts_at = before["starts_at"]
        super().save_model(request, obj, form, change)
        if before is None:
            return
        told = _notify_change(obj, before)
        if told:
            self.message_user(
                request,
                ngettext(
                    "%(count)d registrant is being told of the change by email.",
                    "%(count)d registrants are being told of the change by email.",
                    told,
                )
                % {"count": told},
                messages.SUCCESS,
            )

    def get_queryset(self, request):
        taking_part = Q(
            registrations__status__in=[
                Registration.Status.CONFIRMED,
                Registration.Status.ATTENDED,
            ]
        )
        waiting = Q(registrations__status=Registration.Status.WAITLISTED)
        return with_attendance(
            super()
            .get_queryset(request)
            .annotate(
                registration_count=Count("registrations", filter=taking_part),
                waitlist_count=Count("registrations", filter=waiting),
            )
        )

    def _registrations_link(self, event: Event, count: int, status: str | None = None):
        url = reverse("admin:events_registration_changelist") + f"?event__id__exact={event.pk}"
        if status:
            url += f"&status__exact={status}"
        return format_html('<a href="{}">{}</a>', url, count)

    @admin.display(description=_("registered"), ordering="registration_count")
    def registration_count(self, event: Event):
        return self._registrations_link(event, event.registration_count)

    @admin.display(description=_("waitlisted"), ordering="waitlist_count")
    def waitlist_count(self, event: Event):
        return self._registrations_link(event, event.waitlist_count, Registration.Status.WAITLISTED)

    checked_in_count = count_column("checked_in_count", _("Checked in"))
    walk_in_count = count_column("walk_in_count", _("Walk-ins"))

    @admin.display(description=_("attendance rate"))
    def attendance_rate(self, event: Event):
        rate = attendance_rate(event)
        if rate is None:
            return "—"
        return format_html(
            '<span title="{}">{}</span>',
            gettext("%(came)d of %(confirmed)d confirmed were checked in")
            % {"came": event.booked_checked_in_count, "confirmed": event.confirmed_count},
            f"{rate:.0%}",
        )

    @admin.display(description=_("attendance"))
    def attendance(self, event: Event):
        """Confirmed, checked in, walk-ins, and the rate once the event is over."""
        if event.pk is None or not hasattr(event, "confirmed_count"):
            return "—"
        parts = [
            gettext("Confirmed: %(count)d") % {"count": event.confirmed_count},
            gettext("checked in: %(count)d") % {"count": event.checked_in_count},
            gettext("walk-ins: %(count)d") % {"count": event.walk_in_count},
        ]
        rate = attendance_rate(event)
        if rate is not None:
            parts.append(gettext("attendance: %(rate)s") % {"rate": f"{rate:.0%}"})
        return " · ".join(parts)

    @admin.display(description=_("sign-in sheet"))
    def sign_in_sheet_link(self, event: Event):
        return format_html_join(" · ", '<a href="{}">{}</a>', sign_in_sheets(event.pk, short=True))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.user.has_perm("events.view_registration"):
            extra_context = {
                **(extra_context or {}),
                "sign_in_sheets": sign_in_sheets(object_id),
                "badges_url": reverse("admin:events_event_badges", args=[object_id]),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/sign-in-sheet.<str:kind>",
                self.admin_site.admin_view(self.sign_in_sheet_view),
                name="events_event_sign_in_sheet",
            ),
            path(
                "<path:object_id>/badges.pdf",
                self.admin_site.admin_view(self.badges_view),
                name="events_event_badges",
            ),
            *super().get_urls(),
        ]

    def sign_in_sheet_view(self, request, object_id, kind):
        """The sign-in sheet of the event (``kind`` xlsx or pdf), for who sees registrations."""
        event = self.get_object(request, object_id)
        if event is None or kind not in SIGN_IN_SHEETS:
            raise Http404
        if not (
            self.has_view_permission(request, event)
            and request.user.has_perm("events.view_registration")
        ):
            raise PermissionDenied
        *_labels, sheet, content_type = SIGN_IN_SHEETS[kind]
        response = HttpResponse(sheet(event), content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=sign_in_sheet_filename(event, kind)
        )
        return response

    def badges_view(self, request, object_id):
        """Name badges of the event's confirmed and checked-in attendees, for who sees
        registrations."""
        event = self.get_object(request, object_id)
        if event is None:
            raise Http404
        if not (
            self.has_view_permission(request, event)
            and request.user.has_perm("events.view_registration")
        ):
            raise PermissionDenied
        return _badges_response(event, badge_registrations(event))

    @admin.action(description=_("Fill free seats from the waitlist"), permissions=["change"])
    def promote_waitlist(self, request, queryset):
        promoted = sum(len(services.registrations_promote(event=event)) for event in queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d waitlisted registration was confirmed and told by email.",
                "%(count)d waitlisted registrations were confirmed and told by email.",
                promoted,
            )
            % {"count": promoted},
            messages.SUCCESS,
        )


def _badges_response(event: Event, registrations) -> HttpResponse:
    response = HttpResponse(badges_pdf(event, registrations), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=badges_filename(event)
    )
    return response


@admin.register(Registration)
class RegistrationAdmin(XlsxExportMixin, admin.ModelAdmin):
    list_display = (
        "attendee_name",
        "company",
        "attendee_title",
        "attendee_phone",
        "attendee_email",
        "event",
        "status",
        "created_at",
    )
    list_filter = ("status", "event")
    list_select_related = ("event", "company")
    search_fields = (
        "attendee_name",
        "attendee_email",
        "attendee_phone",
        "company__name",
        "company__short_name",
        "event__title",
    )
    autocomplete_fields = ("event", "company", "registered_by")
    readonly_fields = ("created_at", "updated_at", "answers_list")
    ordering = ("-created_at", "-id")
    actions = ("export_xlsx", "print_badges", "mark_attended", "cancel_registrations")
    export_title = _("Event registrations")
    export_columns = (
        "event",
        "attendee_name",
        "company",
        "attendee_title",
        "attendee_phone",
        "attendee_email",
        "status",
        "created_at",
        (_("registered by"), "registered_by__user__name"),
    )
    fieldsets = (
        (None, {"fields": ("event", "company", "registered_by", "status")}),
        (
            _("Attendee"),
            {"fields": ("attendee_name", "attendee_title", "attendee_phone", "attendee_email")},
        ),
        (_("Answers"), {"fields": ("answers_list",)}),
        (_("Record"), {"fields": ("created_at", "updated_at")}),
    )

    @admin.display(description=_("answers to the event's questions"))
    def answers_list(self, registration: Registration):
        if registration.pk is None:
            return "—"
        rows = answered(registration, registration.event.questions.all())
        if not rows:
            return "—"
        return format_html_join(
            "", "<div><strong>{}</strong>：{}</div>", ((q.label, text or "—") for q, text in rows)
        )

    def get_export_columns(self, queryset):
        """The columns, then one per question of the exported registrations' events."""
        questions = EventQuestion.objects.filter(
            event_id__in=queryset.order_by().values("event_id")
        ).order_by("event__starts_at", "event_id", "order", "id")
        return (
            *self.export_columns,
            *(
                (label, lambda registration, ids=ids: answer(registration, ids))
                for label, ids in question_columns(questions)
            ),
        )

    def changelist_view(self, request, extra_context=None):
        """With one event chosen in the filter, its registrations are counted by status."""
        extra_context = dict(extra_context or {})
        event_id = request.GET.get("event__id__exact", "")
        if event_id.isascii() and event_id.isdigit():  # "²".isdigit() is true
            event = Event.objects.filter(pk=int(event_id)).first()
            if event is not None:
                counts = dict(
                    event.registrations.values("status")
                    .annotate(count=Count("id"))
                    .values_list("status", "count")
                )
                extra_context["event_summary"] = {
                    "event": event,
                    "counts": [
                        {"status": value, "label": label, "count": counts.get(value, 0)}
                        for value, label in Registration.Status.choices
                    ],
                    "sign_in_sheets": [
                        *sign_in_sheets(event.pk),
                        (
                            reverse("admin:events_event_badges", args=[event.pk]),
                            gettext("Print name badges"),
                        ),
                    ],
                }
        return super().changelist_view(request, extra_context)

    @admin.action(description=_("Print name badges (PDF)"), permissions=["view"])
    def print_badges(self, request, queryset):
        """The badges of the chosen registrations that are confirmed or checked in."""
        events = list(Event.objects.filter(pk__in=queryset.values("event_id"))[:2])
        if len(events) != 1:
            self.message_user(
                request, gettext("Choose registrations of one event."), messages.WARNING
            )
            return None
        registrations = (
            queryset.filter(status__in=VALID_STATUSES)
            .select_related("company")
            .order_by("company__name", "attendee_name", "id")
        )
        if not registrations.exists():
            self.message_user(
                request,
                gettext("None of them is confirmed or checked in: no badge to print."),
                messages.WARNING,
            )
            return None
        return _badges_response(events[0], registrations)

    @admin.action(description=_("Mark as attended"), permissions=["change"])
    def mark_attended(self, request, queryset):
        marked = services.registrations_mark_attended(registrations=queryset, by=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d registration was marked as attended.",
                "%(count)d registrations were marked as attended.",
                marked,
            )
            % {"count": marked},
            messages.SUCCESS,
        )

    @admin.action(description=_("Cancel (freed seats go to the waitlist)"), permissions=["change"])
    def cancel_registrations(self, request, queryset):
        cancelled = promoted = 0
        for registration in queryset.select_related("event").exclude(
            status=Registration.Status.CANCELLED
        ):
            try:
                promoted += len(
                    services.registration_cancel(registration=registration, by=request.user)
                )
            except services.RegistrationError as error:
                self.message_user(
                    request, f"{registration.attendee_name}: {error}", messages.WARNING
                )
            else:
                cancelled += 1
        self.message_user(
            request,
            gettext("Cancelled: %(cancelled)d; confirmed from the waitlist: %(promoted)d.")
            % {"cancelled": cancelled, "promoted": promoted},
            messages.SUCCESS,
        )
