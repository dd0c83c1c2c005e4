"""Password reset: limited per address and per client, and the same path for known and unknown."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import services, tasks
from accounts.models import PasswordResetRequest
from outbox.models import OutgoingMail
from tests.accounts.builders import make_company, make_contact

pytestmark = pytest.mark.django_db

RESET = "/account/password-reset/"


@pytest.fixture
def contact():
    return make_contact(make_company("浙江甲仪表有限公司"), "liming@example.com", primary=True)


def ask(client, email: str, *, ip: str = "203.0.113.7"):
    return client.post(RESET, {"email": email}, REMOTE_ADDR=ip)


def test_it_mails_one_address_at_most_three_times_an_hour(
    client, contact, django_capture_on_commit_callbacks
):
    answers = []
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(30):
            answers.append(ask(client, "liming@example.com", ip=f"203.0.113.{n}"))

    assert [a.status_code for a in answers[:3]] == [302] * 3
    assert {a.status_code for a in answers[3:]} == {200}
    assert "请稍后再试" in answers[-1].content.decode()
    assert OutgoingMail.objects.filter(template="password-reset").count() == 3
    assert PasswordResetRequest.objects.count() == 3


def test_it_limits_one_client_asking_for_many_addresses(client, contact, settings):
    settings.PASSWORD_RESET_PER_CLIENT = 10
    answers = [ask(client, f"person{n}@example.com") for n in range(15)]

    assert [a.status_code for a in answers] == [302] * 10 + [200] * 5
    # Another client is not held up by the first one.
    assert ask(client, "person99@example.com", ip="198.51.100.1").status_code == 302


def _normalised(queries) -> list[str]:
    # The statements, without their parameters' values (ids, times, addresses).
    return [re.sub(r"'[^']*'|\b\d+\b", "?", query["sql"]) for query in queries]


def test_it_runs_the_same_statements_for_a_known_and_an_unknown_address(
    client, contact, django_capture_on_commit_callbacks
):
    ask(client, "warmup@example.com", ip="192.0.2.1")  # first-request work out of the way
    with (
        CaptureQueriesContext(connection) as known,
        django_capture_on_commit_callbacks() as known_hooks,
    ):
        known_answer = ask(client, "liming@example.com")
    with (
        CaptureQueriesContext(connection) as unknown,
        django_capture_on_commit_callbacks() as unknown_hooks,
    ):
        unknown_answer = ask(client, "nobody@example.com")

    assert known_answer.status_code == unknown_answer.status_code == 302
    assert known_answer["Location"] == unknown_answer["Location"]
    assert _normalised(known.captured_queries) == _normalised(unknown.captured_queries)
    assert len(known_hooks) == len(unknown_hooks) == 1
    # Nothing is rendered or queued in the request: the worker does it.
    assert not OutgoingMail.objects.exists()


def test_the_worker_mails_once_however_often_the_task_runs(contact):
    reset = services.password_reset_request(email="LiMing@example.com", client_ip="192.0.2.9")

    assert services.password_reset_process(request_id=reset.pk) == 1
    assert services.password_reset_process(request_id=reset.pk) == 0
    assert tasks.process_password_reset(reset.pk) == 0
    assert OutgoingMail.objects.filter(to="liming@example.com").count() == 1


def test_a_reset_whose_task_was_lost_is_handed_out_again(contact):
    reset = services.password_reset_request(email="liming@example.com", client_ip=None)
    PasswordResetRequest.objects.filter(pk=reset.pk).update(
        requested_at=reset.requested_at - timedelta(minutes=2)
    )

    assert services.password_resets_pending() == [reset.pk]
    assert tasks.requeue_password_resets() == 1  # eager here: the worker's part runs at once
    assert services.password_resets_pending() == []
    assert OutgoingMail.objects.filter(to="liming@example.com").count() == 1
