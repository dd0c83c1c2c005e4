from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import OutgoingMail
from .services import outbox_dispatch


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    list_display = ("subject", "to", "template", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "template")
    search_fields = ("to", "subject", "key")
    date_hierarchy = "created_at"
    actions = ("resend",)
    readonly_fields = [field.name for field in OutgoingMail._meta.fields]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Send the selected failed mail again"), permissions=["change"])
    def resend(self, request, queryset):
        pks = list(queryset.filter(status=OutgoingMail.Status.FAILED).values_list("pk", flat=True))
        OutgoingMail.objects.filter(pk__in=pks).update(
            status=OutgoingMail.Status.QUEUED, next_attempt_at=timezone.now()
        )
        outbox_dispatch(pks)
        self.message_user(
            request,
            ngettext("%(count)d mail queued again.", "%(count)d mails queued again.", len(pks))
            % {"count": len(pks)},
            messages.SUCCESS,
        )
