"""Per-object cached values that a write can invalidate without knowing every key it stored.

Each object (a user, say) has a version token in the cache; a value is stored together with the token
read *before* the database was read, and is served only while the token is still current. Invalidating
replaces the token, at once and again after the transaction commits:

- a reader that loaded the old rows before the commit stored them under the old token, which the
  commit then retires, so a stale value is never served after the write is visible;
- an evicted token is simply made anew, which retires every value stored under the old one;
- one round trip reads both the token and the value (`get_many`).
"""
from __future__ import annotations

import secrets
from typing import Any

from django.core.cache import cache
from django.db import transaction

MISSING: Any = object()


class VersionedCache:
    def __init__(self, prefix: str, ttl: int) -> None:
        self.prefix = prefix
        self.ttl = ttl

    def _version_key(self, ident: object) -> str:
        return f"{self.prefix}:v:{ident}"

    def _value_key(self, ident: object, variant: str) -> str:
        return f"{self.prefix}:d:{ident}:{variant}"

    def get(self, ident: object, variant: str = "") -> tuple[Any, str]:
        """(the cached value or MISSING, the version to pass to `set` after reading the database)."""
        version_key, value_key = self._version_key(ident), self._value_key(ident, variant)
        got = cache.get_many([version_key, value_key])
        version = got.get(version_key)
        if version is None:
            # add, not set: two readers racing here must agree on one token
            cache.add(version_key, secrets.token_hex(8), self.ttl)
            return MISSING, cache.get(version_key) or ""
        entry = got.get(value_key)
        if entry is not None and entry[0] == version:
            return entry[1], version
        return MISSING, version

    def set(self, ident: object, variant: str, version: str, value: Any) -> None:
        if version:
            cache.set(self._value_key(ident, variant), (version, value), self.ttl)

    def invalidate(self, ident: object) -> None:
        """Retire every value of `ident` now and once more when the current transaction commits."""
        self._bump(ident)
        transaction.on_commit(lambda: self._bump(ident))

    def _bump(self, ident: object) -> None:
        cache.set(self._version_key(ident), secrets.token_hex(8), self.ttl)
