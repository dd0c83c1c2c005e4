"""Handing tasks to the broker after commit, without letting a broker outage fail the request.

The rows a task works from are committed before the task is queued; when the
broker cannot take the task, the row says so and beat's requeue hands it out
again once the broker is back. A request never answers 500 for it, and the
transaction's other on-commit hooks still run.
"""

import logging
from collections.abc import Callable

from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# What a broker that is down, refusing or unreachable raises from apply_async.
BROKER_ERRORS = (OperationalError, OSError)


def dispatch(task, *args, on_failure: Callable[[], None] | None = None) -> bool:
    """Queue ``task(*args)`` now; False (logged, ``on_failure`` called) when the broker is down."""
    try:
        task.apply_async(args=args)
    except BROKER_ERRORS as exc:
        logger.warning("broker down, %s%r left for the requeue: %s", task.name, args, exc)
        if on_failure is not None:
            on_failure()
        return False
    return True


def dispatch_on_commit(task, *args, on_failure: Callable[[], None] | None = None) -> None:
    """Queue ``task(*args)`` once the current transaction commits (see ``dispatch``)."""
    transaction.on_commit(lambda: dispatch(task, *args, on_failure=on_failure))
