"""Importing honours in the back office: upload → preview → confirm, all or nothing.

The member import's way (members.import_admin) for a list of honours
(awards.importing): the upload is kept in the private storage between the
preview and the confirmation (portal.import_uploads), and the confirmation
reads it again, previews it again and writes all of it or nothing
(``honours_apply``), then deletes it. The signed token also carries a digest
of what the preview said each row would do: when the new preview says
otherwise (an honour recorded, an award or a company renamed in between),
nothing is written and the file is to be previewed again.

Companies are never created: a row naming no member company is an error.
The new honours are verified (shown on the public /honours/ page) only when
the box is ticked at the confirmation, as ``import_honours --verified``.
"""

import hashlib
import json

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from members.import_admin import MemberImportForm
from members.importing import CREDIT_CODE, SAMPLE_CREDIT_CODE, ImportFileError, ImportRefused
from portal.audit import Source, audit_source
from portal.import_uploads import PendingUploads
from portal.spreadsheets import xlsx_response

from . import importing
from .models import Honour

UPLOADS = PendingUploads("honours", salt="awards.import_admin.upload")
SHOWN_ROWS = 1000
STATUS_ORDER = {"error": 0, "new": 1, "unchanged": 2}
TEMPLATE_SAMPLE = {
    importing.AWARD: "浙江省科学技术进步奖",
    importing.YEAR: 2022,
    importing.NAME: "浙江示例仪表有限公司",
    CREDIT_CODE: SAMPLE_CREDIT_CODE,
    importing.GRADE: "一等奖",
    importing.DOCUMENT_NUMBER: "浙政发〔2023〕5号",
    importing.PROJECT: "智能电磁流量计",
}


class HonourImportForm(MemberImportForm):
    file = forms.FileField(
        label=_("List of honours (Excel .xlsx or CSV)"),
        help_text=MemberImportForm.base_fields["file"].help_text,
    )


class HonourConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
    verified = forms.BooleanField(
        label=_("Mark the new honours as verified"),
        required=False,
        help_text=_(
            "Verified honours are shown on the public honours page. Leave it unticked to "
            "check them in the list of honours first and mark them there."
        ),
    )


def preview_digest(preview: importing.HonoursPreview) -> str:
    """What the preview says each row does, in a few characters the token can carry."""
    summary = [
        [row, str(status), award, company] for row, status, award, company in preview.summary()
    ]
    return hashlib.sha256(json.dumps(summary).encode()).hexdigest()[:32]


def preview_lines(preview: importing.HonoursPreview) -> list[dict]:
    """Each row with what the page shows of its company: errors first, then new, then the rest."""
    lines = []
    for row, raw in zip(preview.rows, preview.raw_rows, strict=True):
        given = row.company_name or raw.text(CREDIT_CODE)
        lines.append({"row": row, "given": given, "unmatched": bool(given) and not row.company})
    lines.sort(key=lambda line: (STATUS_ORDER.get(str(line["row"].status), 3), line["row"].row))
    return lines


class HonourImportMixin:
    """Adds 导入荣誉 and 下载导入模板 to the list of honours (HonourAdmin)."""

    change_list_template = "admin/awards/honour/change_list.html"

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name=f"{prefix}_import",
            ),
            path(
                "import/template/",
                self.admin_site.admin_view(self.import_template_view),
                name=f"{prefix}_import_template",
            ),
            *super().get_urls(),
        ]

    def _may_import(self, request) -> bool:
        return request.user.has_perm("awards.add_honour") and request.user.has_perm(
            "awards.change_honour"
        )

    def import_template_view(self, request):
        if not self._may_import(request):
            raise PermissionDenied
        return xlsx_response(
            filename="荣誉导入模板.xlsx",
            title="获奖名单",
            headers=importing.HONOUR_COLUMNS,
            rows=[[TEMPLATE_SAMPLE[column] for column in importing.HONOUR_COLUMNS]],
        )

    def import_view(self, request):
        if not self._may_import(request):
            raise PermissionDenied
        if request.method == "POST" and "token" in request.POST:
            return self._confirm(request)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Import honours"),
            "template_url": reverse("admin:awards_honour_import_template"),
        }
        form = HonourImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read()
            sheet = form.cleaned_data["sheet"].strip()
            try:
                rows = importing.read_honour_rows(content, sheet=sheet or None)
                preview = importing.honours_preview(rows)
            except ImportFileError as error:
                form.add_error("file", str(error))
            else:
                return self._preview(request, context, preview, upload.name, content, sheet)
        context["form"] = form
        return TemplateResponse(request, "admin/awards/honour/import.html", context)

    def _preview(self, request, context, preview, file_name: str, content: bytes, sheet: str):
        lines = preview_lines(preview)
        confirm_form = None
        if not preview.has_errors and preview.created:
            # Kept only when there is something to confirm.
            token = UPLOADS.keep(
                content, file_name=file_name, sheet=sheet, preview=preview_digest(preview)
            )
            confirm_form = HonourConfirmForm(initial={"token": token})
        context |= {
            "preview": preview,
            "file_name": file_name,
            "unmatched": sum(line["unmatched"] for line in lines),
            "lines": lines[:SHOWN_ROWS],
            "hidden_rows": max(0, len(lines) - SHOWN_ROWS),
            "columns": [
                capfirst(Honour._meta.get_field(name).verbose_name)
                for name in ("company", "award", "year", "grade", "document_number")
            ],
            "confirm_form": confirm_form,
        }
        return TemplateResponse(request, "admin/awards/honour/import_preview.html", context)

    def _confirm(self, request):
        token = request.POST["token"]
        key, content, sheet = UPLOADS.open(token)  # PermissionDenied for a forged token
        seen = UPLOADS.token_data(token).get("preview")
        form = HonourConfirmForm(request.POST)
        verified = form.is_valid() and form.cleaned_data["verified"]
        try:
            rows = importing.read_honour_rows(content, sheet=sheet or None)
            preview = importing.honours_preview(rows)
            if preview_digest(preview) != seen:
                raise ImportRefused(
                    gettext("The honours changed since the preview: preview the file again.")
                )
            with audit_source(Source.IMPORT):
                result = importing.honours_apply(preview, by=request.user, verified=verified)
        except IntegrityError:  # the same honours written by a confirmation at the same time
            error = gettext("The honours changed since the preview: preview the file again.")
        except (ImportFileError, ImportRefused) as refused:
            error = str(refused)
        else:
            error = None
        UPLOADS.discard(key)
        if error is not None:
            self.message_user(request, error, messages.ERROR)
            return redirect("admin:awards_honour_import")
        self.message_user(
            request,
            gettext(
                "Imported at %(time)s: %(created)d new honours, %(unchanged)d already "
                "recorded, %(awards)d new awards."
            )
            % {
                "time": timezone.localtime().strftime("%H:%M"),
                "created": result.created,
                "unchanged": result.unchanged,
                "awards": result.awards_created,
            },
            messages.SUCCESS,
        )
        changelist = reverse("admin:awards_honour_changelist")
        if verified:
            self.message_user(
                request,
                gettext("The new honours are verified and shown on the public honours page."),
                messages.INFO,
            )
            return redirect(changelist)
        self.message_user(
            request,
            gettext(
                "The new honours are not verified yet: check them here and mark them as "
                "verified to show them on the public honours page."
            ),
            messages.WARNING,
        )
        return redirect(f"{changelist}?verified__exact=0")
