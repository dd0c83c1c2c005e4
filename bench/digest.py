"""Digest throughput against its floor, with the sender's peak memory.

The digest: ``digest_run_create`` and ``digest_run_send`` for a weekly run
whose window holds the newest week of the loaded news, to an SMTP sink on
loopback (``bench.smtp_sink``, in a process of its own). The floor: the same
number of messages, rendered beforehand from one real digest, sent by
Django's SMTP backend over one connection. Each measurement runs in a fresh
process (``manage.py bench_digest``), so that its peak resident memory
(``ru_maxrss``) is the sender's own.
"""

import resource
import smtplib
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.core.mail import mailers
from django.test import override_settings
from django.utils import timezone

from bulletin.models import Article
from digests.messages import digest_mail, edition_key
from digests.models import DigestRun, Subscriber
from digests.selectors import DigestRequest, digest_contents, run_cutoff, subscribers_with_sections
from digests.services import digest_run_create, digest_run_send
from outbox.messages import make_message

BASE_DIR = Path(__file__).resolve().parent.parent
BATCH = 100


@contextmanager
def smtp_sink():
    """A counting SMTP sink in a subprocess; yields its port."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.smtp_sink"],
        cwd=BASE_DIR,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        if not line.startswith("port "):
            raise RuntimeError(f"the SMTP sink did not start: {line!r}")
        yield int(line.split()[1])
    finally:
        process.terminate()
        process.wait(timeout=10)


def sink_count(port: int) -> int:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        code, message = client.docmd("XCOUNT")
    return int(message)


def mailers_for(port: int) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 30},
        }
    }


def peak_memory_mb() -> float:
    """This process's peak resident memory so far (Linux reports kilobytes)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run_day():
    """The day of a weekly run whose window (the week before it) holds the newest news."""
    newest = Article.objects.published().order_by("-published_at").first()
    if newest is None:
        raise RuntimeError("No published articles: run seed_bench first.")
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    day = timezone.localdate(newest.published_at, timezone=timezone.get_default_timezone())
    return min(day + timedelta(days=1), today)


def prepare(subscribers: int):
    """Make the first ``subscribers`` subscribers due for a weekly digest, and no one else.

    Writes to the benchmark's database only: removes earlier weekly runs (their
    deliveries go with them) and sets each subscriber's last digest.
    """
    day = run_day()
    cutoff = run_cutoff(day)
    DigestRun.objects.filter(frequency=DigestRun.Frequency.WEEKLY).delete()
    active = Subscriber.objects.filter(status=Subscriber.Status.ACTIVE, frequency="weekly")
    ids = list(active.order_by("pk").values_list("pk", flat=True)[:subscribers])
    if len(ids) < subscribers:
        raise RuntimeError(f"Only {len(ids)} active weekly subscribers; load more.")
    active.update(last_digest_at=cutoff)
    Subscriber.objects.filter(pk__in=ids).update(last_digest_at=cutoff - timedelta(days=7))
    return day, ids


def measure_digest(subscribers: int) -> dict:
    """Send a weekly digest to ``subscribers`` subscribers; time it and count what arrived."""
    day, _ids = prepare(subscribers)
    with smtp_sink() as port, override_settings(MAILERS=mailers_for(port)):
        memory_before = peak_memory_mb()
        started = time.perf_counter()
        run = digest_run_create(frequency="weekly", scheduled_for=day)
        created = time.perf_counter()
        counts = digest_run_send(run_id=run.pk)
        finished = time.perf_counter()
        received = sink_count(port)
    return {
        "subscribers": subscribers,
        "run_day": day.isoformat(),
        "create_seconds": round(created - started, 2),
        "send_seconds": round(finished - created, 2),
        "seconds": round(finished - started, 2),
        "sent": counts.sent,
        "skipped": counts.skipped,
        "failed": counts.failed,
        "deferred": counts.deferred,
        "received": received,
        "messages_per_second": round(counts.sent / (finished - started), 1),
        "peak_memory_mb_before": memory_before,
        "peak_memory_mb": peak_memory_mb(),
    }


def prerendered_digests(subscribers: int) -> list:
    """The messages of a weekly digest to the first ``subscribers`` due, built beforehand.

    Each subscriber gets the edition their sections make (rendered once per
    edition, as the digest renders them), so that the floor sends messages of
    the same sizes as the digest does: with one sample for all, the floor sent
    60 KB messages where the digest's averaged 93 KB.
    """
    day, ids = prepare(subscribers)
    end = run_cutoff(day)
    editions: dict[tuple, object] = {}
    messages = []
    for offset in range(0, len(ids), BATCH):
        batch = subscribers_with_sections(ids[offset : offset + BATCH])
        requests = [DigestRequest(s, "weekly", end - timedelta(days=7), end) for s in batch]
        for content in digest_contents(requests=requests):
            if content.is_empty:
                continue
            key = edition_key(content)
            mail = editions.get(key) or editions.setdefault(
                key, digest_mail(content, delivery_id=1)
            )
            messages.append(
                make_message(
                    to=content.subscriber.email, rendered=mail.rendered, headers=mail.headers
                )
            )
    return messages


def measure_floor(messages: int) -> dict:
    """Send the ``messages`` pre-rendered digests (``prerendered_digests``) over one connection."""
    batch = prerendered_digests(messages)
    sizes = [len(message.message().as_bytes()) for message in batch[:: max(1, len(batch) // 200)]]
    with smtp_sink() as port, override_settings(MAILERS=mailers_for(port)):
        started = time.perf_counter()
        with mailers.default as connection:
            sent = connection.send_messages(batch)
        finished = time.perf_counter()
        received = sink_count(port)
    return {
        "messages": messages,
        "message_bytes": round(sum(sizes) / len(sizes)),
        "seconds": round(finished - started, 2),
        "sent": sent,
        "received": received,
        "messages_per_second": round(sent / (finished - started), 1),
    }
