"""The secretariat hears of what waits for it, once each: a new membership application, a new
profile change, a 发票 request (SECRETARIAT_EMAIL); a mail that asks for an answer can be
answered (SITE_REPLY_TO), or says where to write instead.

Transactional, with a real SMTP server: each mail goes after its transaction commits.
"""

from email.message import EmailMessage

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from config.settings import env_address
from dues import services as dues_services
from dues.models import InvoiceRequest
from members import services as member_services
from members.models import Application, ProfileChange
from outbox.models import OutgoingMail
from outbox.services import Outcome, outbox_send
from tests.accounts.builders import credit_code, make_company, make_contact, make_term
from tests.dues.builders import bills, fee_schedule, seated_company, treasurer
from tests.members.uploads import application_form

pytestmark = pytest.mark.django_db(transaction=True)

SECRETARIAT = "mishuchu@example.org"
ADMIN = "http://127.0.0.1:8000/admin"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def secretariat(settings):
    settings.SECRETARIAT_EMAIL = SECRETARIAT


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def mails_to(smtp_server, address: str) -> list[EmailMessage]:
    return [message for rcpts, message in smtp_server.handler.messages if address in rcpts]


def profile_form(client, **changes) -> dict:
    form = client.get("/account/profile/").context["form"]
    data = {name: form[name].value() or "" for name in form.fields if name != "logo"}
    data.update(changes)
    return data


# A new application -----------------------------------------------------------------------------


def test_a_new_application_is_mailed_to_the_secretariat_once(client, smtp_server, secretariat):
    response = client.post("/join/", application_form(credit_code=credit_code(5)))

    assert response.status_code == 302
    application = Application.objects.get()
    [told] = mails_to(smtp_server, SECRETARIAT)
    assert "新的入会申请" in told["Subject"] and "宁波示例仪表科技有限公司" in told["Subject"]
    body = text_of(told)
    assert f"统一社会信用代码：{credit_code(5)}" in body
    assert "联系人：王芳（总经理助理）" in body and "wangfang@example.com" in body
    assert f"{ADMIN}/members/application/{application.pk}/change/" in body
    # A reply goes to the applicant.
    assert told["Reply-To"] == "wangfang@example.com"
    # The applicant is confirmed apart: the secretariat's mail is not a copy of theirs.
    [received] = mails_to(smtp_server, "wangfang@example.com")
    assert SECRETARIAT not in received["To"] and "/admin/" not in text_of(received)

    # The form sent again (a double click) is refused: no second application, no second mail.
    client.post("/join/", application_form(credit_code=credit_code(5)))
    assert Application.objects.count() == 1
    # A retried task finds the row sent and sends nothing more.
    row = OutgoingMail.objects.get(template="secretariat-application")
    assert row.status == OutgoingMail.Status.SENT
    assert outbox_send(row.pk) == Outcome.SKIPPED
    assert len(mails_to(smtp_server, SECRETARIAT)) == 1


def test_nobody_is_told_without_a_secretariat_address(client, smtp_server, settings):
    settings.SECRETARIAT_EMAIL = ""

    client.post("/join/", application_form(credit_code=credit_code(6)))

    assert Application.objects.count() == 1
    assert not OutgoingMail.objects.filter(template__startswith="secretariat-").exists()
    assert smtp_server.handler.recipients() == ["wangfang@example.com"]


def test_an_application_from_a_robot_tells_nobody(client, smtp_server, secretariat):
    client.post("/join/", application_form(credit_code=credit_code(7), fax="buy now"))

    assert not Application.objects.exists()
    assert smtp_server.handler.messages == []


# A new profile change --------------------------------------------------------------------------


@pytest.fixture
def contact():
    make_term()
    company = make_company(
        "浙江中控技术股份有限公司", short_name="中控技术", website="http://www.supcon.com"
    )
    return make_contact(company, "liming@example.com", name="李明", primary=True)


def test_a_new_profile_change_is_mailed_once_not_again_when_amended(
    client, smtp_server, secretariat, contact
):
    client.force_login(contact.user)

    client.post("/account/profile/", profile_form(client, website="https://www.supcon.com"))

    change = ProfileChange.objects.get()
    [told] = mails_to(smtp_server, SECRETARIAT)
    assert "单位资料修改待审核" in told["Subject"] and "浙江中控技术股份有限公司" in told["Subject"]
    body = text_of(told)
    assert "工作联系人李明" in body
    assert "网站：http://www.supcon.com → https://www.supcon.com" in body
    assert f"{ADMIN}/members/profilechange/{change.pk}/change/" in body
    assert told["Reply-To"] == "liming@example.com"

    # Amending the change awaiting review is the same change: the secretariat is not told again.
    client.post("/account/profile/", profile_form(client, phone="0571-88888888"))
    assert ProfileChange.objects.get().changes["phone"]["new"] == "0571-88888888"
    assert len(mails_to(smtp_server, SECRETARIAT)) == 1

    # Withdrawn, and a new one sent: that one is new, and told.
    client.post(reverse("accounts:profile_change_withdraw", args=[change.pk]))
    client.post("/account/profile/", profile_form(client, address="杭州市滨江区江陵路"))
    second = ProfileChange.objects.get(status=ProfileChange.Status.PENDING)
    assert second.pk != change.pk
    assert len(mails_to(smtp_server, SECRETARIAT)) == 2
    assert f"/profilechange/{second.pk}/change/" in text_of(mails_to(smtp_server, SECRETARIAT)[1])


