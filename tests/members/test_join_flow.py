"""A membership application from the public form to a contact editing the company's profile.

Transactional, with a real SMTP server: each mail is sent after its
transaction commits, and the links in the mail are the ones followed.
"""

import re
from email.message import EmailMessage

import pytest
from django.test import Client
from django.urls import reverse

from digests.models import Subscriber
from members.models import Application, Company, Contact, CouncilSeat, ProfileChange, SeatRole
from tests.accounts.builders import credit_code, make_term
from tests.members.uploads import application_form

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a much longer passphrase 42"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def mails_to(smtp_server, address: str) -> list[EmailMessage]:
    return [message for rcpts, message in smtp_server.handler.messages if address in rcpts]


def local(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_it_leads_from_the_application_to_an_approved_profile_edit(
    client, admin_client, smtp_server
):
    term = make_term()
    # The public form.
    response = client.post("/join/", application_form(credit_code=credit_code(5)))
    assert response.status_code == 302
    application = Application.objects.get()
    [received] = mails_to(smtp_server, "wangfang@example.com")
    assert "已收到" in received["Subject"]

    # The secretariat approves.
    response = admin_client.get(reverse("admin:members_application_change", args=[application.pk]))
    assert reverse("admin:members_application_approve", args=[application.pk]) in (
        response.content.decode()
    )
    response = admin_client.post(
        reverse("admin:members_application_approve", args=[application.pk])
    )
    assert response.status_code == 302
    company = Company.objects.get(name="宁波示例仪表科技有限公司")
    assert company.status == Company.Status.ACTIVE
    assert CouncilSeat.objects.get(company=company, term=term).role == SeatRole.MEMBER
    contact = Contact.objects.select_related("user").get(company=company)
    assert contact.is_primary and contact.user.email == "wangfang@example.com"
    assert not contact.user.has_usable_password()
    assert Subscriber.objects.get(contact=contact).frequency == "weekly"

    # The invitation, and a first password.
    approved = mails_to(smtp_server, "wangfang@example.com")[-1]
    assert "已通过" in approved["Subject"]
    link = local(re.search(r"http://\S+/account/set-password/\S+/", text_of(approved)).group(0))
    visitor = Client()
    page = visitor.get(link, follow=True)
    assert page.context["validlink"]
    visitor.post(page.redirect_chain[-1][0], {"new_password1": PASSWORD, "new_password2": PASSWORD})

    # Signing in.
    response = visitor.post(
        reverse("accounts:login"), {"username": "wangfang@example.com", "password": PASSWORD}
    )
    assert response["Location"] == reverse("accounts:dashboard")
    assert "宁波示例仪表科技有限公司" in visitor.get(reverse("accounts:dashboard")).content.decode()

    # Editing the profile.
    form = visitor.get(reverse("accounts:profile")).context["form"]
    data = {name: form[name].value() or "" for name in form.fields if name != "logo"}
    data["website"] = "https://www.water-meter.example.com"
    assert visitor.post(reverse("accounts:profile"), data).status_code == 302
    change = ProfileChange.objects.get()
    public = Client().get(reverse("members:company_detail", args=[company.pk]))
    assert "water-meter" not in public.content.decode()

    # The secretariat approves the edit; the public page shows it.
    admin_client.post(reverse("admin:members_profilechange_approve", args=[change.pk]))
    public = Client().get(reverse("members:company_detail", args=[company.pk]))
    assert "https://www.water-meter.example.com" in public.content.decode()
    told = mails_to(smtp_server, "wangfang@example.com")[-1]
    assert "已通过审核" in told["Subject"]
    assert len(mails_to(smtp_server, "wangfang@example.com")) == 3


def test_a_rejected_application_is_told_why_and_creates_nothing(client, admin_client, smtp_server):
    make_term()
    client.post("/join/", application_form(credit_code=credit_code(6)))
    application = Application.objects.get()
    url = reverse("admin:members_application_reject", args=[application.pk])

    admin_client.post(url, {"reason": ""})
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED

    admin_client.post(url, {"reason": "经营范围不属于仪器仪表行业。"})

    application.refresh_from_db()
    assert application.status == Application.Status.REJECTED
    assert not Company.objects.exists()
    assert not Contact.objects.exists()
    rejected = mails_to(smtp_server, "wangfang@example.com")[-1]
    assert "经营范围不属于仪器仪表行业。" in text_of(rejected)
    # Decided once: approving now is refused, and the record can no longer be edited.
    admin_client.post(reverse("admin:members_application_approve", args=[application.pk]))
    assert not Company.objects.exists()
    page = admin_client.get(reverse("admin:members_application_change", args=[application.pk]))
    assert page.status_code == 200
    assert not page.context["adminform"].form.fields
    assert "approve/" not in page.content.decode()


def test_the_decision_stands_above_the_form_and_its_save_buttons(admin_client, client):
    make_term()
    client.post("/join/", application_form(credit_code=credit_code(9)))
    application = Application.objects.get()
    approve_url = reverse("admin:members_application_approve", args=[application.pk])
    reject_url = reverse("admin:members_application_reject", args=[application.pk])

    page = admin_client.get(reverse("admin:members_application_change", args=[application.pk]))

    content = page.content.decode()
    change_form = content.index('id="application_form"')
    save_buttons = content.index('name="_save"', change_form)
    # Both decisions, each its own form, closed before the change form opens.
    assert content.index(f'action="{approve_url}"') < change_form
    assert content.index(f'action="{reject_url}"') < change_form
    assert content.rindex("</form>", 0, change_form) > content.index(f'action="{reject_url}"')
    assert change_form < save_buttons
    # The application can still be corrected, so the panel says a decision does not save.
    assert "通过或驳回不会保存下方表单中的修改" in content

    response = admin_client.post(approve_url)

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED


def test_approval_is_refused_when_the_address_has_an_account(admin_client, django_user_model):
    make_term()
    django_user_model.objects.create_user("wangfang@example.com", "x")
    client = Client()
    client.post("/join/", application_form(credit_code=credit_code(7)))
    application = Application.objects.get()

    response = admin_client.post(
        reverse("admin:members_application_approve", args=[application.pk]), follow=True
    )

    assert "已有账号使用" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert not Company.objects.exists()


def test_the_secretariat_opens_the_licence_and_the_public_cannot(admin_client, client):
    make_term()
    client.post("/join/", application_form(credit_code=credit_code(8)))
    application = Application.objects.get()
    url = reverse("admin:members_application_licence", args=[application.pk])

    response = admin_client.get(url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert Client().get(url).status_code == 302
