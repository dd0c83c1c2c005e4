"""Signed tokens in the digest's links: unsubscribe, confirm, web view.

Each kind has its own salt, so one kind of token never passes for another.
The unsubscribe and web-view tokens do not expire (a digest in an inbox may
be read months later); a confirmation link is good for a week.
"""

from datetime import timedelta

from django.core import signing

UNSUBSCRIBE_SALT = "digests.unsubscribe"
CONFIRM_SALT = "digests.confirm"
WEB_VIEW_SALT = "digests.web-view"
CONFIRM_MAX_AGE = timedelta(days=7)


class BadToken(Exception):
    """The token was altered, is of another kind, or has expired."""


def _load(token: str, *, salt: str, max_age: timedelta | None = None) -> int:
    try:
        value = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature as exc:  # SignatureExpired is a BadSignature
        raise BadToken(str(exc)) from None
    if not isinstance(value, int):
        raise BadToken("not a primary key")
    return value


def unsubscribe_token(subscriber_id: int) -> str:
    return signing.dumps(subscriber_id, salt=UNSUBSCRIBE_SALT)


def unsubscribe_subscriber_id(token: str) -> int:
    return _load(token, salt=UNSUBSCRIBE_SALT)


def confirm_token(subscriber_id: int) -> str:
    return signing.dumps(subscriber_id, salt=CONFIRM_SALT)


def confirm_subscriber_id(token: str) -> int:
    return _load(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)


def web_view_token(delivery_id: int) -> str:
    return signing.dumps(delivery_id, salt=WEB_VIEW_SALT)


def web_view_delivery_id(token: str) -> int:
    return _load(token, salt=WEB_VIEW_SALT)
