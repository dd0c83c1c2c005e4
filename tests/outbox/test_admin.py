"""Outgoing mail in the back office: each named by its kind, never by its template's name."""

from pathlib import Path

from django.urls import reverse

from outbox.admin import MAIL_KINDS
from outbox.models import OutgoingMail

EMAILS = Path(__file__).resolve().parents[2] / "templates" / "emails"


def test_it_names_the_kind_of_every_mail_the_portal_sends():
    templates = {path.name.removesuffix("-subject.txt") for path in EMAILS.glob("*-subject.txt")}

    assert templates, EMAILS
    assert sorted(templates - MAIL_KINDS.keys()) == []


def test_it_lists_and_filters_mail_by_kind(admin_client):
    OutgoingMail.objects.create(
        template="application-received", to="wangfang@example.com", subject="已收到入会申请"
    )
    OutgoingMail.objects.create(template="dues-notice", to="liming@example.com", subject="会费")
    url = reverse("admin:outbox_outgoingmail_changelist")

    content = admin_client.get(url).content.decode()
    assert "入会申请已收到" in content
    assert "application-received" not in content.replace("template=application-received", "")

    response = admin_client.get(url, {"template": "dues-notice"})
    assert [mail.template for mail in response.context["cl"].result_list] == ["dues-notice"]
