from django.contrib import admin
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import AgendaItem, Event, Registration


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    fields = ("order", "starts_at", "ends_at", "title", "speaker", "host")
    extra = 0


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
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
    )
    list_filter = ("status", "kind", "members_only", "city")
    search_fields = ("title", "summary", "venue", "city", "organiser")
    autocomplete_fields = ("co_organisers", "report")
    readonly_fields = ("created_at", "updated_at")
    date_hierarchy = "starts_at"
    ordering = ("-starts_at",)
    inlines = (AgendaItemInline,)
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
                ),
            },
        ),
        (_("Report"), {"fields": ("report",)}),
        (_("Record"), {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )

    def get_queryset(self, request):
        taking_part = Q(
            registrations__status__in=[
                Registration.Status.CONFIRMED,
                Registration.Status.ATTENDED,
            ]
        )
        waiting = Q(registrations__status=Registration.Status.WAITLISTED)
        return (
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


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
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
    readonly_fields = ("created_at", "updated_at")
    ordering = ("-created_at", "-id")
    fieldsets = (
        (None, {"fields": ("event", "company", "registered_by", "status")}),
        (
            _("Attendee"),
            {"fields": ("attendee_name", "attendee_title", "attendee_phone", "attendee_email")},
        ),
        (_("Record"), {"fields": ("created_at", "updated_at")}),
    )
