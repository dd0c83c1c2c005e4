"""The secretariat's back office: Django's admin, its front page a to-do list and figures."""

from django.conf import settings
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import AdminSignInForm

from . import admin_menu


class XiehuiAdminSite(admin.AdminSite):
    site_header = settings.SITE_NAME
    site_title = settings.SITE_NAME
    index_title = _("Secretariat back office")
    index_template = "admin/xiehui_index.html"
    login_form = AdminSignInForm

    def get_urls(self):
        from django.urls import path

        from portal.dashboard_views import dashboard_export

        return [
            path("dashboard/export/", self.admin_view(dashboard_export), name="dashboard_export"),
            # The 系统 section's page (config/admin_menu.py).
            path("system/", self.admin_view(self.system_index), name="system"),
            *super().get_urls(),
        ]

    def get_app_list(self, request, app_label=None):
        app_list = super().get_app_list(request, app_label)
        return app_list if app_label else admin_menu.regroup(self, request, app_list)

    def system_index(self, request):
        return admin_menu.system_index(self, request)

    def index(self, request, extra_context=None):
        """The to-do list, then the dashboard's figures (portal.dashboard) for ``?year=``."""
        from portal.dashboard_views import dashboard_context

        dashboard = dashboard_context(request)
        todo = self._todo(request, dashboard["dashboard"])
        return super().index(request, {"todo": todo, **dashboard, **(extra_context or {})})

    def _todo(self, request, dashboard) -> list[dict]:
        """What waits for the secretariat, with links to the filtered lists.

        The applications and profile changes are counted by the dashboard's
        queries of them (``dashboard``, a portal.dashboard.Dashboard).
        """
        from bulletin.models import Article
        from events.models import Event
        from members.models import Application, ProfileChange

        items = [
            (
                Application,
                _("Membership applications to review"),
                dashboard.open_applications,
                "status__in=submitted,under_review",
            ),
            (
                ProfileChange,
                _("Profile changes to review"),
                dashboard.pending_profile_changes,
                "status__exact=pending",
            ),
            (
                Article,
                _("Draft articles"),
                Article.objects.filter(status=Article.Status.DRAFT).count,
                "status__exact=draft",
            ),
            (
                Event,
                _("Upcoming events"),
                Event.objects.filter(ends_at__date__gte=timezone.localdate()).count,
                f"ends_at__date__gte={timezone.localdate().isoformat()}",
            ),
        ]
        todo = []
        for model, label, count, query in items:
            opts = model._meta
            if not request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
                continue
            url = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_changelist", current_app=self.name
            )
            todo.append(
                {
                    "label": label,
                    "count": count(),
                    "url": f"{url}?{query}" if query else url,
                }
            )
        return todo
