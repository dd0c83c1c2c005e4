"""Excel downloads of the back office's lists, with the filters and search applied.

An admin with ``XlsxExportMixin`` gets two ways out of its list:

- an 导出 Excel button above the list, linking to ``export/`` with the list's
  query string: every row the secretariat filtered, searched and sorted, on
  all pages (the admin's own ``ChangeList`` builds the queryset, so the file
  and the list never disagree);
- the action "Export the selected … to Excel", for ticked rows (name
  ``export_xlsx`` in the admin's ``actions``).

Both need the model's view permission. The file is in Chinese whatever the
language of the page: the headers are the verbose names in zh-hans, choice
fields their labels, foreign keys their names, yes/no 是/否, times in
Asia/Shanghai; portal.spreadsheets writes it (cells never run as formulas,
a write-only workbook). Rows are read ``CHUNK_SIZE`` at a time, with the
relations the columns need joined or prefetched, so neither memory nor the
number of queries grows with the rows.

``export_columns`` lists the columns, each one of:

- a field path, ``"company__city"``: the header is the last field's verbose
  name; a many-to-many field gives the names joined by 、;
- the name of an admin method (as in ``list_display``): the header is its
  ``description``, the value what it returns for the row;
- ``(header, path or method name)`` for another header;
- ``(header, callable)``: the value is ``callable(row)``.

An admin whose columns depend on the rows (the registrations' answers to
their events' own questions) overrides ``get_export_columns(queryset)``.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.options import IS_POPUP_VAR, IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG, PAGE_VAR
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured, PermissionDenied
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.spreadsheets import xlsx_response

CHUNK_SIZE = 500


@dataclass(frozen=True)
class Column:
    header: object  # a str or a lazy translation, read in Chinese when the file is made
    value: Callable
    select_related: str = ""
    prefetch_related: str = ""


def _plain(value):
    """A model value as a cell: yes/no in words, the rest as is (portal.spreadsheets)."""
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    return value


def _field_column(model, lookup: str, header=None) -> Column | None:
    """The column of a field path, or ``None`` when ``lookup`` names no field."""
    fields, opts = [], model._meta
    for name in lookup.split(LOOKUP_SEP):
        if opts is None:
            raise ImproperlyConfigured(f"{model.__name__} export: {lookup} goes past a field.")
        try:
            field = opts.get_field(name)
        except FieldDoesNotExist:
            return None
        fields.append(field)
        opts = field.related_model._meta if field.is_relation else None
    *through, last = fields
    if any(field.many_to_many or field.one_to_many for field in through):
        raise ImproperlyConfigured(f"{model.__name__} export: {lookup} crosses a many relation.")
    prefix = LOOKUP_SEP.join(field.name for field in through)
    choices = dict(last.flatchoices) if getattr(last, "choices", None) else None

    def value(obj):
        for field in through:
            obj = getattr(obj, field.name)
            if obj is None:
                return None
        if last.many_to_many or last.one_to_many:
            return "、".join(str(related) for related in getattr(obj, last.name).all())
        if last.is_relation:
            related = getattr(obj, last.name)
            return None if related is None else str(related)
        raw = getattr(obj, last.attname)
        if choices is not None and raw in choices:
            return str(choices[raw])
        return _plain(raw)

    header = header or getattr(last, "verbose_name", last.name)
    if last.many_to_many or last.one_to_many:
        return Column(header, value, select_related=prefix, prefetch_related=lookup)
    return Column(header, value, select_related=lookup if last.is_relation else prefix)


def _column(model_admin, spec) -> Column:
    header, target = spec if isinstance(spec, tuple) else (None, spec)
    if callable(target):
        return Column(header, lambda obj: _plain(target(obj)))
    column = _field_column(model_admin.model, target, header)
    if column is not None:
        return column
    method = getattr(model_admin, target, None)
    if not callable(method):
        raise ImproperlyConfigured(
            f"{type(model_admin).__name__}.export_columns: {target!r} is neither a field of "
            f"{model_admin.model.__name__} nor a method of the admin."
        )
    return Column(
        header or getattr(method, "short_description", target), lambda obj: _plain(method(obj))
    )


def export_changelist_xlsx(model_admin, queryset, columns=None):
    """The rows of ``queryset`` as an .xlsx download, named after the list and the day."""
    with translation.override(settings.LANGUAGE_CODE), timezone.override(settings.TIME_ZONE):
        specs = columns or model_admin.get_export_columns(queryset)
        columns = [_column(model_admin, spec) for spec in specs]
        joined = sorted({column.select_related for column in columns} - {""})
        prefetched = sorted({column.prefetch_related for column in columns} - {""})
        if joined:
            queryset = queryset.select_related(*joined)
        if prefetched:
            queryset = queryset.prefetch_related(*prefetched)
        title = str(model_admin.export_title or model_admin.opts.verbose_name_plural)
        return xlsx_response(
            filename=f"{title}-{timezone.localdate():%Y%m%d}.xlsx",
            title=title,
            headers=[str(column.header) for column in columns],
            rows=(
                [column.value(obj) for column in columns]
                for obj in queryset.iterator(chunk_size=CHUNK_SIZE)
            ),
        )


class XlsxExportMixin:
    """The 导出 Excel button and the export action of an admin list (see the module)."""

    export_columns: tuple = ()
    export_title = None  # the name of the file and its sheet; the model's plural by default

    def get_export_columns(self, queryset) -> tuple:
        """The columns of an export of ``queryset``: ``export_columns`` unless overridden."""
        return self.export_columns

    def get_urls(self):
        return [
            path(
                "export/",
                self.admin_site.admin_view(self.export_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_export",
            ),
            *super().get_urls(),
        ]

    def export_url(self, request) -> str:
        """The export of the list as shown: its filters, search and order, not its page."""
        url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_export",
            current_app=self.admin_site.name,
        )
        params = request.GET.copy()
        for name in (PAGE_VAR, ERROR_FLAG):
            params.pop(name, None)
        return f"{url}?{params.urlencode()}" if params else url

    def changelist_view(self, request, extra_context=None):
        if IS_POPUP_VAR not in request.GET:
            extra_context = {**(extra_context or {}), "xlsx_export_url": self.export_url(request)}
        return super().changelist_view(request, extra_context)

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            url = reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist",
                current_app=self.admin_site.name,
            )
            return HttpResponseRedirect(f"{url}?{ERROR_FLAG}=1")
        return export_changelist_xlsx(self, changelist.queryset)

    @admin.action(
        description=_("Export the selected %(verbose_name_plural)s to Excel"),
        permissions=["view"],
    )
    def export_xlsx(self, request, queryset):
        return export_changelist_xlsx(self, queryset)
