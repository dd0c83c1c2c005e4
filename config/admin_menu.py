"""The back office's menu: the technical models under one 系统 section, after the others.

Accounts and groups, sites, sign-in records (django-axes), outgoing mail, the
digests' runs and deliveries, the notices' mailings and deliveries and the
audit log are made by the system or by 秘书长, never edited in the
secretariat's day-to-day work: they leave their apps' sections for 系统,
which has a page of its own (/admin/system/). Only those who may see them
(秘书长, superusers) have the section. An app's own page (/admin/<app>/)
still lists all its models.
"""

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

SYSTEM_LABEL = "system"
SYSTEM_MODELS = frozenset(
    {
        "auth.Group",
        "accounts.User",
        "sites.Site",
        "axes.AccessAttempt",
        "axes.AccessLog",
        "axes.AccessFailureLog",
        "outbox.OutgoingMail",
        "digests.DigestRun",
        "digests.DigestDelivery",
        "notices.NoticeMailing",
        "notices.NoticeDelivery",
        "auditlog.LogEntry",
    }
)


def works_on(user, model) -> bool:
    """Whether ``user`` may add, change or delete ``model``'s rows (by permission, whatever
    its admin allows): a model a role may only view, for its forms' look-ups (a registration's
    company, an article's companies), is not in that role's menus."""
    opts = model._meta
    return any(
        user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")
        for action in ("add", "change", "delete")
    )


def regroup(site, request, app_list: list[dict]) -> list[dict]:
    """``app_list`` with the system models moved to a 系统 section, last, and only the
    models the user works on (``works_on``); empty apps dropped."""
    system = []
    apps = []
    for app in app_list:
        kept = []
        for model in app["models"]:
            if not works_on(request.user, model["model"]):
                continue
            (system if model["model"]._meta.label in SYSTEM_MODELS else kept).append(model)
        if kept:
            apps.append({**app, "models": kept})
    if system:
        system.sort(key=lambda model: str(model["name"]))
        apps.append(
            {
                "name": _("System"),
                "app_label": SYSTEM_LABEL,
                "app_url": reverse("admin:system", current_app=site.name),
                "has_module_perms": True,
                "models": system,
            }
        )
    return apps


def system_index(site, request):
    """The 系统 section's page, as an app's page."""
    app_list = [app for app in site.get_app_list(request) if app["app_label"] == SYSTEM_LABEL]
    if not app_list:
        raise PermissionDenied
    context = {
        **site.each_context(request),
        "title": _("System administration"),
        "subtitle": None,
        "app_list": app_list,
        "app_label": SYSTEM_LABEL,
    }
    request.current_app = site.name
    return TemplateResponse(request, site.app_index_template or "admin/app_index.html", context)
