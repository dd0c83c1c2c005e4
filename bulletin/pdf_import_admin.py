"""The admin's 从 PDF 导入会刊: upload an issue's PDF, check the preview, confirm it.

Linked from the issue list for staff who may add and change both issues and
articles (PERMISSIONS). The upload page takes the PDF (checked by content, at
most 50 MB), the issue's year and number, optionally its title, publication
date and table of contents; the preview lists what the import would do
(``pdf_import.issue_plan``) and writes nothing but the waiting upload in the
private storage; the confirmation imports it (``pdf_import.issue_pdf_import``).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .parsing import BulletinFormatError, parse_toc
from .pdf_import import (
    PendingPdfGone,
    issue_pdf_import,
    issue_plan,
    pending_pdf_claim,
    pending_pdf_discard,
    pending_pdf_load,
    pending_pdf_save,
)
from .pdf_reading import PdfTextError, pdf_checked, pdf_text

PERMISSIONS = (
    "bulletin.add_issue",
    "bulletin.change_issue",
    "bulletin.add_article",
    "bulletin.change_article",
)
UPLOAD_TEMPLATE = "admin/bulletin/issue/import_pdf.html"
PREVIEW_TEMPLATE = "admin/bulletin/issue/import_pdf_preview.html"


class IssuePdfForm(forms.Form):
    pdf = forms.FileField(
        label=_("PDF of the issue"),
        help_text=_("The issue's PDF as the printer made it, with its text (not a scan)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )
    year = forms.IntegerField(label=_("year"), min_value=1990, max_value=2100)
    number = forms.IntegerField(
        label=_("number"), min_value=1, max_value=99, help_text=_("The number within the year.")
    )
    title = forms.CharField(
        label=_("title"),
        max_length=200,
        required=False,
        help_text=_("Left empty, the issue is called by its year and number, e.g. 2022年第11期."),
    )
    published_on = forms.DateField(
        label=_("published on"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        help_text=_("The articles are published at 08:00 that day; left empty, now."),
    )
    toc = forms.CharField(
        label=_("table of contents"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 90}),
        help_text=_(
            "Optional, one article a line: section, tab, title, and optionally tab and "
            "subtitle. It tells titles from bodies where the layout alone cannot."
        ),
    )

    def clean_pdf(self) -> bytes:
        return pdf_checked(self.cleaned_data["pdf"])

    def clean_toc(self) -> str:
        toc = self.cleaned_data["toc"]
        if toc.strip():
            try:
                parse_toc(toc)
            except BulletinFormatError as error:
                raise ValidationError(str(error), code="toc") from None
        return toc if toc.strip() else ""


class IssuePdfImport:
    """The two views, for the issue admin (``IssueAdmin.get_urls``)."""

    def __init__(self, model_admin) -> None:
        self.model_admin = model_admin
        self.opts = model_admin.model._meta

    def urls(self) -> list:
        view = self.model_admin.admin_site.admin_view
        return [
            path("import-pdf/", view(self.upload_view), name="bulletin_issue_import_pdf"),
            path(
                "import-pdf/confirm/",
                view(self.confirm_view),
                name="bulletin_issue_import_pdf_confirm",
            ),
        ]

    def _check(self, request) -> None:
        if not (request.user.is_active and request.user.has_perms(PERMISSIONS)):
            raise PermissionDenied

    def _context(self, request, **values) -> dict:
        return {
            **self.model_admin.admin_site.each_context(request),
            "opts": self.opts,
            "has_view_permission": True,
            **values,
        }

    def upload_view(self, request):
        self._check(request)
        form = IssuePdfForm(
            request.POST or None,
            request.FILES or None,
            initial={"year": timezone.localdate().year},
        )
        if request.method == "POST" and form.is_valid():
            values = form.cleaned_data
            try:
                text = pdf_text(values["pdf"])
                plan = issue_plan(
                    text=text, year=values["year"], number=values["number"], toc=values["toc"]
                )
            except PdfTextError as error:
                form.add_error("pdf", str(error))
            except BulletinFormatError as error:
                form.add_error(
                    None,
                    gettext(
                        "The PDF's text does not split into articles: %(error)s. "
                        "A table of contents helps where a title cannot be told from its body."
                    )
                    % {"error": error},
                )
            else:
                pending = pending_pdf_save(
                    pdf=values["pdf"],
                    text=text,
                    user=request.user,
                    year=values["year"],
                    number=values["number"],
                    title=values["title"],
                    published_on=values["published_on"],
                    toc=values["toc"],
                    filename=request.FILES["pdf"].name,
                )
                context = self._context(
                    request,
                    title=gettext("Check the import of %(issue)s")
                    % {"issue": f"{pending.year}年第{pending.number}期"},
                    plan=plan,
                    pending=pending,
                )
                return TemplateResponse(request, PREVIEW_TEMPLATE, context)
        context = self._context(request, title=gettext("Import an issue from its PDF"), form=form)
        return TemplateResponse(request, UPLOAD_TEMPLATE, context)

    def confirm_view(self, request):
        self._check(request)
        upload_url = reverse("admin:bulletin_issue_import_pdf")
        if request.method != "POST":
            return HttpResponseRedirect(upload_url)
        try:
            pending = pending_pdf_load(token=request.POST.get("token", ""), user=request.user)
        except PendingPdfGone:
            self.model_admin.message_user(
                request,
                gettext("This preview has expired or was already imported; upload the PDF again."),
                messages.ERROR,
            )
            return HttpResponseRedirect(upload_url)
        if "cancel" in request.POST:
            pending_pdf_discard(pending=pending)
            self.model_admin.message_user(
                request, gettext("The import was cancelled; nothing was saved."), messages.INFO
            )
            return HttpResponseRedirect(reverse("admin:bulletin_issue_changelist"))
        try:
            pending = pending_pdf_claim(pending=pending)
        except PendingPdfGone:
            self.model_admin.message_user(
                request,
                gettext("This preview is being imported already."),
                messages.WARNING,
            )
            return HttpResponseRedirect(reverse("admin:bulletin_issue_changelist"))
        try:
            result = issue_pdf_import(
                pdf=pending.pdf(),
                text=pending.text(),
                year=pending.year,
                number=pending.number,
                toc=pending.toc or None,
                title=pending.title,
                published_on=pending.published_on,
            )
        except PendingPdfGone:  # the waiting PDF is not the one previewed
            error = gettext("the uploaded file changed after the preview; upload it again.")
        except (BulletinFormatError, PdfTextError) as exc:
            error = str(exc)
        else:
            error = None
        if error is not None:
            pending_pdf_discard(pending=pending)
            self.model_admin.message_user(
                request, gettext("Nothing was saved: %(error)s") % {"error": error}, messages.ERROR
            )
            return HttpResponseRedirect(upload_url)
        pending_pdf_discard(pending=pending)
        self._report(request, result, pending)
        return HttpResponseRedirect(reverse("admin:bulletin_issue_change", args=[result.issue.pk]))

    def _report(self, request, result, pending) -> None:
        count = result.created + result.updated
        message = ngettext(
            "%(issue)s was imported from %(filename)s: %(count)d article "
            "(%(created)d new, %(updated)d updated).",
            "%(issue)s was imported from %(filename)s: %(count)d articles "
            "(%(created)d new, %(updated)d updated).",
            count,
        ) % {
            "issue": result.issue,
            "filename": pending.filename,
            "count": count,
            "created": result.created,
            "updated": result.updated,
        }
        if result.issue_created:
            self.model_admin.log_addition(request, result.issue, message)
        else:
            self.model_admin.log_change(request, result.issue, message)
        self.model_admin.message_user(request, message, messages.SUCCESS)
        if result.honours:
            self.model_admin.message_user(
                request,
                ngettext(
                    "%(count)d honour the articles report was recorded as unverified: "
                    "check it under Honours; it is shown only once verified.",
                    "%(count)d honours the articles report were recorded as unverified: "
                    "check them under Honours; they are shown only once verified.",
                    len(result.honours),
                )
                % {"count": len(result.honours)},
                messages.WARNING,
            )
        if not result.cover:
            self.model_admin.message_user(
                request,
                gettext(
                    "The cover could not be made from the PDF's first page; "
                    "upload one on this page."
                ),
                messages.WARNING,
            )
