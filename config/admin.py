"""The secretariat's back office: Django's admin with a to-do list on its front page."""

from django.conf import settings
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import AdminSignInForm


class XiehuiAdminSite(admin.AdminSite):
    site_header = settings.SITE_NAME
    site_title = settings.SITE_NAME
    index_title = _("Secretariat back office")
    index_template = "admin/xiehui_index.html"
    login_form = AdminSignInForm

    def index(self, request, extra_context=None):
        return super().index(request, {"todo": self._todo(request), **(extra_context or {})})

    def _todo(self, request) -> list[dict]:
        """What waits for the secretariat, with links to the filtered lists."""
        from bulletin.models import Article
        from events.models import Event
        from members.models import Application, ProfileChange

        items = [
            (
                Application,
                _("Membership applications to review"),
                Application.objects.filter(
                    status__in=[Application.Status.SUBMITTED, Application.Status.UNDER_REVIEW]
                ),
                "status__in=submitted,under_review",
            ),
            (
                ProfileChange,
                _("Profile changes to review"),
                ProfileChange.objects.filter(status=ProfileChange.Status.PENDING),
                "status__exact=pending",
            ),
            (
                Article,
                _("Draft articles"),
                Article.objects.filter(status=Article.Status.DRAFT),
                "status__exact=draft",
            ),
            (
                Event,
                _("Upcoming events"),
                Event.objects.filter(ends_at__date__gte=timezone.localdate()),
                f"ends_at__date__gte={timezone.localdate().isoformat()}",
            ),
        ]
        todo = []
        for model, label, queryset, query in items:
            opts = model._meta
            if not request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
                continue
            url = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_changelist", current_app=self.name
            )
            todo.append(
                {
                    "label": label,
                    "count": queryset.count(),
                    "url": f"{url}?{query}" if query else url,
                }
            )
        return todo
