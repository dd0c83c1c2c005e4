"""The audit log in the back office: one list, filterable by user, model, source and date.

Read-only for everyone, superusers too: no add, change or delete page, no
actions. Each entry shows its changes field by field, old → new. A user sees
the entries of the models they may view (the entries of dues bills only with
permission to view dues bills, and so on). The entries of one object are also
on that object's 历史 page (templates/admin/object_history.html).
"""

import contextlib

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .audit import Source, source_label

admin.site.unregister(LogEntry)  # django-auditlog's own, which superusers may delete from


def visible_content_types(user) -> list[ContentType] | None:
    """The content types of the audited models ``user`` may view; None: all of them."""
    if user.is_superuser:
        return None
    models = [
        model
        for model in auditlog.get_models()
        if user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")
    ]
    return list(ContentType.objects.get_for_models(*models).values()) if models else []


def entries_visible_to(user, queryset=None):
    queryset = LogEntry.objects.all() if queryset is None else queryset
    content_types = visible_content_types(user)
    if content_types is None:
        return queryset
    return queryset.filter(content_type__in=content_types)


def _shown(value) -> str:
    if value in (None, "", "None"):
        return "—"
    # django-auditlog keeps a boolean as its Python text.
    return {"True": gettext("Yes"), "False": gettext("No")}.get(value, str(value))


def _reverse_relations(model) -> set[str]:
    """The names of ``model``'s reverse relations (a company's ``seats``, ``contacts`` …).

    django-auditlog lists them among a new object's fields, with the related
    manager's text for value ("members.CouncilSeat.None"): they are not fields.
    """
    if model is None:
        return set()
    return {
        field.name
        for field in model._meta.get_fields()
        if field.auto_created and not field.concrete
    }


def _many_to_many(entry: LogEntry, model) -> dict[str, dict]:
    """The entry's many-to-many changes by the field's verbose name: django-auditlog's
    display of them keeps only their keys (type, objects, operation)."""
    changes = {}
    for name, values in (entry.changes_dict or {}).items():
        if isinstance(values, dict):
            if model is not None:
                with contextlib.suppress(FieldDoesNotExist):
                    name = model._meta.get_field(name).verbose_name
            changes[str(name)] = values
    return changes


def changes_html(entry: LogEntry) -> str:
    """The entry's changes as a table: field, old value, new value."""
    if entry.action == LogEntry.Action.DELETE:
        return gettext("Deleted")
    try:
        changes = entry.changes_display_dict
    except Exception:  # a model no longer there: the raw values
        changes = entry.changes_dict
    model = ContentType.objects.get_for_id(entry.content_type_id).model_class()  # cached
    reverse_relations = _reverse_relations(model)
    many_to_many = _many_to_many(entry, model)
    rows = []
    for name, values in changes.items():
        if name in reverse_relations:
            continue
        values = many_to_many.get(str(name), values)
        if isinstance(values, dict):  # many-to-many: objects added or removed
            operation = gettext("added") if values.get("operation") == "add" else gettext("removed")
            rows.append((capfirst(name), "", f"{operation}: " + "、".join(values["objects"])))
        else:
            old, new = (list(values) + ["", ""])[:2]
            rows.append((capfirst(name), _shown(old), _shown(new)))
    if not rows:
        return "—"
    return format_html(
        '<table class="audit-changes"><thead><tr><th scope="col">{}</th><th scope="col">{}</th>'
        '<th scope="col">{}</th></tr></thead><tbody>{}</tbody></table>',
        _("Field"),
        _("Old value"),
        _("New value"),
        format_html_join("", '<tr><th scope="row">{}</th><td>{}</td><td>{}</td></tr>', rows),
    )


class ModelFilter(admin.SimpleListFilter):
    """The audited models the user may view (not a scan of the log for the ones in it)."""

    title = _("model")
    parameter_name = "model"

    def lookups(self, request, model_admin):
        content_types = visible_content_types(request.user)
        if content_types is None:
            content_types = ContentType.objects.get_for_models(*auditlog.get_models()).values()
        return sorted(
            (
                (str(ct.pk), capfirst(ct.model_class()._meta.verbose_name_plural))
                for ct in content_types
                if ct.model_class() is not None
            ),
            key=lambda choice: str(choice[1]),
        )

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(content_type_id=int(self.value()))
        return queryset


class SourceFilter(admin.SimpleListFilter):
    title = _("source")
    parameter_name = "source"

    def lookups(self, request, model_admin):
        return Source.choices

    def queryset(self, request, queryset):
        value = self.value()
        if value == Source.SYSTEM:
            return queryset.filter(
                Q(additional_data__source=value) | Q(additional_data__source__isnull=True)
            )
        if value in Source.values:
            return queryset.filter(additional_data__source=value)
        return queryset


@admin.register(LogEntry)
class AuditLogEntryAdmin(admin.ModelAdmin):
    list_display = ("timestamp", "actor_name", "source", "resource", "action", "changed_fields")
    list_filter = (
        ("actor", admin.RelatedOnlyFieldListFilter),
        ModelFilter,
        "action",
        SourceFilter,
        "timestamp",
    )
    list_select_related = ("actor", "content_type")
    date_hierarchy = "timestamp"
    search_fields = ("object_repr", "actor__email", "actor__name")
    fields = (
        "timestamp",
        "actor_name",
        "source",
        "resource",
        "action",
        "changes_table",
        "remote_addr",
    )
    readonly_fields = fields
    actions = None
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return entries_visible_to(request.user, super().get_queryset(request))

    @admin.display(description=_("user"), ordering="actor__email")
    def actor_name(self, entry: LogEntry) -> str:
        if entry.actor is not None:
            return str(entry.actor)
        return entry.actor_email or gettext("System")

    @admin.display(description=_("source"))
    def source(self, entry: LogEntry) -> str:
        return source_label(entry)

    @admin.display(description=_("object"))
    def resource(self, entry: LogEntry):
        model = entry.content_type.model_class()
        label = capfirst(model._meta.verbose_name) if model else entry.content_type.model
        try:
            url = reverse(
                f"admin:{entry.content_type.app_label}_{entry.content_type.model}_change",
                args=[quote(entry.object_pk)],
            )
        except NoReverseMatch:
            return f"{label}：{entry.object_repr}"
        return format_html('{}：<a href="{}">{}</a>', label, url, entry.object_repr)

    @admin.display(description=_("fields"))
    def changed_fields(self, entry: LogEntry) -> str:
        if entry.action == LogEntry.Action.DELETE:
            return "—"
        model = entry.content_type.model_class()
        reverse_relations = _reverse_relations(model)
        names = []
        for name in entry.changes_dict:
            if name in reverse_relations:
                continue
            try:
                names.append(str(capfirst(model._meta.get_field(name).verbose_name)))
            except Exception:
                names.append(name)
        shown = "、".join(names[:6])
        return shown + ("…" if len(names) > 6 else "") if names else "—"

    @admin.display(description=_("changes"))
    def changes_table(self, entry: LogEntry) -> str:
        return changes_html(entry)
