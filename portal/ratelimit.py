"""A per-address rate limit for public forms, kept in the cache."""

from django.core.cache import cache


def over_rate_limit(request, *, scope: str, limit: int, window: int = 3600) -> bool:
    """Count one submission from this IP address; True past ``limit`` in ``window`` seconds.

    With the cache down the count is unknown and submissions are let through
    (the forms have a honeypot too).
    """
    key = f"ratelimit:{scope}:{request.META.get('REMOTE_ADDR', '')}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        count = 1
    return count is not None and count > limit
