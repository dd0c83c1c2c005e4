"""The audit log of one object, on its 历史 page in the back office (portal.audit_admin)."""

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django import template
from django.urls import reverse

from portal.audit import source_label
from portal.audit_admin import changes_html

register = template.Library()

SHOWN = 100


@register.inclusion_tag("admin/audit/object_entries.html", takes_context=True)
def audit_entries(context, obj):
    """The latest SHOWN entries about ``obj``, newest first, each change old → new.

    The page (ModelAdmin.history_view) has checked that the user may view ``obj``.
    """
    if obj is None or not auditlog.contains(type(obj)._meta.concrete_model):
        return {"audited": False}
    entries = (
        LogEntry.objects.get_for_object(obj)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")
    )
    shown = list(entries[: SHOWN + 1])
    request = context.get("request")
    list_url = None
    if request is not None and request.user.has_perm("auditlog.view_logentry"):
        content_type = shown[0].content_type_id if shown else None
        if content_type is not None:
            list_url = (
                reverse("admin:auditlog_logentry_changelist")
                + f"?model={content_type}&object_pk={obj.pk}"
            )
    return {
        "audited": True,
        "entries": [
            {
                "entry": entry,
                "source": source_label(entry),
                "changes": changes_html(entry),
            }
            for entry in shown[:SHOWN]
        ],
        "more": len(shown) > SHOWN,
        "shown": SHOWN,
        "list_url": list_url,
    }
