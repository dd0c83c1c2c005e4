"""The one email module: every email is rendered from three templates.

``emails/<name>-subject.txt``, ``emails/<name>-body.txt`` and, when it exists,
``emails/<name>-body.html`` are rendered in Chinese (the association's
language) with the site's name and address in the context.
"""

from dataclasses import dataclass

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
    """Render the email ``name`` with ``context`` (plus site_name and site_url)."""
    context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"emails/{name}-subject.txt", context)
        body_text = render_to_string(f"emails/{name}-body.txt", context)
        try:
            body_html = render_to_string(f"emails/{name}-body.html", context)
        except TemplateDoesNotExist:
            body_html = ""
    # A subject is one line, whatever the template's line breaks.
    return RenderedMail(" ".join(subject.split()), body_text.strip() + "\n", body_html)


def make_message(
    *, to: str, rendered: RenderedMail, headers: dict | None = None, connection=None
) -> EmailMultiAlternatives:
    """An email ready to send: plain text with an HTML alternative when there is one."""
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers or {},
        connection=connection,
    )
    if rendered.body_html:
        message.attach_alternative(rendered.body_html, "text/html")
    return message
