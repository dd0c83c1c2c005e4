"""Forms of the membership application and of a contact's company profile."""

import copy

from django import forms
from django.utils.dateparse import parse_datetime
from django.utils.timezone import is_aware
from django.utils.translation import gettext_lazy as _

from accounts.forms import validate_phone
from portal.templatetags.portal import localized
from portal.widgets import Select

from . import profile_fields
from .models import Application, City, Company, ProfileChange
from .uploads import checked_licence, checked_logo

FILE_KEPT_NOTE = _("Files are not kept when a form has errors: please choose the file again.")


def _city_and_industry_choices(form: forms.ModelForm) -> None:
    """Prompts in the page's language for the empty choices (Django shows "- Select an
    option -" and "---------"), and industries under their English names on English pages."""
    city, industry = form.fields["city"], form.fields["industry"]
    city.choices = [("", _("Choose a city")), *City.choices]
    industry.empty_label = _("Choose an industry")
    industry.label_from_instance = localized


class CreditCodeFormField(forms.CharField):
    """The credit code as typed, without spaces and in capitals, before it is validated."""

    def to_python(self, value):
        value = super().to_python(value)
        return "".join(value.split()).upper() if value else value


class ApplicationForm(forms.ModelForm):
    """The public membership application (/join/)."""

    business_licence = forms.FileField(
        label=_("Business licence"),
        help_text=_("A PDF file or a JPG or PNG image, at most 10 MB."),
        widget=forms.FileInput(
            attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}
        ),
    )
    # A field people do not see (hidden by the stylesheet, out of the tab
    # order and from screen readers) and robots fill in.
    fax = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = Application
        fields = [
            "company_name",
            "short_name",
            "credit_code",
            "city",
            "industry",
            "address",
            "website",
            "introduction",
            "contact_name",
            "contact_title",
            "contact_email",
            "contact_phone",
        ]
        field_classes = {"credit_code": CreditCodeFormField}
        widgets = {
            "introduction": forms.Textarea(attrs={"rows": 5}),
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "contact_phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "contact_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "company_name": forms.TextInput(attrs={"autocomplete": "organization"}),
            "city": Select,
            "industry": Select,
        }
        help_texts = {
            "credit_code": _("18 characters, as printed on the business licence."),
            "introduction": _("What the company makes or does, in a few sentences."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_phone"].validators.append(validate_phone)
        self.fields["industry"].required = False
        _city_and_industry_choices(self)

    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("fax"))

    def clean_company_name(self) -> str:
        name = self.cleaned_data["company_name"].strip()
        if Company.objects.filter(name=name).exists():
            raise forms.ValidationError(
                _(
                    "This company is already a member. Ask your company's contact to sign in, "
                    "or write to the secretariat."
                ),
                code="member",
            )
        return name

    def clean_credit_code(self) -> str:
        code = self.cleaned_data["credit_code"]
        if Company.objects.filter(credit_code=code).exists():
            raise forms.ValidationError(
                _("A member company already has this credit code."), code="member"
            )
        pending = Application.objects.filter(
            credit_code=code,
            status__in=[Application.Status.SUBMITTED, Application.Status.UNDER_REVIEW],
        )
        if pending.exists():
            raise forms.ValidationError(
                _(
                    "An application with this credit code is already being reviewed; "
                    "the secretariat will write to you."
                ),
                code="pending",
            )
        return code

    def clean_contact_email(self) -> str:
        return self.cleaned_data["contact_email"].strip().lower()

    def clean_business_licence(self):
        upload = self.cleaned_data.get("business_licence")
        return checked_licence(upload) if upload else upload

    def application_data(self) -> dict:
        """The Application fields, for ``members.services.application_submit``."""
        return {name: self.cleaned_data[name] for name in self._meta.fields}


def _timestamp(value: str):
    """``value`` as an aware datetime, or None when it is not an ISO 8601 timestamp with offset."""
    try:
        moment = parse_datetime(value)
    except ValueError:  # the right shape but no such moment, as "2026-13-45T00:00"
        return None
    return moment if moment is not None and is_aware(moment) else None


class SeenField(forms.Field):
    """The company's ``updated_at`` when the form was shown, in a hidden input.

    The form only ever puts an ISO 8601 timestamp here; anything else (a
    damaged or hand-made form) is refused, and the form is shown again with
    the current timestamp, so that sending it again works.
    """

    widget = forms.HiddenInput
    default_error_messages = {
        "invalid": _(
            "This form was damaged, so it cannot be checked against your company's current "
            "profile. What you entered is kept below: please check it and send the form again."
        ),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        moment = _timestamp(value) if isinstance(value, str) else None
        if moment is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return moment

    def bound_data(self, data, initial):
        return data if isinstance(data, str) and _timestamp(data) else initial


class PendingField(forms.Field):
    """Which change awaiting review the form showed: ``"<id>@<submitted_at>"``, empty for none.

    Cleaned to ``(id, submitted_at)`` or None, as ``profile_change_edit`` takes it;
    a damaged value is refused like a damaged timestamp (SeenField).
    """

    widget = forms.HiddenInput
    default_error_messages = SeenField.default_error_messages

    def to_python(self, value):
        if value in self.empty_values:
            return None
        pk, _at, moment = str(value).partition("@")
        moment = _timestamp(moment)
        if not (pk.isascii() and pk.isdigit()) or moment is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return int(pk), moment

    def bound_data(self, data, initial):
        try:
            self.to_python(data)
        except forms.ValidationError:
            return initial
        return data


def pending_token(change: ProfileChange | None) -> str:
    return f"{change.pk}@{change.submitted_at.isoformat()}" if change is not None else ""


class CompanyProfileForm(forms.ModelForm):
    """A contact's edit of the public profile; saved as a ProfileChange, never to the company.

    The form works on a copy of the company, so that validating it (which
    writes the values into the instance) leaves the company untouched. With
    a ``pending`` change (awaiting review), it shows that change's values,
    to be amended.
    """

    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Plain text; leave a blank line between paragraphs. If you leave it unchanged, "
            "its present formatting stays."
        ),
    )
    logo = forms.FileField(
        label=_("New logo"),
        required=False,
        help_text=_("A PNG or JPEG image, at most 2 MB and 4096 × 4096 pixels."),
        widget=forms.FileInput(attrs={"accept": ".png,.jpg,.jpeg,image/png,image/jpeg"}),
    )
    discard_logo = forms.BooleanField(
        label=_("Keep the present logo: withdraw the new one sent for review"),
        required=False,
    )
    # The company's updated_at when the form was shown (see profile_change_submit).
    seen = SeenField(required=False)
    # The change awaiting review that the form showed (see profile_change_edit).
    pending = PendingField(required=False)

    class Meta:
        model = Company
        fields = [name for name in profile_fields.EDITABLE_FIELDS if name != "description"]
        widgets = {
            "founded_year": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "city": Select,
            "industry": Select,
        }

    def __init__(self, *args, company: Company, pending: ProfileChange | None = None, **kwargs):
        self.company = company
        self.pending = pending
        kwargs["instance"] = copy.copy(company)
        initial = {
            "description": profile_fields.description_as_text(company.description),
            "seen": company.updated_at.isoformat(),
            "pending": pending_token(pending),
        }
        for name, value in self._pending_values().items():
            initial[name] = (
                profile_fields.description_as_text(value) if name == "description" else value
            )
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        _city_and_industry_choices(self)
        if not (pending and pending.new_logo):
            del self.fields["discard_logo"]

    def _pending_values(self) -> dict:
        """The new values of the change awaiting review, by field, as it stores them."""
        if self.pending is None:
            return {}
        return {
            name: values.get("new")
            for name, values in self.pending.changes.items()
            if name in profile_fields.EDITABLE_FIELDS and isinstance(values, dict)
        }

    def clean_description(self) -> str:
        text = self.cleaned_data.get("description", "")
        if profile_fields.same_description_text(text, self.company.description):
            return self.company.description
        pending = self._pending_values().get("description")
        if pending is not None and profile_fields.same_description_text(text, pending):
            return pending
        return profile_fields.description_from_text(text)

    def clean_logo(self):
        upload = self.cleaned_data.get("logo")
        return checked_logo(upload) if upload else None

    def clean(self):
        cleaned_data = super().clean()
        # The hidden fields' errors are the form's, shown above the fields.
        for name in ("seen", "pending"):
            if name in self.errors:
                errors = self.errors.pop(name).as_data()
                if not self.non_field_errors():  # both say the form was damaged: once
                    self.add_error(None, errors)
        return cleaned_data

    def profile_data(self) -> dict:
        """The edited public fields, for ``members.services.profile_change_submit``."""
        return {name: self.cleaned_data[name] for name in profile_fields.EDITABLE_FIELDS}

    def save(self, commit=True):  # pragma: no cover - a guard, not a feature
        raise NotImplementedError("Submit with members.services.profile_change_submit")
