"""Forms of the email-login user (Django's auth forms for ``accounts.User``) and of contacts."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import forms as auth_forms
from django.core.validators import MaxLengthValidator, RegexValidator
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .models import User

validate_phone = RegexValidator(
    r"^\+?[0-9][0-9 ()\-]{4,38}$",
    _("Enter a phone number: digits, with spaces, hyphens or brackets if you like."),
    code="phone",
)


class UserCreationForm(auth_forms.UserCreationForm):
    """Create a user from an email address, a name and a password."""

    class Meta:
        model = User
        fields = ("email", "name")

    def clean_email(self) -> str:
        # Stored addresses are lower-case (see UserManager), so the unique
        # check on the field catches the same address typed in another case.
        return User.objects.normalize_email(self.cleaned_data["email"]).lower()


class AdminPasswordChangeForm(auth_forms.AdminPasswordChangeForm):
    """Django's set-password form of the back office, its warning translated.

    Django appends "If disabled, the current password for this user will be
    lost." to the field's help in English, outside gettext.
    """

    usable_password_help_text = format_lazy(
        '{}<ul id="id_unusable_warning" class="messagelist"><li class="warning">{}</li></ul>',
        auth_forms.SetUnusablePasswordMixin.usable_password_help_text,
        _("If disabled, the current password for this user will be lost."),
    )


class AdminUserCreationForm(auth_forms.AdminUserCreationForm, UserCreationForm):
    """The back office's add-user form: the password may be left unusable.

    A contact invited by email sets a password later, so the secretariat can
    create the account without one.
    """

    class Meta(UserCreationForm.Meta):
        pass


class UserChangeForm(auth_forms.UserChangeForm):
    """Edit a user; the password is shown as its hash with a link to change it."""

    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self) -> str:
        return User.objects.normalize_email(self.cleaned_data["email"]).lower()


class UsernameLengthMixin:
    """Refuse an address longer than the email field with a form error.

    ``AuthenticationForm`` sets the username field's ``max_length`` after the
    field is made, so no MaxLengthValidator checks it; an address of 300
    characters would reach django-axes, whose records keep 255.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(
            MaxLengthValidator(
                field.max_length,
                message=_(
                    "An email address has at most %(limit_value)d characters "
                    "(this one has %(show_value)d)."
                ),
            )
        )


class SignInForm(UsernameLengthMixin, auth_forms.AuthenticationForm):
    """Sign in with an email address and a password."""

    username = auth_forms.UsernameField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": _(
            "The email address and password do not match an account; "
            "note that the password is case-sensitive."
        ),
        "inactive": _("This account has been deactivated."),
    }


class AdminSignInForm(UsernameLengthMixin, AdminAuthenticationForm):
    """The back office's sign-in (``XiehuiAdminSite.login_form``)."""


class ContactPasswordResetForm(forms.Form):
    """The "forgot my password" form: an address, recorded and mailed by a worker.

    See ``accounts.services.password_reset_request``; the view answers the
    same page whether or not the address has an account.
    """

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class ContactDetailsForm(forms.Form):
    """A contact's own name, job title and phone (not public; saved at once)."""

    name = forms.CharField(label=_("Full name"), max_length=100)
    job_title = forms.CharField(label=_("Job title"), max_length=100, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        validators=[validate_phone],
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )


class ColleagueInviteForm(forms.Form):
    """A colleague the primary contact gives an account to."""

    name = forms.CharField(label=_("Full name"), max_length=100)
    email = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    job_title = forms.CharField(label=_("Job title"), max_length=100, required=False)
    phone = forms.CharField(
        label=_("Phone"), max_length=40, required=False, validators=[validate_phone]
    )

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"]).strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("An account with this email address already exists."), code="exists"
            )
        return email
