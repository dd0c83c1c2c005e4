"""The contact's pages as a new contact finds them: the dashboard's labels, a profile change
awaiting review shown, amended and withdrawn, the digest named in the invitation, and
event mails that tell an attendee without an account whom to ask."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from digests.models import Subscriber
from digests.tokens import unsubscribe_subscriber_id
from events.models import Registration
from events.notices import event_change_notify, event_reminders_send
from members import services
from members.models import Application, Company, ProfileChange
from outbox.models import OutgoingMail
from tests.accounts.builders import make_company, make_contact, make_term
from tests.conftest import shanghai
from tests.members.uploads import application_form, png_bytes, upload

pytestmark = pytest.mark.django_db

PROFILE = "/account/profile/"
PROFILE_EN = "/en/account/profile/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def form_data(client, url=PROFILE, **changes) -> dict:
    """The profile form as shown, hidden fields included, with ``changes`` typed over it."""
    form = client.get(url).context["form"]
    data = {}
    for name in form.fields:
        if name in ("logo", "discard_logo"):
            continue
        value = form[name].value()
        data[name] = "" if value is None else value
    data.update(changes)
    return data


def withdraw_url(change) -> str:
    return reverse("accounts:profile_change_withdraw", args=[change.pk])


# The dashboard ---------------------------------------------------------------------------------


def test_the_dashboard_labels_the_company_name_as_the_company_s(client, demo_db):
    client.force_login(demo_db.contact.user)

    english = client.get("/en/account/").content.decode()
    chinese = client.get("/account/").content.decode()

    assert '<dt>Company name</dt><dd lang="zh-Hans">浙江中控技术股份有限公司</dd>' in english
    # The contact's own name keeps its label, in the card of their details.
    assert '<dt>Name</dt><dd lang="zh-Hans">李明</dd>' in english
    assert "<dt>姓名</dt><dd>浙江中控技术股份有限公司</dd>" not in chinese
    assert "<dt>姓名</dt><dd>李明</dd>" in chinese


# A change awaiting review ----------------------------------------------------------------------


def test_the_form_shows_the_change_awaiting_review_with_a_note(client, demo_db):
    change = demo_db.profile_change  # website http → https, pending
    client.force_login(demo_db.contact.user)

    response = client.get(PROFILE_EN)

    form = response.context["form"]
    assert form["website"].value() == "https://www.supcon.com"
    assert form["phone"].value() == "0571-86667525"  # not in the change: the public value
    content = response.content.decode()
    assert "Awaiting review" in content
    assert (
        '<td data-label="Now on the profile">http://www.supcon.com</td>'
        '<td data-label="Awaiting review">https://www.supcon.com</td>'
    ) in content
    assert f'action="{withdraw_url(change)}"' in content
    assert "Send the amended changes for review" in content


def test_sending_the_form_again_amends_the_one_change_awaiting_review(client, demo_db):
    change = demo_db.profile_change
    submitted_at = change.submitted_at
    client.force_login(demo_db.contact.user)

    response = client.post(PROFILE, form_data(client, phone="0571-88888888"))

    assert response.status_code == 302
    assert ProfileChange.objects.count() == 1
    change.refresh_from_db()
    assert change.status == ProfileChange.Status.PENDING
    assert change.changes == {
        "website": {"old": "http://www.supcon.com", "new": "https://www.supcon.com"},
        "phone": {"old": "0571-86667525", "new": "0571-88888888"},
    }
    assert change.submitted_by == demo_db.contact
    assert change.submitted_at > submitted_at
    # The company is untouched until the secretariat approves.
    assert Company.objects.get(pk=demo_db.company.pk).phone == "0571-86667525"
    shown = client.get(PROFILE).context["form"]
    assert shown["phone"].value() == "0571-88888888"


def test_an_amendment_keeps_what_the_contact_first_saw_so_a_conflict_still_shows(
    client, demo_db, admin_user
):
    change = demo_db.profile_change
    company = Company.objects.get(pk=demo_db.company.pk)
    company.website = "http://supcon.example.com"  # the secretariat, meanwhile
    company.save()
    client.force_login(demo_db.contact.user)

    client.post(PROFILE, form_data(client, website="https://www.supcon.com/zh/"))

    change.refresh_from_db()
    assert change.changes["website"] == {
        "old": "http://www.supcon.com",
        "new": "https://www.supcon.com/zh/",
    }
    assert services.profile_change_conflicts(change, company) == ["website"]
    with pytest.raises(services.ProfileChangeConflict):
        services.profile_change_approve(change=change, by=admin_user)


def test_an_amendment_back_to_the_public_profile_withdraws_the_change(client, demo_db):
    change = demo_db.profile_change
    client.force_login(demo_db.contact.user)

    response = client.post(
        PROFILE_EN, form_data(client, PROFILE_EN, website="http://www.supcon.com"), follow=True
    )

    change.refresh_from_db()
    assert change.status == ProfileChange.Status.WITHDRAWN
    assert not ProfileChange.objects.filter(status=ProfileChange.Status.PENDING).exists()
    assert "the changes awaiting review were withdrawn" in response.content.decode()


def test_sending_the_form_unchanged_leaves_the_change_as_it_was(client, demo_db):
    change = demo_db.profile_change
    client.force_login(demo_db.contact.user)

    response = client.post(PROFILE_EN, form_data(client, PROFILE_EN), follow=True)

    assert "the changes awaiting review stay as they were" in response.content.decode()
    fresh = ProfileChange.objects.get()
    assert (fresh.changes, fresh.submitted_at) == (change.changes, change.submitted_at)


def test_a_form_shown_before_a_colleague_sent_a_change_makes_no_second_one(client, demo_db):
    demo_db.profile_change.delete()
    colleague = make_contact(demo_db.company, "zhangwei@example.com", name="张伟")
    client.force_login(demo_db.contact.user)
    data = form_data(client, PROFILE_EN, phone="0571-88888888")
    services.profile_change_submit(contact=colleague, data={"address": "杭州市滨江区江陵路"})

    response = client.post(PROFILE_EN, data, follow=True)

    [change] = ProfileChange.objects.all()
    assert change.changes == {
        "address": {"old": "杭州市滨江区六和路309号", "new": "杭州市滨江区江陵路"}
    }
    # The form now shows the colleague's change, to be amended from there.
    assert response.context["form"]["address"].value() == "杭州市滨江区江陵路"
    assert "were sent, changed, reviewed or withdrawn while you were editing" in (
        response.content.decode()
    )


def test_a_form_shown_before_the_change_was_reviewed_amends_nothing(client, demo_db, admin_user):
    change = demo_db.profile_change
    client.force_login(demo_db.contact.user)
    data = form_data(client, phone="0571-88888888")
    services.profile_change_reject(change=change, by=admin_user, reason="网址无法访问")

    client.post(PROFILE, data)

    change.refresh_from_db()
    assert change.status == ProfileChange.Status.REJECTED
    assert set(change.changes) == {"website"}
    assert ProfileChange.objects.count() == 1


def test_a_new_logo_can_be_replaced_or_dropped_while_awaiting_review(
    client, demo_db, media, django_capture_on_commit_callbacks
):
    demo_db.profile_change.delete()
    client.force_login(demo_db.contact.user)
    assert "discard_logo" not in client.get(PROFILE).context["form"].fields
    client.post(PROFILE, {**form_data(client), "logo": upload("a.png", png_bytes())})
    change = ProfileChange.objects.get()
    first = change.new_logo.name
    assert (media / first).exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(PROFILE, {**form_data(client), "logo": upload("b.png", png_bytes(80, 60))})
    change.refresh_from_db()
    second = change.new_logo.name
    assert second != first and change.changes["logo"]["new"] == second
    assert ProfileChange.objects.count() == 1
    assert not (media / first).exists() and (media / second).exists()

    assert "discard_logo" in client.get(PROFILE).context["form"].fields
    with django_capture_on_commit_callbacks(execute=True):
        client.post(PROFILE, {**form_data(client, phone="0571-88888888"), "discard_logo": "on"})
    change.refresh_from_db()
    assert set(change.changes) == {"phone"} and not change.new_logo
    assert change.status == ProfileChange.Status.PENDING
    assert not (media / second).exists()


def test_the_contact_withdraws_the_change_awaiting_review(client, demo_db):
    change = demo_db.profile_change
    client.force_login(demo_db.contact.user)

    assert client.get(withdraw_url(change)).status_code == 405
    response = client.post(withdraw_url(change), follow=True)

    assert response.redirect_chain[-1][0] == PROFILE
    change.refresh_from_db()
    assert change.status == ProfileChange.Status.WITHDRAWN
    assert change.reviewed_at is None
    form = response.context["form"]
    assert form["website"].value() == "http://www.supcon.com"
    assert response.context["pending"] is None
    # The change page keeps it, as withdrawn, with nothing left to withdraw.
    detail = client.get(f"/en/account/profile/changes/{change.pk}/").content.decode()
    assert '<span class="badge">Withdrawn by the contact</span>' in detail
    assert withdraw_url(change) not in detail
    # A second withdrawal (a double click) is refused and changes nothing.
    again = client.post(
        f"/en/account/profile/changes/{change.pk}/withdraw/", follow=True
    ).content.decode()
    assert "already reviewed or withdrawn" in again
    change.refresh_from_db()
    assert change.status == ProfileChange.Status.WITHDRAWN


def test_a_withdrawn_change_cannot_be_approved(client, demo_db, admin_user):
    change = demo_db.profile_change
    client.force_login(demo_db.contact.user)
    client.post(withdraw_url(change))

    with pytest.raises(services.ReviewError):
        services.profile_change_approve(change=change, by=admin_user)
    assert Company.objects.get(pk=demo_db.company.pk).website == "http://www.supcon.com"


def test_no_one_withdraws_another_company_s_change(client, demo_db):
    other = make_contact(make_company("浙江乙仪表有限公司", seed=2), "b@example.com", primary=True)
    client.force_login(other.user)

    assert client.post(withdraw_url(demo_db.profile_change)).status_code == 404
    demo_db.profile_change.refresh_from_db()
    assert demo_db.profile_change.status == ProfileChange.Status.PENDING


# The digest, said in the invitation ------------------------------------------------------------


def _unsubscribe_link(body: str) -> str:
    return re.search(r"http://\S+/unsubscribe/\S+/", body).group(0)


def test_the_invitation_says_the_colleague_gets_the_digest_and_how_to_leave(client, demo_db):
    client.force_login(demo_db.contact.user)

    client.post(
        reverse("accounts:colleague_invite"),
        {"name": "王芳", "email": "wangfang@example.com", "job_title": "", "phone": ""},
    )

    mail = OutgoingMail.objects.get(template="contact-invitation")
    assert "会员动态周报" in mail.body_text and "退订" in mail.body_text
    link = _unsubscribe_link(mail.body_text)
    assert link in mail.body_html
    subscriber = Subscriber.objects.get(email="wangfang@example.com")
    assert subscriber.status == Subscriber.Status.ACTIVE
    # One click on the page the link opens, and no more digests.
    page = Client().get(link.removeprefix("http://127.0.0.1:8000"))
    assert page.status_code == 200 and 'method="post"' in page.content.decode()
    Client().post(link.removeprefix("http://127.0.0.1:8000"))
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED


def test_an_address_that_had_unsubscribed_is_not_told_it_is_subscribed(client, demo_db):
    Subscriber.objects.create(
        email="wangfang@example.com", frequency="weekly", status=Subscriber.Status.UNSUBSCRIBED
    )
    client.force_login(demo_db.contact.user)

    client.post(
        reverse("accounts:colleague_invite"),
        {"name": "王芳", "email": "wangfang@example.com", "job_title": "", "phone": ""},
    )

    mail = OutgoingMail.objects.get(template="contact-invitation")
    assert "/unsubscribe/" not in mail.body_text and "会员动态周报" not in mail.body_text
    assert Subscriber.objects.get().status == Subscriber.Status.UNSUBSCRIBED


def test_the_admission_mail_says_the_contact_gets_the_digest(client, admin_client):
    make_term()
    client.post("/join/", application_form())
    application = Application.objects.get()

    admin_client.post(reverse("admin:members_application_approve", args=[application.pk]))

    mail = OutgoingMail.objects.get(template="application-approved")
    assert "会员动态周报" in mail.body_text and "会员动态周报" in mail.body_html
    subscriber = Subscriber.objects.get(email="wangfang@example.com")
    token = _unsubscribe_link(mail.body_text).rstrip("/").rsplit("/", 1)[-1]
    assert unsubscribe_subscriber_id(token) == subscriber.pk


# Event mails: whom an attendee without an account asks -----------------------------------------


@pytest.fixture
def attendees(demo_db):
    """At the demo's event, far ahead: the contact themselves, and a colleague without an
    account whom the contact registered."""
    event = demo_db.event
    event.starts_at = shanghai(2031, 10, 21, 9)
    event.ends_at = shanghai(2031, 10, 21, 17)
    event.save()
    guest = Registration.objects.create(
        event=event,
        company=demo_db.company,
        registered_by=demo_db.contact,
        attendee_name="陈庆",
        attendee_email="chenqing@example.com",
    )
    return event, demo_db.registration, guest


def _postpone(event):
    previous = event.starts_at
    event.starts_at += timedelta(days=7)
    event.ends_at += timedelta(days=7)
    event.save()
    return event_change_notify(
        event=event, previous_starts_at=previous, previous_status=event.status
    )


def _mail(template: str, to: str) -> OutgoingMail:
    return OutgoingMail.objects.get(template=template, to=to)


def test_a_postponement_tells_an_attendee_without_an_account_whom_to_ask(attendees):
    event, _own, _guest = attendees

    assert _postpone(event) == 2

    guest_mail = _mail("event-rescheduled", "chenqing@example.com")
    assert "我的账户" not in guest_mail.body_text and "我的账户" not in guest_mail.body_html
    assert "请联系为您报名的李明（贵单位工作联系人，liming@example.com）取消报名" in (
        guest_mail.body_text
    )
    assert "李明" in guest_mail.body_html
    contact_mail = _mail("event-rescheduled", "liming@example.com")
    assert "请在“我的账户”的“活动报名”中取消报名" in contact_mail.body_text
    assert "/account/registrations/" in contact_mail.body_text


def test_the_reminder_tells_an_attendee_without_an_account_whom_to_ask(attendees):
    event, _own, _guest = attendees

    assert event_reminders_send(day=event.starts_at.date()) == 2

    guest_mail = _mail("event-reminder", "chenqing@example.com")
    assert "我的账户" not in guest_mail.body_text
    assert "请联系为您报名的李明" in guest_mail.body_text
    assert "我的账户" in _mail("event-reminder", "liming@example.com").body_text


def test_without_a_known_registrar_the_mail_names_the_company_s_contact(attendees):
    event, _own, guest = attendees
    Registration.objects.filter(pk=guest.pk).update(registered_by=None)

    _postpone(event)

    body = _mail("event-rescheduled", "chenqing@example.com").body_text
    assert "请联系贵单位的工作联系人取消报名" in body and "我的账户" not in body


def test_a_mail_passed_on_by_the_contact_tells_the_contact_to_cancel_in_the_account(attendees):
    event, _own, guest = attendees
    Registration.objects.filter(pk=guest.pk).update(attendee_email="", attendee_phone="13900000000")

    _postpone(event)

    # The attendee gave no address: the contact is mailed, and can cancel.
    [forwarded, own] = OutgoingMail.objects.filter(template="event-rescheduled").order_by("id")
    assert {forwarded.to, own.to} == {"liming@example.com"}
    assert all("“我的账户”" in mail.body_text for mail in (forwarded, own))


def test_the_cancellation_points_nobody_to_the_account(attendees):
    event, _own, _guest = attendees
    event.status = event.Status.CANCELLED
    event.save()

    event_change_notify(
        event=event, previous_starts_at=event.starts_at, previous_status=event.Status.PUBLISHED
    )

    mails = OutgoingMail.objects.filter(template="event-cancelled")
    assert mails.count() == 2
    assert all("我的账户" not in mail.body_text for mail in mails)
