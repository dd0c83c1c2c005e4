from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from portal.admin_columns import count_column
from portal.admin_exports import XlsxExportMixin

from . import services
from .forms import PreviewForm
from .messages import digest_mail, web_view_url
from .models import DigestDelivery, DigestRun, Subscriber
from .selectors import digest_contents, digest_preview_request


@admin.register(Subscriber)
class SubscriberAdmin(XlsxExportMixin, admin.ModelAdmin):
    list_display = (
        "email",
        "status",
        "frequency",
        "section_names",
        "hard_bounces",
        "contact",
        "confirmed_at",
        "last_digest_at",
        "preview_link",
    )
    list_filter = ("status", "frequency", ("contact", admin.EmptyFieldListFilter), "sections")
    list_select_related = ("contact__user", "contact__company")
    search_fields = ("email", "contact__user__name", "contact__company__name")
    autocomplete_fields = ("contact",)
    readonly_fields = (
        "hard_bounces",
        "confirmed_at",
        "unsubscribed_at",
        "created_at",
        "preview_link",
    )
    actions = ("reactivate", "unsubscribe", "export_xlsx")
    date_hierarchy = "created_at"
    export_columns = (
        "email",
        "status",
        "frequency",
        "section_names",
        (_("contact"), "contact__user__name"),
        (_("company"), "contact__company"),
        "hard_bounces",
        "confirmed_at",
        "last_digest_at",
        "unsubscribed_at",
        "created_at",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("sections")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "sections":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("sections"))
    def section_names(self, subscriber: Subscriber) -> str:
        names = [section.name for section in subscriber.sections.all()]
        return "、".join(names) if names else _("All sections")

    @admin.display(description=_("digest preview"))
    def preview_link(self, subscriber: Subscriber) -> str:
        if subscriber.pk is None:
            return "—"
        url = reverse(
            "admin:digests_subscriber_preview",
            args=[quote(subscriber.pk)],
            current_app=self.admin_site.name,
        )
        return format_html('<a href="{}">{}</a>', url, _("Preview"))

    @admin.action(description=_("Let the selected suppressed addresses receive digests again"))
    def reactivate(self, request, queryset):
        count = services.subscriber_reactivate(subscriber_ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext(
                "%(count)d subscriber reactivated.", "%(count)d subscribers reactivated.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Unsubscribe the selected addresses"))
    def unsubscribe(self, request, queryset):
        count = services.subscriber_unsubscribe_many(
            subscriber_ids=queryset.values_list("pk", flat=True)
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d subscriber unsubscribed.", "%(count)d subscribers unsubscribed.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("preview/", view(self.preview_pick_view), name="digests_subscriber_preview_pick"),
            path(
                "<path:object_id>/preview/",
                view(self.preview_view),
                name="digests_subscriber_preview",
            ),
            path(
                "<path:object_id>/send-test/",
                view(require_POST(self.send_test_view)),
                name="digests_subscriber_send_test",
            ),
            *super().get_urls(),
        ]

    def _subscriber(self, request, object_id) -> Subscriber:
        if not self.has_view_permission(request):
            raise PermissionDenied
        subscriber = self.get_object(request, unquote(object_id))
        if subscriber is None:
            raise Http404(_("No such subscriber."))
        return subscriber

    def preview_pick_view(self, request):
        """Whose digest to preview: by email address."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = PreviewForm(request.GET or None)
        if form.is_valid():
            return redirect(
                "admin:digests_subscriber_preview",
                quote(form.cleaned_data["email"].pk),
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Preview a digest"),
            "form": form,
        }
        return TemplateResponse(request, "digests/admin/preview.html", context)

    def preview_view(self, request, object_id):
        """The digest the subscriber would get if it were sent now, both parts."""
        subscriber = self._subscriber(request, object_id)
        content = digest_contents(requests=[digest_preview_request(subscriber=subscriber)])[0]
        mail = digest_mail(content, delivery_id=None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": subscriber,
            "title": _("Digest preview for %(email)s") % {"email": subscriber.email},
            "form": PreviewForm(initial={"email": subscriber.email}),
            "subscriber": subscriber,
            "content": content,
            "mail": mail,
            "send_test_url": reverse(
                "admin:digests_subscriber_send_test",
                args=[quote(subscriber.pk)],
                current_app=self.admin_site.name,
            ),
        }
        return TemplateResponse(request, "digests/admin/preview.html", context)

    def send_test_view(self, request, object_id):
        """Mail the preview to the signed-in user; nothing of the subscriber's changes."""
        subscriber = self._subscriber(request, object_id)
        if not request.user.email:
            self.message_user(request, _("Your account has no email address."), messages.ERROR)
        else:
            services.digest_send_test(subscriber=subscriber, to=request.user.email)
            self.message_user(
                request,
                _("A test digest as %(subscriber)s would get it was sent to %(email)s.")
                % {"subscriber": subscriber.email, "email": request.user.email},
                messages.SUCCESS,
            )
        return redirect("admin:digests_subscriber_preview", quote(subscriber.pk))


