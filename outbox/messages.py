"""The one email module: every email is rendered from three templates.

``emails/<name>-subject.txt``, ``emails/<name>-body.txt`` and, when it exists,
``emails/<name>-body.html`` are rendered in Chinese (the association's
language) with the site's name and address in the context.
"""

import email.policy
from dataclasses import dataclass
from email.contentmanager import ContentManager, raw_data_manager, set_text_content

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    body_text: str
    body_html: str


def render_mail(name: str, context: dict) -> RenderedMail:
    """Render the email ``name`` with ``context`` (plus site_name, site_url and site_reply_to)."""
    context = {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        # A mail that asks for an answer says "reply" only when a reply reaches someone.
        "site_reply_to": settings.SITE_REPLY_TO,
        **context,
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"emails/{name}-subject.txt", context)
        body_text = render_to_string(f"emails/{name}-body.txt", context)
        try:
            body_html = render_to_string(f"emails/{name}-body.html", context)
        except TemplateDoesNotExist:
            body_html = ""
    # A subject is one line, whatever the template's line breaks.
    return RenderedMail(" ".join(subject.split()), body_text.strip() + "\n", body_html)


def reply_to_headers() -> dict:
    """The headers of a mail that asks for an answer: Reply-To SITE_REPLY_TO, when set.

    Mail comes from DEFAULT_FROM_EMAIL, often an address nobody reads; such a
    mail's template says "reply" when ``site_reply_to`` is set, and otherwise
    where else to write.
    """
    return {"Reply-To": settings.SITE_REPLY_TO} if settings.SITE_REPLY_TO else {}


def _set_text_content(msg, string, *args, cte=None, **kwargs):
    """The email package's text handler, but text beyond ASCII (Chinese) goes base64-encoded.

    Left to choose, the package looks at a part's first ten lines: an HTML part
    opens with ASCII markup, so it picks quoted-printable, which spends nine
    bytes on each Chinese character (base64: four). The largest weekly digest
    went out at 106 KB instead of 83, beyond the 102 KB at which Gmail clips a
    message, and Python encodes quoted-printable a character at a time.
    """
    if cte is None and not string.isascii():
        cte = "base64"
    set_text_content(msg, string, *args, cte=cte, **kwargs)


_content_manager = ContentManager()
_content_manager.get_handlers.update(raw_data_manager.get_handlers)
_content_manager.set_handlers.update(raw_data_manager.set_handlers)
_content_manager.add_set_handler(str, _set_text_content)
MAIL_POLICY = email.policy.default.clone(content_manager=_content_manager)


class Message(EmailMultiAlternatives):
    """An email whose text parts are encoded as ``_set_text_content`` says."""

    def message(self, *, policy=MAIL_POLICY):
        return super().message(policy=policy)


def make_message(
    *,
    to: str,
    rendered: RenderedMail,
    headers: dict | None = None,
    connection=None,
    cc: list[str] | None = None,
) -> EmailMultiAlternatives:
    """An email ready to send: plain text with an HTML alternative when there is one."""
    message = Message(
        subject=rendered.subject,
        body=rendered.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        cc=cc or [],
        headers=headers or {},
        connection=connection,
    )
    if rendered.body_html:
        message.attach_alternative(rendered.body_html, "text/html")
    return message
