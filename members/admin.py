from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, IntegerField, OuterRef, Subquery, Value, When
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from awards.models import Honour
from config.private_files import private_file_response
from portal.admin_exports import XlsxExportMixin

from . import services
from .import_admin import MemberImportMixin
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
from .profile_fields import field_label
from .selectors import profile_change_rows

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
class CompanyAdmin(MemberImportMixin, XlsxExportMixin, admin.ModelAdmin):
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
    actions = ("export_xlsx",)
    export_columns = (
        (_("company name"), "name"),
        "short_name",
        "english_name",
        "credit_code",
        "city",
        "industry",
        "current_seat_role",
        "status",
        "listed",
        "joined_on",
        "founded_year",
        "address",
        "phone",
        "public_email",
        "website",
    )
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
                "fields": ("status", ("joined_on", "withdrawn_on"), "listed"),
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
class CouncilSeatAdmin(XlsxExportMixin, admin.ModelAdmin):
    list_display = ("company", "role", "term")
    list_filter = ("term", "role")
    list_select_related = ("company", "term")
    search_fields = ("company__name", "company__short_name")
    autocomplete_fields = ("term", "company")
    ordering = ("-term__ordinal", "role", "company__name")
    actions = ("export_xlsx",)
    export_columns = ("term", "company", "company__credit_code", "company__city", "role")


@admin.register(Officer)
class OfficerAdmin(admin.ModelAdmin):
    list_display = ("name", "office", "affiliation", "company", "term", "order")
    list_filter = ("term", "office")
    list_select_related = ("company", "term")
    search_fields = ("name", "affiliation", "company__name", "company__short_name")
    autocomplete_fields = ("term", "company")
    ordering = ("-term__ordinal", "office", "order", "name")


@admin.register(Contact)
class ContactAdmin(XlsxExportMixin, admin.ModelAdmin):
    list_display = ("contact_name", "contact_email", "company", "job_title", "phone", "is_primary")
    list_filter = ("is_primary", "company__status", "company__city")
    list_select_related = ("user", "company")
    search_fields = ("user__name", "user__email", "phone", "company__name", "company__short_name")
    autocomplete_fields = ("user", "company")
    readonly_fields = ("created_at",)
    ordering = ("company__name", "-is_primary", "user__name")
    actions = ("export_xlsx",)
    export_columns = (
        "contact_name",
        "company",
        "job_title",
        "phone",
        "contact_email",
        "is_primary",
        (_("company status"), "company__status"),
        "created_at",
    )

    def get_queryset(self, request):
        # Contact.__str__ shows the user and the company, also in autocomplete results.
        return super().get_queryset(request).select_related("user", "company")

    @admin.display(description=_("full name"), ordering="user__name")
    def contact_name(self, contact: Contact) -> str:
        return contact.name

    @admin.display(description=_("email"), ordering="user__email")
    def contact_email(self, contact: Contact) -> str:
        return contact.email


