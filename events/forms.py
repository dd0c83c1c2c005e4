"""The form a contact registers colleagues for an event with."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import validate_phone

from .services import Attendee


class AttendeeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    title = forms.CharField(label=_("Job title"), max_length=100, required=False)
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=40,
        required=False,
        validators=[validate_phone],
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    email = forms.EmailField(label=_("Email address"))

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class BaseAttendeeFormSet(forms.BaseFormSet):
    """Rows left empty are skipped; one email address appears once."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            email = form.cleaned_data.get("email")
            if not email:
                continue
            if email in seen:
                form.add_error("email", _("This address is already in another row."))
            seen.add(email)

    def attendees(self) -> list[Attendee]:
        return [
            Attendee(
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                title=form.cleaned_data.get("title", ""),
                phone=form.cleaned_data.get("phone", ""),
            )
            for form in self.forms
            if form.has_changed() and form.cleaned_data
        ]


def attendee_formset(rows: int):
    """A formset class with ``rows`` rows, at least one of them filled in."""
    return forms.formset_factory(
        AttendeeForm,
        formset=BaseAttendeeFormSet,
        extra=max(rows - 1, 0),
        min_num=1,
        validate_min=True,
        max_num=rows,
        validate_max=True,
    )
