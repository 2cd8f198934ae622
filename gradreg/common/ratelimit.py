"""Counting failures or requests per key in the shared cache, for the limits of one-time codes and public
look-ups (a fixed window per key: the first hit starts it)."""
from __future__ import annotations

import hashlib
from collections.abc import Mapping

from django.core.cache import cache

from .cache import count_in_window, count_many_in_window


def hit(key: str, window_seconds: int) -> int:
    """Count one hit for `key` and return the window's count so far (one round trip on Redis)."""
    return count_in_window(key, window_seconds)


def hit_many(keys: list[str], window_seconds: int) -> list[int]:
    """`hit` for several keys in one round trip; their counts in order."""
    return count_many_in_window(keys, window_seconds)


def hit_all(keys: Mapping[str, int], window_seconds: int) -> None:
    for key in keys:
        hit(key, window_seconds)


def exceeded(limits: Mapping[str, int]) -> bool:
    """Any key (key -> limit) has used up its window's share."""
    counts = cache.get_many(list(limits))
    return any(counts.get(key, 0) >= limit for key, limit in limits.items())


def key_part(value: str) -> str:
    """A personal value as a cache-key part: short, plain, and not the value itself."""
    return hashlib.sha256(value.encode()).hexdigest()[:32]
