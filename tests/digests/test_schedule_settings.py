"""The beat schedule's digest times come from the environment and fail loudly when wrong."""

import os
import subprocess
import sys

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.settings import env_monthly_at, env_weekly_at


def test_it_schedules_the_digests_on_monday_and_the_first_at_eight():
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["digest-weekly"]["schedule"] == crontab(day_of_week="mon", hour=8, minute=0)
    assert schedule["digest-weekly"]["args"] == ("weekly",)
    assert schedule["digest-monthly"]["schedule"] == crontab(day_of_month=1, hour=8, minute=0)
    assert schedule["digest-monthly"]["args"] == ("monthly",)
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"


def test_it_reads_the_times_from_the_environment(monkeypatch):
    monkeypatch.setenv("DIGEST_WEEKLY_AT", "Fri 17:30")
    monkeypatch.setenv("DIGEST_MONTHLY_AT", "28 06:05")

    assert env_weekly_at("DIGEST_WEEKLY_AT", "mon 08:00") == crontab(
        day_of_week="fri", hour=17, minute=30
    )
    assert env_monthly_at("DIGEST_MONTHLY_AT", "1 08:00") == crontab(
        day_of_month=28, hour=6, minute=5
    )


@pytest.mark.parametrize("value", ["monday", "mon 8", "mon 24:00", "xyz 08:00", "mon 08:60"])
def test_it_refuses_a_bad_weekly_time(monkeypatch, value):
    monkeypatch.setenv("DIGEST_WEEKLY_AT", value)
    with pytest.raises(ImproperlyConfigured, match="DIGEST_WEEKLY_AT"):
        env_weekly_at("DIGEST_WEEKLY_AT", "mon 08:00")


@pytest.mark.parametrize("value", ["31 08:00", "0 08:00", "1", "first 08:00", "1 8h"])
def test_it_refuses_a_bad_monthly_time(monkeypatch, value):
    monkeypatch.setenv("DIGEST_MONTHLY_AT", value)
    with pytest.raises(ImproperlyConfigured, match="DIGEST_MONTHLY_AT"):
        env_monthly_at("DIGEST_MONTHLY_AT", "1 08:00")


def _import_settings(**env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DIGEST_CLAIM_SECONDS": "10"}, "DIGEST_CLAIM_SECONDS"),
        ({"DIGEST_CLAIM_SECONDS": "300", "EMAIL_TIMEOUT": "60"}, "DIGEST_CLAIM_SECONDS"),
        ({"OUTBOX_CLAIM_SECONDS": "60"}, "OUTBOX_CLAIM_SECONDS"),
    ],
)
def test_it_refuses_a_claim_shorter_than_a_slow_message_can_take(env, named):
    result = _import_settings(**env)
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {named}=" in result.stderr


def test_it_accepts_a_short_claim_with_a_short_smtp_timeout():
    assert _import_settings(DIGEST_CLAIM_SECONDS="10", EMAIL_TIMEOUT="1").returncode == 0