class ReviewAdminMixin:
    """Approve and reject buttons above a change page's form and its save buttons, each a
    POST to a view of its own.

    ``review_pending(obj)`` says whether ``obj`` still waits for a decision;
    ``approve(request, obj, force)`` and ``reject(request, obj, reason)``
    call the services and raise ``services.ReviewError`` when they refuse.
    """

    review_template = "admin/members/review_panel.html"
    pending_statuses: tuple = ()

    def review_pending(self, obj) -> bool:
        return obj.status in self.pending_statuses

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/approve/",
                self.admin_site.admin_view(self.approve_view),
                name=f"{info[0]}_{info[1]}_approve",
            ),
            path(
                "<path:object_id>/reject/",
                self.admin_site.admin_view(self.reject_view),
                name=f"{info[0]}_{info[1]}_reject",
            ),
            *super().get_urls(),
        ]

    def _reviewed_object(self, request, object_id):
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def _change_url(self, obj) -> str:
        info = self.opts.app_label, self.opts.model_name
        return reverse(f"admin:{info[0]}_{info[1]}_change", args=[obj.pk])

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        obj = self.get_object(request, object_id)
        if obj is not None:
            extra_context["review_pending"] = self.review_pending(obj)
            extra_context["review_template"] = self.review_template
        return super().change_view(request, object_id, form_url, extra_context)

    def approve_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self._reviewed_object(request, object_id)
        force = request.POST.get("force") == "1"
        try:
            self.approve(request, obj, force=force)
        except services.ProfileChangeConflict as conflict:
            return self.conflict_response(request, obj, conflict)
        except services.ReviewError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(request, self.approved_message(obj), messages.SUCCESS)
        return HttpResponseRedirect(self._change_url(obj))

    def reject_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self._reviewed_object(request, object_id)
        try:
            self.reject(request, obj, reason=request.POST.get("reason", ""))
        except services.ReviewError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(request, self.rejected_message(obj), messages.SUCCESS)
        return HttpResponseRedirect(self._change_url(obj))

    def conflict_response(self, request, obj, conflict):  # pragma: no cover - overridden
        raise conflict


def pending_first(pending: list[str]) -> Case:
    return Case(
        When(status__in=pending, then=Value(0)), default=Value(1), output_field=IntegerField()
    )


