from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, OuterRef, Subquery
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from awards.models import Honour

from .models import (
    Application,
    Company,
    Contact,
    CouncilSeat,
    IndustrySegment,
    Officer,
    ProfileChange,
    SeatRole,
    Term,
)

RECORD_FIELDSET = (_("Record"), {"fields": ("created_at", "updated_at"), "classes": ("collapse",)})


@admin.register(IndustrySegment)
class IndustrySegmentAdmin(admin.ModelAdmin):
    list_display = ("name", "english_name", "order", "company_count")
    list_editable = ("order",)
    search_fields = ("name", "english_name")
    ordering = ("order", "name")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(company_count=Count("companies"))

    @admin.display(description=_("companies"), ordering="company_count")
    def company_count(self, segment: IndustrySegment) -> int:
        return segment.company_count


class CurrentSeatRoleFilter(admin.SimpleListFilter):
    """Companies by their seat in the current term, or without one."""

    title = _("role in the current term")
    parameter_name = "current_role"

    def lookups(self, request, model_admin):
        return [(str(value), label) for value, label in SeatRole.choices] + [("none", _("No seat"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "none":
            return queryset.filter(current_role__isnull=True)
        if value in {str(role) for role in SeatRole.values}:
            return queryset.filter(current_role=int(value))
        return queryset


class CompanySeatInline(admin.TabularInline):
    model = CouncilSeat
    fields = ("term", "role")
    autocomplete_fields = ("term",)
    extra = 0
    verbose_name_plural = _("council seats by term")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("term", "company")


class CompanyHonourInline(admin.TabularInline):
    model = Honour
    fields = ("award", "year", "person", "project", "grade", "verified")
    autocomplete_fields = ("award",)
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("award", "company")


class CompanyContactInline(admin.TabularInline):
    """Contacts are managed on their own page (they are user accounts); here they are listed."""

    model = Contact
    fields = ("user", "job_title", "phone", "is_primary")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "company")


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "short_name",
        "city",
        "industry",
        "current_seat_role",
        "status",
        "listed",
        "joined_on",
    )
    list_filter = ("status", "listed", CurrentSeatRoleFilter, "city", "industry")
    list_select_related = ("industry",)
    search_fields = ("name", "short_name", "english_name", "credit_code")
    autocomplete_fields = ("industry",)
    readonly_fields = ("created_at", "updated_at")
    ordering = ("name",)
    fieldsets = (
        (
            _("Public profile"),
            {
                "description": _("Shown on the public member directory and profile page."),
                "fields": (
                    ("name", "short_name"),
                    "english_name",
                    "aliases",
                    ("city", "industry"),
                    "address",
                    ("website", "phone", "public_email"),
                    "logo",
                    "description",
                    "founded_year",
                ),
            },
        ),
        (
            _("Members only"),
            {
                "description": _("Seen by member contacts and the secretariat only."),
                "fields": ("credit_code",),
            },
        ),
        (
            _("Membership"),
            {
                "description": _(
                    "Only active, listed companies appear on public pages; "
                    "the joining date is shown on the profile."
                ),
                "fields": ("status", "joined_on", "listed"),
            },
        ),
        RECORD_FIELDSET,
    )
    inlines = (CompanySeatInline, CompanyHonourInline, CompanyContactInline)

    def get_queryset(self, request):
        current_seats = CouncilSeat.objects.filter(company=OuterRef("pk"), term__is_current=True)
        return (
            super()
            .get_queryset(request)
            .annotate(current_role=Subquery(current_seats.values("role")[:1]))
        )

    @admin.display(description=_("role in the current term"), ordering="current_role")
    def current_seat_role(self, company: Company):
        if company.current_role is None:
            return None
        return SeatRole(company.current_role).label


class TermOfficerInline(admin.TabularInline):
    model = Officer
    fields = ("name", "office", "company", "affiliation", "order")
    autocomplete_fields = ("company",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("term", "company")


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "ordinal",
        "starts_on",
        "ends_on",
        "is_current",
        "officer_count",
        "seat_count",
    )
    list_filter = ("is_current",)
    search_fields = ("name",)
    ordering = ("-ordinal",)
    # Seats are listed on their own page (linked from the count): a term has
    # hundreds, too many to edit as one inline form.
    inlines = (TermOfficerInline,)
    readonly_fields = ("seat_count",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                officer_count=Count("officers", distinct=True),
                seat_count=Count("seats", distinct=True),
            )
        )

    @admin.display(description=_("officers"), ordering="officer_count")
    def officer_count(self, term: Term) -> int:
        return term.officer_count

    @admin.display(description=_("council seats"), ordering="seat_count")
    def seat_count(self, term: Term):
        if term.pk is None:
            return "-"
        url = reverse("admin:members_councilseat_changelist") + f"?term__id__exact={term.pk}"
        return format_html('<a href="{}">{}</a>', url, term.seat_count)


