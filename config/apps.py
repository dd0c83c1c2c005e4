import axes.apps
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class XiehuiAdminConfig(AdminConfig):
    """The back office's site, and the app config of the project itself (``config``)."""

    default_site = "config.admin.XiehuiAdminSite"

    def ready(self) -> None:
        super().ready()
        from . import checks  # noqa: F401  (registers the deployment checks)


class AxesConfig(axes.apps.AppConfig):
    """django-axes (the sign-in lockout) under a Chinese name: it gives its app none."""

    verbose_name = _("Sign-in records")