@admin.register(Application)
class ApplicationAdmin(XlsxExportMixin, ReviewAdminMixin, admin.ModelAdmin):
    """The queue of membership applications: pending ones first, approve or reject each."""

    pending_statuses = (Application.Status.SUBMITTED, Application.Status.UNDER_REVIEW)
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
    autocomplete_fields = ("industry",)
    readonly_fields = (
        "licence_link",
        "status",
        "rejection_reason",
        "submitted_at",
        "reviewed_at",
        "reviewed_by",
        "company",
    )
    date_hierarchy = "submitted_at"
    actions = ("export_xlsx",)
    export_columns = (
        "company_name",
        "short_name",
        "credit_code",
        "city",
        "industry",
        "address",
        "website",
        "contact_name",
        "contact_title",
        "contact_phone",
        "contact_email",
        "status",
        "submitted_at",
        "reviewed_at",
        (_("reviewed by"), "reviewed_by__name"),
        "rejection_reason",
        "company",
    )
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
                    "licence_link",
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

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("reviewed_by", "industry", "company")

    def get_ordering(self, request):
        return (pending_first(list(self.pending_statuses)).asc(), "-submitted_at", "-id")

    def get_readonly_fields(self, request, obj=None):
        # Pending applications can be corrected before approval; decided ones are a record.
        if obj is not None and not self.review_pending(obj):
            return [
                name
                for _title, options in self.fieldsets
                for row in options["fields"]
                for name in (row if isinstance(row, tuple) else (row,))
            ]
        return self.readonly_fields

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/licence/",
                self.admin_site.admin_view(self.licence_view),
                name=f"{info[0]}_{info[1]}_licence",
            ),
            *super().get_urls(),
        ]

    def licence_view(self, request, object_id):
        """The business licence, for the secretariat only (files have random names too)."""
        application = self.get_object(request, object_id)
        if application is None or not application.business_licence:
            raise Http404
        if not self.has_view_or_change_permission(request, application):
            raise PermissionDenied
        licence = application.business_licence
        extension = licence.name.rsplit(".", 1)[-1].lower()
        return private_file_response(
            licence,
            filename=f"licence-{application.pk}.{extension}",
            as_attachment=extension == "pdf",
        )

    @admin.display(description=_("business licence"))
    def licence_link(self, application: Application):
        if not application.pk or not application.business_licence:
            return "—"
        url = reverse("admin:members_application_licence", args=[application.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Open the business licence"))

    def approve(self, request, application, force=False):
        services.application_approve(application=application, by=request.user)

    def reject(self, request, application, reason):
        services.application_reject(application=application, by=request.user, reason=reason)

    def approved_message(self, application) -> str:
        return gettext(
            "The application was approved: the company, its member seat and the contact's "
            "account were created, and the contact was invited to set a password."
        )

    def rejected_message(self, application) -> str:
        return gettext("The application was rejected; the applicant has been told why.")


@admin.register(ProfileChange)
class ProfileChangeAdmin(ReviewAdminMixin, admin.ModelAdmin):
    """The review queue of contacts' profile edits: pending first, field by field."""

    pending_statuses = (ProfileChange.Status.PENDING,)
    list_display = ("company", "changed_fields", "submitted_by", "status", "submitted_at")
    list_filter = ("status",)
    list_select_related = ("company", "submitted_by__user", "submitted_by__company")
    search_fields = ("company__name", "company__short_name", "submitted_by__user__name")
    readonly_fields = (
        "company",
        "submitted_by",
        "changes_table",
        "new_logo_preview",
        "status",
        "rejection_reason",
        "company_updated_at",
        "submitted_at",
        "reviewed_at",
        "reviewed_by",
    )
    date_hierarchy = "submitted_at"
    fieldsets = (
        (None, {"fields": ("company", "submitted_by", "changes_table", "new_logo_preview")}),
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

    def has_add_permission(self, request) -> bool:
        # Profile changes come from contacts; the secretariat edits the company directly.
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("company__industry", "submitted_by__user", "reviewed_by")
        )

    def get_ordering(self, request):
        return (pending_first(list(self.pending_statuses)).asc(), "-submitted_at", "-id")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Every field is read-only: a change is decided with the buttons above it.
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("fields"))
    def changed_fields(self, change: ProfileChange) -> str:
        return "、".join(str(field_label(name)) for name in change.changes)

    @admin.display(description=_("changes"))
    def changes_table(self, change: ProfileChange) -> str:
        """Field by field: what the contact saw, what they want, what the company has now."""
        if not change.changes:
            return "—"
        return changes_table_html(profile_change_rows(change))

    @admin.display(description=_("new logo"))
    def new_logo_preview(self, change: ProfileChange):
        if not change.new_logo:
            return "—"
        return format_html(
            '<img src="{}" alt="{}" style="max-width:240px;max-height:160px;'
            'background:#fff;border:1px solid #ccc;padding:4px">',
            change.new_logo.url,
            gettext("New logo"),
        )

    def approve(self, request, change, force=False):
        services.profile_change_approve(change=change, by=request.user, force=force)

    def reject(self, request, change, reason):
        services.profile_change_reject(change=change, by=request.user, reason=reason)

    def approved_message(self, change) -> str:
        return gettext("The change was applied to the company; the contact has been told.")

    def rejected_message(self, change) -> str:
        return gettext("The change was rejected; the contact has been told why.")

    def conflict_response(self, request, change, conflict):
        """The three values of every field, and a choice: apply anyway, or reject."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": change,
            "title": gettext("The company changed since this edit was made"),
            "conflict": conflict,
            "changes_table": changes_table_html(profile_change_rows(change)),
            "change_url": self._change_url(change),
            "approve_url": reverse("admin:members_profilechange_approve", args=[change.pk]),
            "reject_url": reverse("admin:members_profilechange_reject", args=[change.pk]),
        }
        return TemplateResponse(
            request, "admin/members/profilechange/conflict.html", context, status=409
        )


def changes_table_html(rows) -> str:
    """The field-by-field table; a field changed since the edit is marked as a conflict."""
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
            '<tr{}><th scope="row">{}</th><td>{}</td><td>{}</td><td>{}{}</td></tr>',
            (
                (
                    mark_safe(' class="conflict"') if row.conflict else "",
                    row.label,
                    row.old,
                    row.new,
                    row.current,
                    format_html(
                        ' <strong style="color:#ba2121">({})</strong>',
                        gettext("changed since the edit"),
                    )
                    if row.conflict
                    else "",
                )
                for row in rows
            ),
        ),
    )
