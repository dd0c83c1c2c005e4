"""Links in email that let a person set a password: invitations and password resets."""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Django's password-reset token, salted apart and valid for INVITATION_TIMEOUT_DAYS.

    Like a reset token it stops working once the password is set (the hash
    covers the password) or the person signs in.
    """

    key_salt = "xiehui.accounts.tokens.InvitationTokenGenerator"

    def check_token(self, user, token) -> bool:
        if not (user and token):
            return False
        try:
            ts_b36, _hash = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        for secret in [self.secret, *self.secret_fallbacks]:
            if constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token):
                break
        else:
            return False
        age = self._num_seconds(self._now()) - ts
        return age <= settings.INVITATION_TIMEOUT_DAYS * 24 * 3600


invitation_token_generator = InvitationTokenGenerator()


def _absolute(viewname: str, **kwargs) -> str:
    # Mail is in the site's language, so its links are too (not /en/…).
    with translation.override(settings.LANGUAGE_CODE):
        return settings.SITE_URL + reverse(viewname, kwargs=kwargs)


def invitation_url(user) -> str:
    """The link in an invitation: set a password for ``user``'s new account."""
    return _absolute(
        "accounts:set_password",
        uidb64=urlsafe_base64_encode(force_bytes(user.pk)),
        token=invitation_token_generator.make_token(user),
    )


def password_reset_url(user) -> str:
    """The link in a password-reset mail."""
    return _absolute(
        "accounts:password_reset_confirm",
        uidb64=urlsafe_base64_encode(force_bytes(user.pk)),
        token=default_token_generator.make_token(user),
    )


def site_url(viewname: str, **kwargs) -> str:
    """An absolute link to a page of the portal, for an email."""
    return _absolute(viewname, **kwargs)
