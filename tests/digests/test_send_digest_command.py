"""`manage.py send_digest`: counts with --dry-run, sends with progress otherwise."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from digests.models import DigestDelivery, DigestRun
from tests.digests.conftest import add_article, add_subscribers


def send_digest(*args) -> str:
    out = StringIO()
    call_command("send_digest", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def five_subscribers(world):
    add_article(world.news, world.start + timedelta(days=1))
    add_subscribers(3, last_digest_at=world.start)
    # Two whose last digest was after the news: nothing new for them.
    add_subscribers(2, last_digest_at=world.start + timedelta(days=2), start=3)
    return world


def test_it_counts_without_writing_on_a_dry_run(five_subscribers):
    output = send_digest("--frequency", "weekly", "--dry-run")

    assert "将创建 5 份投递，其中 3 份有新内容" in output
    assert "5 deliveries would be created; 3 have something new" in output
    assert not DigestRun.objects.exists()
    assert mail.outbox == []


def test_it_sends_with_a_progress_line_per_batch(five_subscribers):
    output = send_digest("--frequency", "weekly", "--batch-size", "2")

    assert len(mail.outbox) == 3
    progress = [line for line in output.splitlines() if line.startswith("已处理")]
    assert progress[0].startswith("已处理 2/5")
    assert progress[-1].startswith("已处理 5/5（发送 3，无新内容 2，失败 0）")
    assert len(progress) == 3
    assert "done: sent 3, skipped 2, failed 0" in output
    assert DigestDelivery.objects.filter(status="queued").count() == 0

    again = send_digest("--frequency", "weekly")
    assert "0 deliveries to process" in again
    assert len(mail.outbox) == 3


def test_it_refuses_a_day_to_come(world):
    tomorrow = (world.today + timedelta(days=1)).isoformat()
    with pytest.raises(CommandError):
        send_digest("--frequency", "weekly", "--date", tomorrow)
