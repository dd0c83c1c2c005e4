from django import forms
from django.utils.translation import gettext_lazy as _

from members.credit_code import validate_credit_code

from .models import InvoiceKind


class InvoiceRequestForm(forms.Form):
    """A contact's request for a 发票, prefilled from the company (name, credit code)."""

    kind = forms.ChoiceField(
        label=_("Invoice type"),
        choices=InvoiceKind.choices,
        initial=InvoiceKind.ORDINARY,
        widget=forms.RadioSelect,
    )
    title = forms.CharField(label=_("Invoice title (抬头)"), max_length=200)
    tax_number = forms.CharField(
        label=_("Taxpayer number"),
        max_length=18,
        min_length=15,
        help_text=_("Usually the unified social credit code, 18 characters."),
    )
    email = forms.EmailField(label=_("Email for the e-invoice"), max_length=254)
    address_phone = forms.CharField(
        label=_("Address and phone"),
        max_length=300,
        required=False,
        help_text=_("Needed for a special invoice."),
    )
    bank_account = forms.CharField(
        label=_("Bank and account"),
        max_length=300,
        required=False,
        help_text=_("Needed for a special invoice."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def clean_tax_number(self):
        value = self.cleaned_data["tax_number"].strip().upper()
        if len(value) == 18:
            validate_credit_code(value)
        return value

    def clean(self):
        data = super().clean()
        if data.get("kind") == InvoiceKind.SPECIAL:
            for name in ("address_phone", "bank_account"):
                if not (data.get(name) or "").strip():
                    self.add_error(name, _("A special invoice needs this."))
        return data
