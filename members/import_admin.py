"""Importing members in the back office: upload → preview → confirm, all or nothing.

The upload is kept in the private storage between the preview and the
confirmation, named by a random key the form carries signed (never a path
the browser chooses); the confirmation reads it again, previews it again and
writes all of it or nothing (``members.importing.import_apply``), then
deletes it. An upload left unconfirmed expires after IMPORT_MAX_AGE.
"""

import secrets

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from config.private_files import private_storage
from portal.audit import Source, audit_source
from portal.import_uploads import PendingUploads
from portal.import_uploads import safe_suffix as _safe_suffix

from . import importing

IMPORT_MAX_AGE = 6 * 3600
SALT = "members.import_admin.upload"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class MemberImportForm(forms.Form):
    file = forms.FileField(
        label=_("Member list (Excel .xlsx or CSV)"),
        help_text=_("At most 10 MB. CSV may be UTF-8 or GBK, as Chinese Excel saves it."),
    )
    sheet = forms.CharField(
        label=_("Worksheet"),
        required=False,
        max_length=100,
        help_text=_("Leave empty for the first worksheet."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > importing.MAX_BYTES:
            raise forms.ValidationError(
                gettext("The file is larger than %(limit)d MB.")
                % {"limit": importing.MAX_BYTES // (1024 * 1024)}
            )
        return upload


# The upload kept between the preview and the confirmation (portal.import_uploads).
UPLOADS = PendingUploads("members", salt=SALT, max_age=IMPORT_MAX_AGE)
_stored_name = UPLOADS.stored_name
_open_upload = UPLOADS.open


class MemberImportMixin:
    """Adds 导入会员 and 下载导入模板 to the company list (CompanyAdmin)."""

    change_list_template = "admin/members/company/change_list.html"

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
        return request.user.has_perm("members.add_company") and request.user.has_perm(
            "members.change_company"
        )

    def import_template_view(self, request):
        if not self._may_import(request):
            raise PermissionDenied
        response = HttpResponse(importing.members_template_xlsx(), content_type=XLSX)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename="会员导入模板.xlsx"
        )
        return response

    def import_view(self, request):
        if not self._may_import(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Import members"),
            "template_url": reverse("admin:members_company_import_template"),
        }
        if request.method == "POST" and "token" in request.POST:
            return self._confirm(request, context)
        form = MemberImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read()
            sheet = form.cleaned_data["sheet"].strip() or None
            try:
                rows = importing.read_rows(content, sheet=sheet)
                preview = importing.import_preview(rows)
            except importing.ImportFileError as error:
                form.add_error("file", str(error))
            else:
                key = secrets.token_urlsafe(16) + "-" + _safe_suffix(upload.name)
                private_storage().save(_stored_name(key), ContentFile(content))
                context |= {
                    "preview": preview,
                    "file_name": upload.name,
                    "token": signing.dumps({"key": key, "sheet": sheet or ""}, salt=SALT),
                    "shown_rows": _shown(preview),
                }
                return TemplateResponse(
                    request, "admin/members/company/import_preview.html", context
                )
        context["form"] = form
        return TemplateResponse(request, "admin/members/company/import.html", context)

    def _confirm(self, request, context):
        key, content, sheet = _open_upload(request.POST["token"])
        name = _stored_name(key)
        try:
            rows = importing.read_rows(content, sheet=sheet or None)
            preview = importing.import_preview(rows)
            with audit_source(Source.IMPORT):
                result = importing.import_apply(preview, by=request.user)
        except (importing.ImportFileError, importing.ImportRefused) as error:
            self.message_user(request, str(error), messages.ERROR)
            return redirect("admin:members_company_import")
        private_storage().delete(name)
        self.message_user(
            request,
            gettext(
                "Imported at %(time)s: %(created)d new, %(updated)d changed, "
                "%(unchanged)d unchanged companies."
            )
            % {
                "time": timezone.localtime().strftime("%H:%M"),
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
            messages.SUCCESS,
        )
        return redirect("admin:members_company_changelist")


def _shown(preview) -> list:
    """The rows worth a look first: errors, then new and changed; unchanged ones are counted."""
    order = {"error": 0, "new": 1, "changed": 2}
    return sorted(
        (row for row in preview.rows if str(row.status) != "unchanged"),
        key=lambda row: (order.get(str(row.status), 3), row.row),
    )[:1000]