def test_a_form_that_changes_nothing_tells_nobody(client, smtp_server, secretariat, contact):
    client.force_login(contact.user)

    client.post("/account/profile/", profile_form(client))

    assert not ProfileChange.objects.exists()
    assert smtp_server.handler.messages == []


def test_a_change_made_through_the_service_is_told_too(smtp_server, secretariat, contact):
    change = member_services.profile_change_submit(
        contact=contact, data={"website": "https://www.supcon.com"}
    )

    [told] = mails_to(smtp_server, SECRETARIAT)
    assert f"/profilechange/{change.pk}/change/" in text_of(told)


# A 发票 request --------------------------------------------------------------------------------


def paid(bill):
    return dues_services.payment_record(
        bill=bill, amount=bill.amount, method="bank_transfer", paid_on=bill.due_on,
        reference="HZ2026031600001", by=treasurer(),
    )  # fmt: skip


def test_an_invoice_request_is_mailed_to_the_secretariat_once(client, smtp_server, secretariat):
    fee_schedule()
    company = seated_company("浙江甲仪表有限公司", seed=1)
    contact = company.contacts.get(is_primary=True)
    payment = paid(bills(2026)[0])
    client.force_login(contact.user)
    url = reverse("accounts:dues_invoice_request", args=[payment.pk])
    form = {
        "kind": "ordinary",
        "title": company.name,
        "tax_number": company.credit_code,
        "email": "cw@example.com",
        "note": "请于月底前开具",
    }

    assert client.post(url, form).status_code == 302

    request = InvoiceRequest.objects.get()
    [told] = mails_to(smtp_server, SECRETARIAT)
    assert "发票申请" in told["Subject"] and payment.receipt_number in told["Subject"]
    body = text_of(told)
    assert "发票抬头：浙江甲仪表有限公司" in body
    assert f"纳税人识别号：{company.credit_code}" in body
    assert "接收邮箱：cw@example.com" in body and "备注：请于月底前开具" in body
    assert "¥3,000.00" in body
    assert f"{ADMIN}/dues/invoicerequest/{request.pk}/change/" in body
    assert told["Reply-To"] == contact.user.email

    # Asked again for the same payment: refused, and the secretariat is not told twice.
    client.post(url, form)
    assert InvoiceRequest.objects.count() == 1
    assert len(mails_to(smtp_server, SECRETARIAT)) == 1


# Mails that ask for an answer ------------------------------------------------------------------


def test_the_confirmation_can_be_answered_when_a_reply_to_address_is_set(
    client, smtp_server, settings
):
    settings.SITE_REPLY_TO = "秘书处 <mishuchu@example.org>"

    client.post("/join/", application_form(credit_code=credit_code(8)))

    [received] = mails_to(smtp_server, "wangfang@example.com")
    assert "mishuchu@example.org" in received["Reply-To"]
    assert "请直接回复本邮件" in text_of(received)
    assert "请勿直接回复" not in text_of(received)


def test_without_a_reply_to_address_the_confirmation_says_where_to_write(
    client, smtp_server, settings
):
    settings.SITE_REPLY_TO = ""

    client.post("/join/", application_form(credit_code=credit_code(9)))

    [received] = mails_to(smtp_server, "wangfang@example.com")
    assert received["Reply-To"] is None
    body = text_of(received)
    assert "请直接回复本邮件" not in body
    assert "请通过协会网站 http://127.0.0.1:8000/ 公布的联系方式与秘书处联系" in body
    assert "请勿直接回复" in body


def test_the_rejection_follows_the_reply_to_setting_too(
    client, admin_client, smtp_server, settings
):
    settings.SITE_REPLY_TO = "mishuchu@example.org"
    make_term()
    client.post("/join/", application_form(credit_code=credit_code(10)))
    application = Application.objects.get()

    admin_client.post(
        reverse("admin:members_application_reject", args=[application.pk]),
        {"reason": "经营范围不属于仪器仪表行业。"},
    )

    rejected = mails_to(smtp_server, "wangfang@example.com")[-1]
    assert "经营范围不属于仪器仪表行业。" in text_of(rejected)
    assert rejected["Reply-To"] == "mishuchu@example.org"
    assert "请直接回复本邮件与秘书处联系" in text_of(rejected)


@pytest.mark.parametrize("value", ["mishuchu", "秘书处", "<>"])
def test_settings_refuse_an_address_that_is_none(monkeypatch, value):
    monkeypatch.setenv("SECRETARIAT_EMAIL", value)

    with pytest.raises(ImproperlyConfigured, match="SECRETARIAT_EMAIL"):
        env_address("SECRETARIAT_EMAIL")


def test_settings_take_an_address_with_or_without_a_name(monkeypatch):
    monkeypatch.setenv("SITE_REPLY_TO", " 秘书处 <mishuchu@example.org> ")
    assert env_address("SITE_REPLY_TO") == "秘书处 <mishuchu@example.org>"
    monkeypatch.delenv("SITE_REPLY_TO")
    assert env_address("SITE_REPLY_TO") == ""
