from django.contrib.admin.apps import AdminConfig


class XiehuiAdminConfig(AdminConfig):
    default_site = "config.admin.XiehuiAdminSite"
