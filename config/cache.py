"""A Redis cache that fails open: when Redis is down, the portal keeps serving.

Every cache call that cannot reach Redis is logged and answered as a miss (or
a no-op), so pages are built from the database instead. After a failure the
backend does not try Redis again for ``RETRY_AFTER`` seconds, so that a dead
server costs one failed connection every few seconds, not one per call.
"""

import logging
import time
from collections.abc import Callable
from functools import wraps

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_AFTER = 5.0


def _fail_open(method: Callable, fallback: Callable) -> Callable:
    """Wrap a cache method: on a Redis error, log and return ``fallback(*args)``."""

    @wraps(method)
    def wrapper(self, *args, **kwargs):
        if time.monotonic() < self._down_until:
            return fallback(*args, **kwargs)
        try:
            return method(self, *args, **kwargs)
        except RedisError as exc:
            self._down_until = time.monotonic() + RETRY_AFTER
            logger.warning("cache unavailable, serving without it for %ss: %s", RETRY_AFTER, exc)
            return fallback(*args, **kwargs)

    return wrapper


def _get_default(key, default=None, version=None):
    return default


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's client builds a new redis.Redis for every call (~50 µs with redis-py 8,
    which copies its response callbacks each time); one per pool is enough (thread-safe)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)
            client = self._clients[index] = self._client(connection_pool=pool)
        return client


class FailOpenRedisCache(RedisCache):
    _down_until = 0.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    get = _fail_open(RedisCache.get, _get_default)
    get_many = _fail_open(RedisCache.get_many, lambda *a, **k: {})
    has_key = _fail_open(RedisCache.has_key, lambda *a, **k: False)
    add = _fail_open(RedisCache.add, lambda *a, **k: False)
    set = _fail_open(RedisCache.set, lambda *a, **k: None)
    set_many = _fail_open(RedisCache.set_many, lambda *a, **k: [])
    touch = _fail_open(RedisCache.touch, lambda *a, **k: False)
    delete = _fail_open(RedisCache.delete, lambda *a, **k: False)
    delete_many = _fail_open(RedisCache.delete_many, lambda *a, **k: None)
    incr = _fail_open(RedisCache.incr, lambda *a, **k: None)
    clear = _fail_open(RedisCache.clear, lambda *a, **k: None)
