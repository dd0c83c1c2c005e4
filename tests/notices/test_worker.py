"""The acceptance test: a real Celery worker process on Redis and a real SMTP server.

The worker is killed (SIGKILL, as by the OOM killer or a lost machine) in
the middle of a mailing and another one started: every recipient gets the
notice once, except at most the one message that was in flight at the kill
(accepted by the server, not yet marked sent); the dead sender's rows wait
until its claim is stale and are then taken over; a second send sends nothing.
Messages are counted at the SMTP server.
"""

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone

from accounts.models import User
from members.models import Contact, CouncilSeat, SeatRole
from notices import services, tasks
from notices.models import NoticeDelivery, NoticeMailing
from outbox.batches import mailings_to_resume
from tests.accounts.builders import make_company, make_term
from tests.brokers import KillableRedis, broker_at, wait_for
from tests.notices.builders import council_notice

pytestmark = pytest.mark.django_db(transaction=True)

RECIPIENTS = 150
BATCH = 20
# Short enough to wait for; the settings' rule holds: 15 × 2/3 ≥ 6 × EMAIL_TIMEOUT (1 s).
CLAIM_SECONDS = 15
EMAIL_TIMEOUT = 1
SMTP_DELAY = 0.03  # seconds per message: the mailing takes about 5 s


def database_url() -> str:
    """The test database, as DATABASE_URL for a process of its own."""
    db = connection.settings_dict
    credentials = quote(db["USER"], safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    if host.startswith("/"):  # a Unix socket's folder
        return f"postgresql://{credentials}@/{quote(db['NAME'])}?host={quote(host)}"
    return f"postgresql://{credentials}@{host}:{db['PORT'] or 5432}/{quote(db['NAME'])}"


class WorkerProcess:
    """``celery worker`` in a process of its own, on the test's broker, database and SMTP server."""

    def __init__(self, name: str, *, broker: KillableRedis, smtp_port: int, folder: Path):
        self.log = folder / f"{name}.log"
        self.output = folder / f"{name}.out"
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "DATABASE_CONN_MAX_AGE": "0",
            "CELERY_BROKER_URL": broker.url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_TIMEOUT": str(EMAIL_TIMEOUT),
            "DIGEST_CLAIM_SECONDS": str(CLAIM_SECONDS),
            "DIGEST_BATCH_SIZE": str(BATCH),
            "DIGEST_RETRY_SECONDS": "1",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker"]
            + ["--pool=solo", "--concurrency=1", "-Q", "celery", "-n", f"{name}@%h"]
            + ["--without-gossip", "--without-mingle", "--without-heartbeat"]
            + ["--loglevel=INFO", f"--logfile={self.log}"],
            cwd=django_settings.BASE_DIR,
            env=env,
            stdout=self.output.open("wb"),
            stderr=subprocess.STDOUT,
        )

    def alive(self) -> bool:
        """True while it runs; a worker that could not start fails the test with its output."""
        if self.process.poll() is None:
            return True
        raise AssertionError(f"the worker exited: {self.output.read_text(errors='replace')}")

    def succeeded(self, task_id: str) -> str | None:
        """The result the worker logged for the task, or None while it has not finished."""
        if not self.log.exists():
            return None
        found = re.search(
            rf"\[{task_id}\] succeeded in [0-9.e-]+s: (.*)$",
            self.log.read_text(errors="replace"),
            re.MULTILINE,
        )
        return found and found[1]

    def run(self, task, *args, timeout: float = 60) -> str:
        """Queue ``task`` and wait until this worker has run it; what it returned."""
        result = task.delay(*args)
        wait_for(
            lambda: self.alive() and self.succeeded(result.id) is not None,
            f"{task.name}{args}",
            timeout,
        )
        return self.succeeded(result.id)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # a warm shutdown: its database connections close
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def broker():
    server = KillableRedis().start()
    with broker_at(server.url):
        yield server
    server.stop()


@pytest.fixture
def workers(broker, smtp_server, tmp_path):
    started: list[WorkerProcess] = []

    def start(name: str) -> WorkerProcess:
        worker = WorkerProcess(name, broker=broker, smtp_port=smtp_server.port, folder=tmp_path)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def council_of(count: int) -> list[str]:
    """``count`` contacts of five council units; their addresses."""
    term = make_term()
    companies = [make_company(f"浙江理事{n}号仪表有限公司", seed=100 + n) for n in range(5)]
    CouncilSeat.objects.bulk_create(
        CouncilSeat(term=term, company=company, role=SeatRole.COUNCIL) for company in companies
    )
    password = make_password(None)
    users = User.objects.bulk_create(
        User(email=f"lxr{n:03d}@example.com", name=f"联系人{n}", password=password)
        for n in range(count)
    )
    Contact.objects.bulk_create(
        Contact(user=user, company=companies[n % 5], is_primary=n < 5)
        for n, user in enumerate(users)
    )
    return [user.email for user in users]


