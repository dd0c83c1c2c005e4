from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from bulletin.models import Section

from .models import Frequency, Subscriber


class SectionsField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Section.objects.order_by("order", "id"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Sections"))
        kwargs.setdefault("help_text", _("Leave all unticked to get every section."))
        super().__init__(**kwargs)

    def label_from_instance(self, section: Section) -> str:
        if get_language() == "en" and section.english_name:
            return section.english_name
        return section.name


class SubscribeForm(forms.Form):
    """The public sign-up form; the address is confirmed by email before anything is sent."""

    email = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=[(Frequency.WEEKLY, _("Weekly")), (Frequency.MONTHLY, _("Monthly"))],
        initial=Frequency.WEEKLY,
        widget=forms.RadioSelect,
    )
    sections = SectionsField()
    # A field people do not see (hidden by the stylesheet) and robots fill in.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class SubscriptionPreferencesForm(forms.ModelForm):
    """A signed-in contact's frequency and sections (for the account page).

    Save it with ``digests.services.subscriber_update_preferences``, not
    ``form.save()``: the service also subscribes again an address that had
    unsubscribed.
    """

    sections = SectionsField()

    class Meta:
        model = Subscriber
        fields = ["frequency", "sections"]
        widgets = {"frequency": forms.RadioSelect}
        labels = {"frequency": _("How often")}


class PreviewForm(forms.Form):
    """The admin's choice of whose digest to preview."""

    email = forms.EmailField(label=_("Subscriber's email address"))

    def clean_email(self) -> Subscriber:
        email = self.cleaned_data["email"].strip().lower()
        subscriber = Subscriber.objects.filter(email=email).first()
        if subscriber is None:
            raise forms.ValidationError(_("No subscriber has this address."))
        return subscriber
