"""Sending a notice and its reminders through a real SMTP server; tasks run eagerly.

A notice goes once to each contact of its audience, whether or not they take
the digest, but never to an address suppressed after bounces; a reminder goes
to those who have not replied, each time as a mailing of its own.
"""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from digests.models import Subscriber
from digests.services import subscriber_for_contact
from members.models import SeatRole
from notices import services, tasks
from notices.models import NoticeDelivery, NoticeMailing
from notices.services import NoticeError
from tests.concurrency import run_at_once
from tests.notices.builders import council_notice

pytestmark = pytest.mark.django_db

COUNCIL = {
    "jin@supcon.example.com",
    "li@supcon.example.com",
    "wang@ningshui.example.com",
    "ding@juhua.example.com",
}


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Call a service and run what it queues on commit (the eager task sends the mail)."""

    def call(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return call


def received(smtp_server) -> Counter:
    return Counter(smtp_server.handler.recipients())


def message_to(smtp_server, email: str):
    (message,) = [m for rcpts, m in smtp_server.handler.messages if email in rcpts]
    return message


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def statuses(mailing) -> dict[str, str]:
    return dict(mailing.deliveries.values_list("contact__user__email", "status"))


def test_it_mails_each_recipient_once_with_the_reason_and_their_reply_link(
    association, smtp_server, send, settings
):
    notice = council_notice(title="关于召开第七届理事会第三次会议的通知")

    mailing = send(services.notice_send, notice=notice)

    assert received(smtp_server) == Counter(dict.fromkeys(COUNCIL, 1))
    mailing.refresh_from_db()
    assert mailing.number == 0 and mailing.finished_at is not None
    assert set(statuses(mailing).values()) == {"sent"}
    contact = association.contacts.vice
    message = message_to(smtp_server, contact.user.email)
    assert message["Subject"] == f"【{settings.SITE_NAME}】通知：{notice.title}"
    assert message["X-Notice"] == f"{notice.pk}-0"
    text = text_of(message)
    assert "王工，您好" in text
    assert "浙仪协〔2027〕5号" in text
    assert "您收到这封邮件，是因为您是本届" in text
    assert "宁波水表（集团）股份有限公司的联系人" in text
    assert "退订《会刊》摘要邮件不会停止通知" in text
    assert services.reply_url(notice, contact.pk) in text
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "填写回执" in html
    # Each recipient's link answers for them only.
    contact_ids = {c.user.email: c.pk for c in association.readers}
    for email in COUNCIL:
        links = [
            line for line in text_of(message_to(smtp_server, email)).split() if "/reply/" in line
        ]
        (token,) = [link.rstrip("/").rsplit("/", 1)[1] for link in links]
        assert services.reply_token_contact(token, notice.pk) == contact_ids[email]


def test_a_second_send_returns_none_and_sends_nothing(association, smtp_server, send):
    notice = council_notice()
    first = send(services.notice_send, notice=notice)

    assert send(services.notice_send, notice=notice) is None
    tasks.send_notice_mailing.delay(first.pk)  # a retried task: nothing left

    assert sum(received(smtp_server).values()) == 4
    assert NoticeMailing.objects.filter(notice=notice).count() == 1
    assert NoticeDelivery.objects.count() == 4


def test_a_notice_without_a_reply_slip_has_no_reply_link(association, smtp_server, send):
    notice = council_notice(asks_reply=False)

    send(services.notice_send, notice=notice)

    text = text_of(message_to(smtp_server, "ding@juhua.example.com"))
    assert "/reply/" not in text and "回执" not in text


def test_an_unsubscribed_contact_gets_it_and_a_suppressed_address_does_not(
    association, smtp_server, send
):
    unsubscribed = subscriber_for_contact(contact=association.contacts.president)
    suppressed = subscriber_for_contact(contact=association.contacts.council)
    Subscriber.objects.filter(pk=unsubscribed.pk).update(status=Subscriber.Status.UNSUBSCRIBED)
    Subscriber.objects.filter(pk=suppressed.pk).update(
        status=Subscriber.Status.SUPPRESSED, hard_bounces=3
    )
    notice = council_notice()

    mailing = send(services.notice_send, notice=notice)

    assert set(received(smtp_server)) == COUNCIL - {"ding@juhua.example.com"}
    skipped = mailing.deliveries.get(contact=association.contacts.council)
    assert skipped.status == NoticeDelivery.Status.SKIPPED
    assert "suppressed" in skipped.error
    assert smtp_server.handler.attempts["ding@juhua.example.com"] == 0
    mailing.refresh_from_db()
    assert mailing.finished_at is not None


def test_a_permanent_refusal_counts_a_hard_bounce(association, smtp_server, send):
    subscriber = subscriber_for_contact(contact=association.contacts.vice)
    smtp_server.handler.reject.add("wang@ningshui.example.com")
    notice = council_notice()

    mailing = send(services.notice_send, notice=notice)

    assert set(received(smtp_server)) == COUNCIL - {"wang@ningshui.example.com"}
    failed = mailing.deliveries.get(contact=association.contacts.vice)
    assert failed.status == NoticeDelivery.Status.FAILED
    assert "550" in failed.error
    subscriber.refresh_from_db()
    assert subscriber.hard_bounces == 1
    assert subscriber.status == Subscriber.Status.ACTIVE


def test_a_temporary_refusal_is_retried_and_delivered_once(
    association, smtp_server, send, settings
):
    settings.DIGEST_RETRY_SECONDS = 0
    smtp_server.handler.defer_once.add("li@supcon.example.com")
    notice = council_notice()

    mailing = send(services.notice_send, notice=notice)

    assert received(smtp_server) == Counter(dict.fromkeys(COUNCIL, 1))
    assert mailing.deliveries.get(contact=association.contacts.president_2).attempts == 2


def test_a_scheduled_notice_waits_for_its_time(association, smtp_server, send, clock):
    notice = council_notice()
    at = timezone.now() + timedelta(hours=2)

    mailing = send(services.notice_send, notice=notice, send_at=at)

    assert received(smtp_server) == Counter()
    mailing.refresh_from_db()
    assert mailing.filled_at is None and not mailing.deliveries.exists()
    assert send(tasks.start_notice_mailings) == 0
    tasks.send_notice_mailing.delay(mailing.pk)  # handed out early: "not yet due"
    assert received(smtp_server) == Counter()
    # A contact joins the council units before the time: the audience is taken at sending.
    association.former.seats.filter(term__is_current=True).update(role=SeatRole.COUNCIL)

    clock.advance(hours=2, minutes=1)
    assert send(tasks.start_notice_mailings) == 1

    assert received(smtp_server) == Counter(dict.fromkeys(COUNCIL | {"zhou@xili.example.com"}, 1))
    assert send(tasks.start_notice_mailings) == 0
    assert send(tasks.resume_notice_mailings) == 0
    assert sum(received(smtp_server).values()) == 5


def test_a_reminder_goes_to_those_without_a_reply_each_time(association, smtp_server, send):
    notice = council_notice()
    send(services.notice_send, notice=notice)
    contacts = association.contacts
    services.notice_reply_save(notice=notice, contact=contacts.president, answers={"people": 2})
    smtp_server.handler.messages.clear()

    first = send(services.notice_remind, notice=notice)

    assert first.number == 1
    assert received(smtp_server) == Counter(dict.fromkeys(COUNCIL - {"jin@supcon.example.com"}, 1))
    message = message_to(smtp_server, "ding@juhua.example.com")
    assert message["Subject"].startswith("【浙江省仪器仪表行业协会】回执提醒：")
    assert message["X-Notice"] == f"{notice.pk}-1"
    assert "我们尚未收到您的回执" in text_of(message)
    assert services.reply_url(notice, contacts.council.pk) in text_of(message)

    services.notice_reply_save(notice=notice, contact=contacts.vice, answers={"people": 1})
    smtp_server.handler.messages.clear()
    second = send(services.notice_remind, notice=notice)

    assert second.number == 2
    assert received(smtp_server) == Counter(
        {"li@supcon.example.com": 1, "ding@juhua.example.com": 1}
    )
    assert list(notice.mailings.values_list("number", flat=True)) == [0, 1, 2]


def test_a_reminder_is_not_mailed_to_who_replied_after_it_was_made(association, smtp_server, send):
    notice = council_notice()
    send(services.notice_send, notice=notice)
    smtp_server.handler.messages.clear()
    reminder = services.notice_remind(notice=notice)  # not yet handed to the worker
    services.notice_reply_save(
        notice=notice, contact=association.contacts.council, answers={"people": 1}
    )

    services.mailing_send(mailing_id=reminder.pk)

    assert set(received(smtp_server)) == COUNCIL - {"ding@juhua.example.com"}
    assert statuses(reminder)["ding@juhua.example.com"] == "skipped"


def test_no_reminder_once_everyone_replied_or_after_the_deadline(
    association, smtp_server, send, clock
):
    notice = council_notice(days=3)
    with pytest.raises(NoticeError, match="尚未发送"):
        services.notice_remind(notice=notice)
    send(services.notice_send, notice=notice)

    clock.advance(days=3, minutes=1)
    with pytest.raises(NoticeError, match="回执已截止"):
        services.notice_remind(notice=notice)
    assert list(notice.mailings.values_list("number", flat=True)) == [0]


def test_no_reminder_when_everyone_replied(association, smtp_server, send):
    notice = council_notice()
    send(services.notice_send, notice=notice)
    for contact in association.readers:
        if contact.user.email in COUNCIL:
            services.notice_reply_save(notice=notice, contact=contact, answers={"people": 1})

    assert services.notice_remind(notice=notice) is None
    assert list(notice.mailings.values_list("number", flat=True)) == [0]


def test_sending_is_refused_for_a_draft_or_a_deadline_before_the_sending(association):
    draft = council_notice(status="draft")
    with pytest.raises(NoticeError, match="请先发布通知"):
        services.notice_send(notice=draft)
    notice = council_notice(days=1)
    with pytest.raises(NoticeError):
        services.notice_send(notice=notice, send_at=timezone.now() + timedelta(days=2))
    assert not NoticeMailing.objects.exists()


def test_a_test_mail_goes_to_the_secretary_only(association, smtp_server, send):
    from tests.dues.builders import make_secretary

    secretary = make_secretary()
    notice = council_notice()

    send(services.notice_send_test, notice=notice, user=secretary)

    assert received(smtp_server) == Counter({"zhangxiaoli@example.com": 1})
    message = message_to(smtp_server, "zhangxiaoli@example.com")
    assert message["Subject"].startswith("[测试] ")
    assert "这是一封测试邮件" in text_of(message)
    assert not NoticeMailing.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_reminders_at_once_number_themselves_one_after_the_other(association, smtp_server):
    notice = council_notice()
    services.notice_send(notice=notice)
    smtp_server.handler.messages.clear()

    results = run_at_once([lambda: services.notice_remind(notice=notice)] * 2)

    assert all(isinstance(result, NoticeMailing) for result in results), results
    assert sorted(result.number for result in results) == [1, 2]
    assert received(smtp_server) == Counter(dict.fromkeys(COUNCIL, 2))
