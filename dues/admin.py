"""The secretariat's dues office: fees, the year's bills with totals, payments and 发票.

Only staff with the dues permissions see any of it (Django's model permissions;
the 财务 group of the back-office issue gets them).
"""

from datetime import date

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from portal.admin_exports import XlsxExportMixin

from . import selectors, services
from .models import (
    BillStatus,
    DuesBill,
    FeeSchedule,
    InvoiceRequest,
    Payment,
)
from .templatetags.money import yuan
from .views import receipt_response

PDF_MAX_BYTES = 10 * 1024 * 1024


@admin.register(FeeSchedule)
class FeeScheduleAdmin(admin.ModelAdmin):
    list_display = ("term", "role", "amount_display")
    list_filter = ("term",)
    ordering = ("-term__ordinal", "role")

    @admin.display(description=_("annual amount (yuan)"), ordering="amount")
    def amount_display(self, fee):
        return yuan(fee.amount)


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return BillStatus.choices

    def queryset(self, request, queryset):
        if self.value() in BillStatus.values:
            return queryset.filter(status_value=self.value())
        return queryset


class YearFilter(admin.SimpleListFilter):
    """The year's bills by default: the secretariat works one dues year at a time."""

    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = DuesBill.objects.order_by("-year").values_list("year", flat=True).distinct()
        return [(str(year), str(year)) for year in years] + [("all", _("All years"))]

    def value(self):
        value = super().value()
        return value if value is not None else str(timezone.localdate().year)

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value()
        if value == "all":
            return queryset
        try:
            return queryset.filter(year=int(value))
        except ValueError:
            return queryset.none()


class PaymentInline(admin.TabularInline):
    model = Payment
    fields = ("receipt_link", "amount", "method", "reference", "paid_on", "recorded_by")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("receipt"))
    def receipt_link(self, payment):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:dues_payment_receipt", args=[payment.pk]),
            payment.receipt_number,
        )


class WaiveForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the waiver"), max_length=300)