def test_a_worker_killed_mid_send_and_restarted_mails_each_recipient_once(
    smtp_server, workers, settings
):
    settings.DIGEST_CLAIM_SECONDS = CLAIM_SECONDS
    smtp_server.handler.delay = SMTP_DELAY
    addresses = council_of(RECIPIENTS)
    notice = council_notice()
    received = smtp_server.handler.recipients

    first = workers("first")
    mailing = services.notice_send(notice=notice)  # queued on Redis once committed
    # Mid-batch (not between two, when it holds no rows), in the third batch.
    wait_for(
        lambda: first.alive() and len(received()) >= 2 * BATCH + 3 and len(received()) % BATCH > 2,
        "the first worker to be mid-send",
    )
    first.kill()
    time.sleep(0.5)  # what the server was taking when the sender died is in

    # At the kill: the rows marked sent, one batch claimed by the dead sender, the rest queued.
    rows = NoticeDelivery.objects.filter(mailing=mailing)
    sent = set(rows.filter(status="sent").values_list("contact__user__email", flat=True))
    in_flight = {
        row.pk: row for row in rows.filter(status="sending").select_related("contact__user")
    }
    queued = rows.filter(status="queued").count()
    at_kill = Counter(received())
    assert queued > 0 and 0 < len(in_flight) <= BATCH, (len(sent), len(in_flight), queued)
    assert len(sent) + len(in_flight) + queued == RECIPIENTS
    assert set(at_kill.values()) == {1}
    # Sent and marked, or accepted by the server just before the kill and not yet marked.
    unmarked = set(at_kill) - sent
    assert len(unmarked) <= 1, unmarked
    assert unmarked <= {row.contact.user.email for row in in_flight.values()}
    assert len({row.claimed_by for row in in_flight.values()}) == 1
    dead_claim = max(row.claimed_at for row in in_flight.values())
    assert mailings_to_resume(NoticeMailing.objects.filter(finished_at__isnull=True), "deliveries")

    # A new worker; beat's resume hands the mailing out: the queued rows go, the dead
    # sender's wait for its claim to go stale.
    second = workers("second")
    assert second.run(tasks.resume_notice_mailings) == "1"
    wait_for(lambda: not rows.filter(status="queued").exists(), "the queued rows")
    wait_for(
        lambda: timezone.now() > dead_claim + timedelta(seconds=CLAIM_SECONDS + 1),
        "the dead sender's claim to go stale",
        timeout=CLAIM_SECONDS + 30,
    )
    # Beat's next run hands out the abandoned rows (unless the sender still at work took
    # them over as their claim went stale, and finished the mailing).
    assert second.run(tasks.resume_notice_mailings) in {"0", "1"}
    wait_for(
        lambda: NoticeMailing.objects.filter(pk=mailing.pk, finished_at__isnull=False).exists(),
        "the mailing to finish",
    )

    per_address = Counter(received())
    assert set(per_address) == set(addresses)
    twice = {email for email, count in per_address.items() if count > 1}
    assert twice == unmarked, "a recipient got the notice twice who was not in flight at the kill"
    assert max(per_address.values()) <= 2
    assert sum(per_address.values()) == RECIPIENTS + len(unmarked)
    assert set(rows.values_list("status", flat=True)) == {"sent"}
    for row in rows.filter(pk__in=in_flight):
        assert row.attempts == 2
        # Not taken over before the dead sender's claim was stale.
        assert row.sent_at >= dead_claim + timedelta(seconds=CLAIM_SECONDS), row.pk
    messages = [m for _rcpts, m in smtp_server.handler.messages]
    assert {m["X-Notice"] for m in messages} == {f"{notice.pk}-0"}

    # Sending again, the task again, beat's runs again: nothing more.
    assert services.notice_send(notice=notice) is None
    assert second.run(tasks.send_notice_mailing, mailing.pk) == "'sent 0, skipped 0, failed 0'"
    assert second.run(tasks.resume_notice_mailings) == "0"
    assert second.run(tasks.start_notice_mailings) == "0"
    assert Counter(received()) == per_address
