"""Telling a temporary SMTP failure (try again later) from a permanent one (a bounce)."""

import smtplib
import socket


def is_permanent(exc: Exception) -> bool:
    """True for a 5xx answer: the address or the message is refused for good."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in exc.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500 and exc.smtp_code not in (421,)
    return False


def is_transient(exc: Exception) -> bool:
    """True for failures worth retrying: 4xx answers, lost or refused connections."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPResponseException):
        return not is_permanent(exc)
    return isinstance(exc, smtplib.SMTPException | ConnectionError | socket.timeout | OSError)
