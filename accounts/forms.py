"""Forms for the email-login user: Django's auth forms pointed at ``accounts.User``."""

from django.contrib.auth import forms as auth_forms

from .models import User


class UserCreationForm(auth_forms.UserCreationForm):
    """Create a user from an email address, a name and a password."""

    class Meta:
        model = User
        fields = ("email", "name")

    def clean_email(self) -> str:
        # Stored addresses are lower-case (see UserManager), so the unique
        # check on the field catches the same address typed in another case.
        return User.objects.normalize_email(self.cleaned_data["email"]).lower()


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
