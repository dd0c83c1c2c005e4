"""Sign-in lockout: django-axes' backend, keyed by the normalised email address."""

from axes.backends import AxesStandaloneBackend

# The length of django-axes' username columns.
AXES_USERNAME_MAX_LENGTH = 255


class LockoutBackend(AxesStandaloneBackend):
    """Refuse sign-in while the account is locked out from the request's address.

    Only sign-ins that come with a request are watched: the sign-in forms
    (the portal's and the back office's) always pass one, and code that
    authenticates without a request (the test client's ``login()``, a
    shell) has no address to lock and is not reachable from outside.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_username(request, credentials: dict | None) -> str | None:
    """The account a sign-in attempt is for: its email address, trimmed and lower-case.

    Addresses are stored lower-case (``accounts.User``), so ``LiMing@…`` and
    ``liming@…`` are one account and count against the same limit.
    """
    if credentials is not None:
        username = credentials.get("username")
    else:
        username = getattr(request, "POST", {}).get("username")
    if not username:
        return None
    # django-axes keeps the username in varchar(255) columns (AccessAttempt,
    # AccessLog, AccessFailureLog), and PostgreSQL refuses NUL in text: a
    # sign-in the form let through with such a name must not fail to be counted.
    return str(username).replace("\x00", "").strip().lower()[:AXES_USERNAME_MAX_LENGTH] or None