class BillsCreateForm(forms.Form):
    year = forms.IntegerField(label=_("Dues year"), min_value=2000, max_value=2100)
    due_on = forms.DateField(
        label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


@admin.register(DuesBill)
class DuesBillAdmin(XlsxExportMixin, admin.ModelAdmin):
    list_display = (
        "company",
        "status_display",
        "amount_display",
        "paid_display",
        "outstanding_display",
        "due_on",
        "role",
        "year",
    )
    list_filter = (YearFilter, StatusFilter, "role", "company__city")
    search_fields = ("company__name", "company__short_name", "company__credit_code")
    list_select_related = ("company",)
    actions = ("send_reminder_now", "waive", "export_xlsx")
    inlines = (PaymentInline,)
    fields = (
        "company",
        "year",
        "role",
        "standard_amount",
        "amount",
        "due_on",
        "waived",
        "adjustment_reason",
        "record_payment_link",
    )
    readonly_fields = ("company", "year", "role", "standard_amount", "record_payment_link")
    change_list_template = "admin/dues/duesbill/change_list.html"
    export_columns = (
        (pgettext_lazy("dues bill", "year"), "year"),
        (_("company name"), "company__name"),
        "company__credit_code",
        "company__city",
        (pgettext_lazy("dues bill", "role"), "role"),
        "standard_amount",
        "amount",
        (_("received"), lambda bill: bill.paid()),
        (_("still due"), lambda bill: bill.outstanding()),
        "due_on",
        "status_display",
        "adjustment_reason",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).with_paid()

    def has_add_permission(self, request):
        return False  # bills are made for a year at once ("Create the year's bills")

    def has_delete_permission(self, request, obj=None):
        return False  # a bill with its history stays; waive it instead

    @admin.display(description=_("amount due"), ordering="amount")
    def amount_display(self, bill):
        return yuan(bill.amount)

    @admin.display(description=_("received"), ordering="paid_total")
    def paid_display(self, bill):
        return yuan(bill.paid())

    @admin.display(description=_("still due"))
    def outstanding_display(self, bill):
        return yuan(bill.outstanding())

    @admin.display(description=_("status"), ordering="status_value")
    def status_display(self, bill):
        return bill.get_status_display()

    @admin.display(description=_("payments"))
    def record_payment_link(self, bill):
        if not bill.pk or bill.waived or bill.outstanding() <= 0:
            return "—"
        return format_html(
            '<a class="button" href="{}?bill={}">{}</a>',
            reverse("admin:dues_payment_add"),
            bill.pk,
            gettext("Record a payment"),
        )

    def get_urls(self):
        return [
            path(
                "create/",
                self.admin_site.admin_view(self.create_view),
                name="dues_duesbill_create",
            ),
            *super().get_urls(),
        ]

    def create_view(self, request):
        """Make the year's bills: a preview with the count and total, then a confirmation."""
        if not request.user.has_perm("dues.add_duesbill"):
            raise PermissionDenied
        today = timezone.localdate()
        form = BillsCreateForm(
            request.POST or None, initial={"year": today.year, "due_on": date(today.year, 3, 31)}
        )
        plan = None
        if request.method == "POST" and form.is_valid():
            year, due_on = form.cleaned_data["year"], form.cleaned_data["due_on"]
            try:
                if "confirm" in request.POST:
                    bills = services.dues_bills_create(year=year, due_on=due_on)
                    self.message_user(
                        request,
                        ngettext(
                            "%(count)d bill made for %(year)d; its dues notice is on its way.",
                            "%(count)d bills made for %(year)d; their dues notices are on "
                            "their way.",
                            len(bills),
                        )
                        % {"count": len(bills), "year": year},
                        messages.SUCCESS,
                    )
                    return redirect(f"{reverse('admin:dues_duesbill_changelist')}?year={year}")
                plan = services.dues_bills_plan(year=year, due_on=due_on)
            except services.DuesError as error:
                form.add_error(None, error)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Create the year's bills"),
            "form": form,
            "plan": plan,
        }
        return TemplateResponse(request, "admin/dues/duesbill/create.html", context)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            year = YearFilter(request, {}, DuesBill, self).value()
            response.context_data["totals"] = selectors.year_totals(
                int(year) if year.isascii() and year.isdigit() else 0,
                bills=changelist.queryset.order_by(),
            )
            response.context_data["year_label"] = year
        return response

    @admin.action(description=_("Send a reminder now"), permissions=["change"])
    def send_reminder_now(self, request, queryset):
        count = services.dues_reminder_send_now(bills=list(queryset))
        self.message_user(
            request,
            ngettext(
                "%(count)d reminder queued (settled bills get none).",
                "%(count)d reminders queued (settled bills get none).",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Waive the selected bills"), permissions=["change"])
    def waive(self, request, queryset):
        form = WaiveForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            count = services.bills_waive(bills=list(queryset), reason=form.cleaned_data["reason"])
            self.message_user(
                request,
                ngettext("%(count)d bill waived.", "%(count)d bills waived.", count)
                % {"count": count},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Waive the selected bills"),
            "form": form,
            "bills": queryset,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/dues/duesbill/waive.html", context)


class PaymentForm(forms.ModelForm):
    class Meta:
        model = Payment
        fields = ("bill", "amount", "method", "reference", "paid_on")
        widgets = {"paid_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean(self):
        data = super().clean()
        bill, amount = data.get("bill"), data.get("amount")
        if bill and amount and data.get("method") and data.get("paid_on"):
            try:
                services.payment_check(
                    bill=bill, amount=amount, method=data["method"], paid_on=data["paid_on"]
                )
            except services.DuesError as error:
                raise forms.ValidationError(error.messages) from None
        return data

    def _post_clean(self):
        pass  # the receipt number is given by payment_record, not by the form's model check


@admin.register(Payment)
class PaymentAdmin(XlsxExportMixin, admin.ModelAdmin):
    form = PaymentForm
    list_display = (
        "receipt_number_display",
        "company",
        "amount_display",
        "method",
        "paid_on",
        "recorded_by",
        "invoice_state",
        "receipt_link",
    )
    list_filter = ("receipt_year", "method", "bill__year")
    search_fields = ("bill__company__name", "reference", "=receipt_sequence")
    list_select_related = ("bill__company", "recorded_by", "invoice_request")
    autocomplete_fields = ("bill",)
    actions = ("export_xlsx",)
    date_hierarchy = "paid_on"
    export_title = _("Dues payments")
    export_columns = (
        (_("receipt number"), "receipt_number_display"),
        (_("company name"), "bill__company__name"),
        "bill__company__credit_code",
        (_("Dues year"), "bill__year"),
        "amount",
        "method",
        (_("Bank reference"), "reference"),
        "paid_on",
        (_("recorded by"), "recorded_by__name"),
        "recorded_at",
        "invoice_state",
    )

    def get_readonly_fields(self, request, obj=None):
        # A recorded payment has a receipt: it is not edited afterwards. The key of the
        # bank statement line it came from is shown by statement_line.
        if obj is None:
            return []
        return [
            "statement_line" if field.name == "statement_key" else field.name
            for field in Payment._meta.fields
        ]

    @admin.display(description=_("bank statement line"))
    def statement_line(self, payment: Payment) -> str:
        key = payment.statement_key
        return format_html("<code>{}</code>", key) if key else "-"

    def has_delete_permission(self, request, obj=None):
        return False  # receipt numbers never leave a gap

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("paid_on", timezone.localdate())
        bill_id = request.GET.get("bill", "")
        if bill_id.isascii() and bill_id.isdigit():
            bill = DuesBill.objects.with_paid().filter(pk=int(bill_id)).first()
            if bill is not None:
                initial["amount"] = bill.outstanding()
        return initial

    def save_model(self, request, obj, form, change):
        if change:
            return
        payment = services.payment_record(
            bill=form.cleaned_data["bill"],
            amount=form.cleaned_data["amount"],
            method=form.cleaned_data["method"],
            paid_on=form.cleaned_data["paid_on"],
            reference=form.cleaned_data.get("reference", ""),
            by=request.user,
        )
        # The admin goes on with ``obj`` (its log entry, the redirect): make it the payment.
        obj.__dict__.update({k: v for k, v in payment.__dict__.items() if k != "_state"})
        obj._state.adding = False

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request,
            gettext("Payment recorded with receipt %(number)s.") % {"number": obj.receipt_number},
            messages.SUCCESS,
        )
        return redirect(reverse("admin:dues_duesbill_change", args=[obj.bill_id]))

    @admin.display(description=_("receipt"), ordering="receipt_sequence")
    def receipt_number_display(self, payment):
        return payment.receipt_number

    @admin.display(description=_("company"), ordering="bill__company__name")
    def company(self, payment):
        return payment.bill.company

    @admin.display(description=_("amount (yuan)"), ordering="amount")
    def amount_display(self, payment):
        return yuan(payment.amount)

    @admin.display(description=_("invoice"))
    def invoice_state(self, payment):
        request = getattr(payment, "invoice_request", None)
        return request.get_status_display() if request else "—"

    @admin.display(description=_("receipt PDF"))
    def receipt_link(self, payment):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:dues_payment_receipt", args=[payment.pk]),
            gettext("Download"),
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/receipt/",
                self.admin_site.admin_view(self.receipt_view),
                name="dues_payment_receipt",
            ),
            *super().get_urls(),
        ]

    def receipt_view(self, request, pk: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        payment = (
            Payment.objects.select_related("bill__company", "recorded_by").filter(pk=pk).first()
        )
        if payment is None:
            raise PermissionDenied
        return receipt_response(payment)


class InvoiceIssueForm(forms.ModelForm):
    class Meta:
        model = InvoiceRequest
        fields = ("invoice_number", "invoice_pdf")

    def clean_invoice_number(self):
        number = self.cleaned_data["invoice_number"].strip()
        if not number:
            raise forms.ValidationError(gettext("Enter the invoice number."))
        return number

    def clean_invoice_pdf(self):
        upload = self.cleaned_data.get("invoice_pdf")
        if (
            upload
            and hasattr(upload, "size")
            and upload.size is not None
            and not hasattr(upload, "storage")
        ):
            if upload.size > PDF_MAX_BYTES:
                raise forms.ValidationError(gettext("The file is larger than 10 MB."))
            head = upload.read(5)
            upload.seek(0)
            if head != b"%PDF-":
                raise forms.ValidationError(gettext("This file is not a PDF."))
        return upload


@admin.register(InvoiceRequest)
class InvoiceRequestAdmin(admin.ModelAdmin):
    form = InvoiceIssueForm
    list_display = (
        "title",
        "kind",
        "payment",
        "requested_by",
        "requested_at",
        "status",
        "invoice_number",
    )
    list_filter = ("status", "kind")
    search_fields = ("title", "tax_number", "invoice_number", "payment__bill__company__name")
    list_select_related = ("payment", "requested_by__user")
    readonly_fields = (
        "payment",
        "requested_by",
        "requested_at",
        "kind",
        "title",
        "tax_number",
        "email",
        "address_phone",
        "bank_account",
        "note",
        "status",
        "issued_at",
        "issued_by",
    )
    fieldsets = (
        (
            _("Request"),
            {
                "fields": (
                    "payment",
                    "requested_by",
                    "requested_at",
                    "kind",
                    "title",
                    "tax_number",
                    "email",
                    "address_phone",
                    "bank_account",
                    "note",
                )
            },
        ),
        (
            _("Issued in the tax system"),
            {"fields": ("invoice_number", "invoice_pdf", "status", "issued_at", "issued_by")},
        ),
    )

    def has_add_permission(self, request):
        return False  # contacts ask from /account/dues/

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.invoice_mark_issued(
            request=obj,
            invoice_number=form.cleaned_data["invoice_number"],
            pdf=form.cleaned_data.get("invoice_pdf")
            if "invoice_pdf" in form.changed_data
            else None,
            by=request.user,
        )


from . import statement_admin  # noqa: E402, F401
