from django.contrib.admin.apps import AdminConfig


class XiehuiAdminConfig(AdminConfig):
    """The back office's site, and the app config of the project itself (``config``)."""

    default_site = "config.admin.XiehuiAdminSite"

    def ready(self) -> None:
        super().ready()
        from . import checks  # noqa: F401  (registers the deployment checks)