def _delivery_counts():
    def count(*statuses):
        return Count("deliveries", filter=Q(deliveries__status__in=statuses))

    status = DigestDelivery.Status
    return {
        "queued_count": count(status.QUEUED, status.SENDING),
        "sent_count": count(status.SENT),
        "skipped_count": count(status.SKIPPED),
        "failed_count": count(status.FAILED),
    }


@admin.register(DigestRun)
class DigestRunAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "created_at",
        "finished_at",
        "queued_count",
        "sent_count",
        "skipped_count",
        "failed_count",
        "deliveries_link",
    )
    list_filter = ("frequency",)
    date_hierarchy = "scheduled_for"
    readonly_fields = (
        "frequency",
        "scheduled_for",
        "created_at",
        "finished_at",
        "queued_count",
        "sent_count",
        "skipped_count",
        "failed_count",
        "deliveries_link",
    )
    actions = ("resend_failed",)
    change_list_template = "digests/admin/digestrun_change_list.html"

    def has_add_permission(self, request):
        # Runs are made by the beat schedule or `manage.py send_digest`.
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(**_delivery_counts())

    queued_count = count_column("queued_count", _("queued"))
    sent_count = count_column("sent_count", _("sent"))
    skipped_count = count_column("skipped_count", _("nothing new"))
    failed_count = count_column("failed_count", _("failed"))

    @admin.display(description=_("deliveries"))
    def deliveries_link(self, run) -> str:
        url = reverse("admin:digests_digestdelivery_changelist", current_app=self.admin_site.name)
        return format_html('<a href="{}?run__id__exact={}">{}</a>', url, run.pk, _("Deliveries"))

    @admin.action(description=_("Send the failed deliveries of the selected runs again"))
    def resend_failed(self, request, queryset):
        count = services.digest_deliveries_resend(run_ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery queued again.", "%(count)d deliveries queued again.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "subscriber",
        "run",
        "status",
        "attempts",
        "window_start",
        "window_end",
        "sent_at",
        "short_error",
        "web_view_link",
    )
    list_filter = ("status", "run")
    list_select_related = ("run", "subscriber")
    search_fields = ("subscriber__email",)
    readonly_fields = [field.name for field in DigestDelivery._meta.fields] + ["web_view_link"]
    actions = ("resend",)

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("error"))
    def short_error(self, delivery) -> str:
        return delivery.error[:80]

    @admin.display(description=_("web view"))
    def web_view_link(self, delivery) -> str:
        if delivery.status != DigestDelivery.Status.SENT:
            return "—"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            web_view_url(delivery.pk),
            _("Open"),
        )

    @admin.action(
        description=_("Send the selected failed deliveries again"), permissions=["change"]
    )
    def resend(self, request, queryset):
        rows = list(queryset.values_list("run_id", "pk"))
        count = services.digest_deliveries_resend(
            run_ids={run_id for run_id, _pk in rows}, delivery_ids=[pk for _run_id, pk in rows]
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery queued again.", "%(count)d deliveries queued again.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )
