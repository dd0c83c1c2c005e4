"""The secretariat's bank statement import: upload, check each line's match, record the payments.

Only staff with permission to record payments (``dues.add_payment``) see it.
The change page of an import is its preview: every line with its state, the
matched company and bill, a box ticked for each matched line, a choice of
bill for the ambiguous and unmatched ones, and one button to record the
ticked lines as bank transfers (``dues.statements.statement_confirm``).
"""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from portal.audit import Source, audit_source

from .models import ZERO, DuesBill, StatementImport, StatementLine, StatementLineState
from .services import DuesError
from .statements import (
    STATEMENT_MAX_BYTES,
    StatementError,
    statement_confirm,
    statement_import,
    statement_line_assign,
)
from .templatetags.money import yuan

PERMISSION = "dues.add_payment"
UNRESOLVED = (StatementLineState.AMBIGUOUS, StatementLineState.UNMATCHED)


class StatementUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Bank statement"),
        help_text=_(
            "The statement of the association's account exported from online banking, "
            "as Excel (.xlsx) or CSV, at most 5 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.txt"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > STATEMENT_MAX_BYTES:
            raise ValidationError(
                _("The file is too large (%(size)s): the limit is %(limit)s."),
                code="too_large",
                params={
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(STATEMENT_MAX_BYTES),
                },
            )
        return upload


def state_counts(lines) -> dict:
    """How many lines are in each state, and the sum of the matched ones (to be recorded)."""
    counts = dict.fromkeys(StatementLineState.values, 0)
    to_record = ZERO
    for line in lines:
        counts[line.state] += 1
        if line.state == StatementLineState.MATCHED:
            to_record += line.amount
    return {"by_state": counts, "to_record": to_record}


class _Refused(Exception):
    pass


@admin.register(StatementImport)
class StatementImportAdmin(admin.ModelAdmin):
    list_display = ("file_name", "uploaded_at", "uploaded_by", "line_count", "confirmed_at")
    list_select_related = ("uploaded_by",)
    search_fields = ("file_name",)
    change_list_template = "admin/dues/statementimport/change_list.html"
    detail_template = "admin/dues/statementimport/detail.html"
    upload_template = "admin/dues/statementimport/upload.html"

    def _allowed(self, request) -> bool:
        return request.user.is_active and request.user.has_perm(PERMISSION)

    def has_module_permission(self, request) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request) -> bool:
        return False  # imports come from an upload (its own page)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a record of what was imported, and of lines already seen

    def get_urls(self):
        return [
            path(
                "upload/",
                self.admin_site.admin_view(self.upload_view),
                name="dues_statementimport_upload",
            ),
            *super().get_urls(),
        ]

    def _detail_url(self, statement: StatementImport) -> str:
        return reverse("admin:dues_statementimport_change", args=[statement.pk])

    def upload_view(self, request):
        if not self._allowed(request):
            raise PermissionDenied
        form = StatementUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                statement = statement_import(file=form.cleaned_data["file"], by=request.user)
            except StatementError as error:
                form.add_error("file", str(error))
            else:
                counts = state_counts(statement.lines.all())["by_state"]
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d line read: %(matched)d matched, %(ambiguous)d ambiguous, "
                        "%(unmatched)d unmatched, %(already)d already imported. Check them, "
                        "then record the payments.",
                        "%(count)d lines read: %(matched)d matched, %(ambiguous)d ambiguous, "
                        "%(unmatched)d unmatched, %(already)d already imported. Check them, "
                        "then record the payments.",
                        statement.line_count,
                    )
                    % {
                        "count": statement.line_count,
                        "matched": counts[StatementLineState.MATCHED],
                        "ambiguous": counts[StatementLineState.AMBIGUOUS],
                        "unmatched": counts[StatementLineState.UNMATCHED],
                        "already": counts[StatementLineState.ALREADY_IMPORTED],
                    },
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(self._detail_url(statement))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Import a bank statement"),
            "form": form,
        }
        return TemplateResponse(request, self.upload_template, context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The import's preview: its lines, the choices, and the button to record them."""
        statement = self.get_object(request, unquote(object_id))
        if statement is None:
            raise Http404
        if not self._allowed(request):
            raise PermissionDenied
        if request.method == "POST":
            self._record(request, statement)
            return HttpResponseRedirect(self._detail_url(statement))
        lines = list(statement.lines.select_related("bill__company", "payment").order_by("row"))
        context = {
            **self.admin_site.each_context(request),
            **(extra_context or {}),
            "opts": self.opts,
            "original": statement,
            "title": gettext("Bank statement %(name)s") % {"name": statement.file_name},
            "statement": statement,
            "rows": self._rows(lines),
            "counts": state_counts(lines),
            "states": StatementLineState,
            "has_view_permission": True,
        }
        return TemplateResponse(request, self.detail_template, context)

    def _rows(self, lines: list[StatementLine]) -> list[dict]:
        """Each line with what the page shows: ticked or not, and the bills it may be given."""
        unresolved = [line for line in lines if line.state in UNRESOLVED]
        open_bills = []
        if unresolved:
            open_bills = list(
                DuesBill.objects.open().select_related("company").order_by("company__name", "year")
            )
        rows = []
        for line in lines:
            row = {
                "line": line,
                "checked": line.state == StatementLineState.MATCHED,
                "assignable": line.state in UNRESOLVED,
            }
            if row["assignable"]:
                candidates = set(line.candidate_bill_ids)
                payable = [bill for bill in open_bills if bill.outstanding() >= line.amount]
                row["candidates"] = [bill for bill in payable if bill.pk in candidates]
                row["others"] = [bill for bill in payable if bill.pk not in candidates]
            rows.append(row)
        return rows

    def _record(self, request, statement: StatementImport) -> None:
        """Give the chosen bills to lines, then, with "confirm", record the ticked lines."""
        lines = {line.pk: line for line in statement.lines.filter(state__in=UNRESOLVED)}
        choices = {}
        for pk, line in lines.items():
            value = request.POST.get(f"bill-{pk}", "")
            if value.isdigit():
                choices[line] = int(value)
        bills = DuesBill.objects.in_bulk(set(choices.values()))
        ticked = [int(value) for value in request.POST.getlist("line") if value.isdigit()]
        errors = []
        try:
            with transaction.atomic():
                for line, bill_id in sorted(choices.items(), key=lambda item: item[0].row):
                    try:
                        if bill_id not in bills:
                            raise DuesError(gettext("This bill does not exist."))
                        statement_line_assign(line=line, bill=bills[bill_id])
                    except DuesError as error:
                        errors.append(
                            gettext("Row %(row)d: %(error)s")
                            % {"row": line.row, "error": " ".join(error.messages)}
                        )
                if errors:
                    raise _Refused
                payments = []
                if "confirm" in request.POST:
                    with audit_source(Source.IMPORT, statement=statement.pk):
                        payments = statement_confirm(
                            statement=statement, line_ids=ticked, by=request.user
                        )
        except _Refused:
            for error in errors:
                self.message_user(request, error, messages.ERROR)
            self.message_user(
                request, gettext("Nothing was saved: correct the choices."), messages.ERROR
            )
            return
        if choices:
            self.message_user(
                request,
                ngettext(
                    "%(count)d line was given its bill.",
                    "%(count)d lines were given their bills.",
                    len(choices),
                )
                % {"count": len(choices)},
                messages.SUCCESS,
            )
        if "confirm" not in request.POST:
            return
        total = sum((payment.amount for payment in payments), Decimal("0.00"))
        self.message_user(
            request,
            ngettext(
                "%(count)d payment recorded, %(total)s in all.",
                "%(count)d payments recorded, %(total)s in all.",
                len(payments),
            )
            % {"count": len(payments), "total": yuan(total)},
            messages.SUCCESS,
        )
        left = len(ticked) - len(payments)
        if left > 0:
            self.message_user(
                request,
                ngettext(
                    "%(count)d ticked line was not recorded: its note says why.",
                    "%(count)d ticked lines were not recorded: their notes say why.",
                    left,
                )
                % {"count": left},
                messages.WARNING,
            )
