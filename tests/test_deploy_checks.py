"""Production settings: `check --deploy` is clean, and bad configuration is refused.

Each test runs ``manage.py`` in a subprocess, because settings are read from
the environment once, when Django starts.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def base_env() -> dict[str, str]:
    """This process's environment without any DJANGO_* setting.

    DATABASE_URL / REDIS_URL (or the embedded server's folder) chosen by
    tests/services.py stay, so the subprocess finds the same servers.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    return env


def production_env(**overrides: str) -> dict[str, str]:
    env = base_env()
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="portal.example.org",
        # Production sends real mail; the console backend is refused (mail.E001).
        EMAIL_HOST="smtp.example.org",
        SITE_URL="https://portal.example.org",
    )
    env.update(overrides)
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_passes_the_deployment_checks_in_production():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output


def test_it_flags_console_email_in_production():
    env = production_env()
    del env["EMAIL_HOST"]
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "mail.E001" in output, output


def test_it_refuses_production_without_a_secret_key():
    env = production_env()
    del env["DJANGO_SECRET_KEY"]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_it_refuses_production_with_an_empty_secret_key():
    result = manage("check", env=production_env(DJANGO_SECRET_KEY=""))
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_it_refuses_a_sqlite_database_url():
    env = base_env()
    env["DATABASE_URL"] = "sqlite:///x"
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DATABASE_URL must be a postgresql:// URL" in result.stderr
    assert "not sqlite://" in result.stderr


def test_it_refuses_private_files_under_media_root(tmp_path):
    env = production_env(
        MEDIA_ROOT=str(tmp_path / "media"), PRIVATE_MEDIA_ROOT=str(tmp_path / "media" / "private")
    )
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "PRIVATE_MEDIA_ROOT" in result.stderr and "must be outside MEDIA_ROOT" in result.stderr


def test_it_refuses_a_negative_proxy_count():
    result = manage("check", env=production_env(TRUSTED_PROXY_COUNT="-1"))
    assert result.returncode != 0
    assert "TRUSTED_PROXY_COUNT=-1 must be 0 or more" in result.stderr


def test_it_runs_as_docker_compose_configures_it_behind_nginx(tmp_path):
    env = production_env(
        TRUSTED_PROXY_COUNT="1",
        PRIVATE_FILES_X_ACCEL="true",
        PRIVATE_MEDIA_ROOT=str(tmp_path / "private"),
    )
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output


def test_it_refuses_production_without_a_site_url():
    env = production_env()
    del env["SITE_URL"]
    result = manage("check", "--deploy", env=env)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "xiehui.E001" in output and "SITE_URL is not set" in output, output


def test_it_refuses_a_site_url_on_this_machine():
    result = manage("check", "--deploy", env=production_env(SITE_URL="http://127.0.0.1:8000"))
    output = result.stdout + result.stderr
    assert result.returncode != 0 and "xiehui.E003" in output, output


def test_it_serves_a_plain_http_intranet_with_one_warning():
    env = production_env(PLAIN_HTTP="true", SITE_URL="http://portal.intranet")
    result = manage("check", "--deploy", env=env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output  # a warning, not an error
    assert "xiehui.W001" in output and "PLAIN_HTTP is on" in output, output
    assert "security.W012" not in output and "security.W016" not in output, output
    cookies = manage(
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT)",
        env=env,
    )
    assert cookies.stdout.split()[-3:] == ["False", "False", "False"], cookies.stderr