@admin.register(CouncilSeat)
class CouncilSeatAdmin(admin.ModelAdmin):
    list_display = ("company", "role", "term")
    list_filter = ("term", "role")
    list_select_related = ("company", "term")
    search_fields = ("company__name", "company__short_name")
    autocomplete_fields = ("term", "company")
    ordering = ("-term__ordinal", "role", "company__name")


@admin.register(Officer)
class OfficerAdmin(admin.ModelAdmin):
    list_display = ("name", "office", "affiliation", "company", "term", "order")
    list_filter = ("term", "office")
    list_select_related = ("company", "term")
    search_fields = ("name", "affiliation", "company__name", "company__short_name")
    autocomplete_fields = ("term", "company")
    ordering = ("-term__ordinal", "office", "order", "name")


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("contact_name", "contact_email", "company", "job_title", "phone", "is_primary")
    list_filter = ("is_primary", "company__status", "company__city")
    list_select_related = ("user", "company")
    search_fields = ("user__name", "user__email", "phone", "company__name", "company__short_name")
    autocomplete_fields = ("user", "company")
    readonly_fields = ("created_at",)
    ordering = ("company__name", "-is_primary", "user__name")

    def get_queryset(self, request):
        # Contact.__str__ shows the user and the company, also in autocomplete results.
        return super().get_queryset(request).select_related("user", "company")

    @admin.display(description=_("full name"), ordering="user__name")
    def contact_name(self, contact: Contact) -> str:
        return contact.name

    @admin.display(description=_("email"), ordering="user__email")
    def contact_email(self, contact: Contact) -> str:
        return contact.email


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = (
        "company_name",
        "city",
        "contact_name",
        "contact_phone",
        "contact_email",
        "status",
        "submitted_at",
        "reviewed_at",
    )
    list_filter = ("status", "city", "industry")
    search_fields = (
        "company_name",
        "short_name",
        "credit_code",
        "contact_name",
        "contact_email",
        "contact_phone",
    )
    autocomplete_fields = ("industry", "company")
    readonly_fields = ("submitted_at", "reviewed_at", "reviewed_by")
    date_hierarchy = "submitted_at"
    ordering = ("-submitted_at",)
    fieldsets = (
        (
            _("Company"),
            {
                "fields": (
                    ("company_name", "short_name"),
                    "credit_code",
                    ("city", "industry"),
                    "address",
                    "website",
                    "introduction",
                    "business_licence",
                ),
            },
        ),
        (
            _("Contact person"),
            {"fields": (("contact_name", "contact_title"), ("contact_email", "contact_phone"))},
        ),
        (
            _("Review"),
            {
                "fields": (
                    "status",
                    "rejection_reason",
                    "submitted_at",
                    ("reviewed_at", "reviewed_by"),
                    "company",
                ),
            },
        ),
    )


def _field_label(name: str) -> str:
    try:
        return capfirst(Company._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def _display_value(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list | tuple):
        return "、".join(str(item) for item in value)
    return str(value)


@admin.register(ProfileChange)
class ProfileChangeAdmin(admin.ModelAdmin):
    list_display = ("company", "changed_fields", "submitted_by", "status", "submitted_at")
    list_filter = ("status",)
    list_select_related = ("company", "submitted_by__user", "submitted_by__company")
    search_fields = ("company__name", "company__short_name", "submitted_by__user__name")
    autocomplete_fields = ("company", "submitted_by")
    readonly_fields = (
        "changes_table",
        "company_updated_at",
        "submitted_at",
        "reviewed_at",
        "reviewed_by",
    )
    date_hierarchy = "submitted_at"
    ordering = ("-submitted_at",)
    fieldsets = (
        (None, {"fields": ("company", "submitted_by", "changes_table", "new_logo")}),
        (
            _("Review"),
            {
                "fields": (
                    "status",
                    "rejection_reason",
                    ("submitted_at", "company_updated_at"),
                    ("reviewed_at", "reviewed_by"),
                ),
            },
        ),
    )

    @admin.display(description=_("fields"))
    def changed_fields(self, change: ProfileChange) -> str:
        return "、".join(str(_field_label(name)) for name in change.changes)

    @admin.display(description=_("changes"))
    def changes_table(self, change: ProfileChange) -> str:
        """Field by field: what the contact saw, what they want, what the company has now."""
        if not change.changes:
            return "—"
        rows = []
        for name, values in change.changes.items():
            if isinstance(values, dict):
                old, new = values.get("old"), values.get("new")
            else:
                old, new = None, values
            current = getattr(change.company, name, None) if change.company_id else None
            rows.append(
                (
                    _field_label(name),
                    _display_value(old),
                    _display_value(new),
                    _display_value(current),
                )
            )
        return format_html(
            '<table class="profile-changes"><thead><tr><th scope="col">{}</th>'
            '<th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th>'
            "</tr></thead><tbody>{}</tbody></table>",
            _("Field"),
            _("Old value"),
            _("New value"),
            _("Current value"),
            format_html_join(
                "",
                '<tr><th scope="row">{}</th><td>{}</td><td>{}</td><td>{}</td></tr>',
                rows,
            ),
        )
