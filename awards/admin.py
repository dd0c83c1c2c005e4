from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.admin_exports import XlsxExportMixin

from .import_admin import HonourImportMixin
from .models import Award, Honour


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin):
    list_display = ("name", "issuer", "level", "kind", "honour_count")
    list_filter = ("level", "kind")
    search_fields = ("name", "issuer")
    ordering = ("name",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(honour_count=Count("honours"))

    @admin.display(description=_("honours"), ordering="honour_count")
    def honour_count(self, award: Award) -> int:
        return award.honour_count


@admin.register(Honour)
class HonourAdmin(HonourImportMixin, XlsxExportMixin, admin.ModelAdmin):
    list_display = (
        "year",
        "award",
        "company",
        "person",
        "project",
        "grade",
        "document_number",
        "verified",
    )
    list_display_links = ("year", "award")
    list_filter = ("verified", "year", "award__level", "award__kind")
    list_select_related = ("award", "company")
    search_fields = (
        "award__name",
        "company__name",
        "company__short_name",
        "person",
        "project",
        "document_number",
    )
    autocomplete_fields = ("award", "company", "source_article")
    readonly_fields = ("created_at",)
    ordering = ("-year", "award__name", "company__name")
    actions = ("mark_verified", "export_xlsx")
    export_columns = (
        "year",
        "award",
        "award__issuer",
        "award__level",
        "award__kind",
        "company",
        "person",
        "project",
        "grade",
        "document_number",
        "awarded_on",
        "verified",
    )
    fieldsets = (
        (None, {"fields": ("award", "year", "company", "person", "project", "grade")}),
        (_("Source"), {"fields": ("document_number", "awarded_on", "source_article")}),
        (_("Review"), {"fields": ("verified", "created_at")}),
    )

    @admin.action(description=_("Mark the selected honours as verified"), permissions=["change"])
    def mark_verified(self, request, queryset):
        honours = list(queryset.filter(verified=False).select_related("award", "company"))
        count = Honour.objects.filter(pk__in=[honour.pk for honour in honours]).update(
            verified=True
        )
        if honours:
            LogEntry.objects.log_actions(
                user_id=request.user.pk,
                queryset=honours,
                action_flag=CHANGE,
                change_message=[{"changed": {"fields": ["verified"]}}],
            )
        self.message_user(
            request,
            ngettext(
                "%(count)d honour was marked as verified.",
                "%(count)d honours were marked as verified.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
