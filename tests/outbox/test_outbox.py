"""Transactional mail: queued in the transaction, sent once, retried when SMTP says later."""

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from members.models import Application
from outbox import services
from outbox.models import OutgoingMail
from outbox.services import Outcome

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def application():
    return Application(
        company_name="宁波示例仪表科技有限公司",
        contact_name="王芳",
        contact_email="wangfang@example.com",
        submitted_at=timezone.now(),
    )


def queue(application, key="application-received:1"):
    with transaction.atomic():
        return services.mail_queue(
            template="application-received",
            to=application.contact_email,
            context={"application": application},
            key=key,
        )


def test_it_sends_after_the_transaction_commits(application):
    with transaction.atomic():
        services.mail_queue(
            template="application-received",
            to=application.contact_email,
            context={"application": application},
        )
        assert mail.outbox == []
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "【浙江省仪器仪表行业协会】已收到宁波示例仪表科技有限公司的入会申请"
    assert "王芳，您好" in message.body
    assert message.alternatives[0].mimetype == "text/html"
    assert OutgoingMail.objects.get().status == OutgoingMail.Status.SENT


def test_it_sends_nothing_when_the_transaction_rolls_back(application):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.mail_queue(
            template="application-received",
            to=application.contact_email,
            context={"application": application},
        )
        raise RuntimeError("the request failed")
    assert mail.outbox == []
    assert not OutgoingMail.objects.exists()


def test_it_queues_a_keyed_mail_once(application):
    assert queue(application) is not None
    assert queue(application) is None
    assert OutgoingMail.objects.count() == 1
    assert len(mail.outbox) == 1


def test_it_never_sends_a_row_twice(application):
    row = queue(application)
    assert services.outbox_send(row.pk) is Outcome.SKIPPED
    assert len(mail.outbox) == 1


def test_it_retries_a_temporary_refusal_and_delivers_once(application, smtp_server):
    smtp_server.handler.defer_once.add("wangfang@example.com")
    queue(application)  # the first try meets 451; the eager task retries at once
    assert smtp_server.handler.recipients() == ["wangfang@example.com"]
    row = OutgoingMail.objects.get()
    assert row.status == OutgoingMail.Status.SENT
    assert row.attempts == 2


def test_it_records_a_permanent_refusal_as_failed(application, smtp_server):
    smtp_server.handler.reject.add("wangfang@example.com")
    queue(application)
    row = OutgoingMail.objects.get()
    assert row.status == OutgoingMail.Status.FAILED
    assert "550" in row.last_error
    assert smtp_server.handler.recipients() == []


def test_it_takes_over_mail_whose_sender_died(application, settings):
    settings.OUTBOX_CLAIM_SECONDS = 60
    with transaction.atomic():
        row = OutgoingMail.objects.create(
            template="application-received",
            to="a@example.com",
            subject="s",
            body_text="t",
            status=OutgoingMail.Status.SENDING,
            claimed_at=timezone.now() - timezone.timedelta(minutes=5),
        )
        fresh = OutgoingMail.objects.create(
            template="application-received",
            to="b@example.com",
            subject="s",
            body_text="t",
            status=OutgoingMail.Status.SENDING,
            claimed_at=timezone.now(),
        )
    assert services.outbox_requeue_stale() == [row.pk]
    assert services.outbox_send(fresh.pk) is Outcome.SKIPPED
    assert services.outbox_send(row.pk) is Outcome.SENT
    assert [m.to for m in mail.outbox] == [["a@example.com"]]
