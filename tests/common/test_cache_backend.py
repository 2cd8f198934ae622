"""The Redis cache backend keeps one client per pool, and still behaves as Django's (real Redis, db 13)."""
from __future__ import annotations

import threading

import pytest
from django.core.cache import caches
from django.test import override_settings

from gradreg.common.cache import count_in_window

REDIS = {"default": {"BACKEND": "gradreg.common.cache.RedisCache", "LOCATION": "redis://127.0.0.1:6379/13"}}


@pytest.fixture
def redis_cache():
    with override_settings(CACHES=REDIS):
        cache = caches["default"]
        cache.clear()
        yield cache
        cache.clear()


def test_one_client_serves_every_call(redis_cache):
    client = redis_cache._cache
    assert client.get_client("a") is client.get_client("b")
    assert client.get_client("a", write=True) is client.get_client("b")  # one server: one pool for both


def test_reads_writes_and_deletes_as_django_does(redis_cache):
    redis_cache.set("k", {"n": 1}, 30)
    assert redis_cache.get("k") == {"n": 1}
    assert redis_cache.get_many(["k", "missing"]) == {"k": {"n": 1}}
    assert redis_cache.add("k", 2) is False
    assert redis_cache.add("count", 0) is True
    assert redis_cache.incr("count", 2) == 2
    redis_cache.delete("k")
    assert redis_cache.get("k") is None


def test_threads_share_the_client_without_mixing_answers(redis_cache):
    errors: list[str] = []

    def work(n: int) -> None:
        cache = caches["default"]  # each thread gets its own backend object, as under gunicorn's threads
        for i in range(50):
            cache.set(f"t{n}:{i}", n * 1000 + i, 30)
            if cache.get(f"t{n}:{i}") != n * 1000 + i:
                errors.append(f"{n}:{i}")

    with override_settings(CACHES=REDIS):
        threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []


def test_count_in_window_counts_in_one_window_on_redis_and_elsewhere(redis_cache):
    assert [count_in_window("hits", 30) for _ in range(3)] == [1, 2, 3]
    assert redis_cache.get("hits") == 3  # stored as Django stores an int: get and incr read it
    client = redis_cache._cache.get_client(write=True)
    assert 0 < client.ttl(redis_cache.make_and_validate_key("hits")) <= 30  # the first event starts the window
    redis_cache.delete("hits")
    assert count_in_window("hits", 30) == 1
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}):
        assert [count_in_window("hits", 30) for _ in range(2)] == [1, 2]
