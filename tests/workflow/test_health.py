"""`GET /healthz`: database, cache, worker heartbeat and outbox backlog, without a login, never a 500."""
from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from gradreg.workflow.health import HEARTBEAT_STALE, heartbeat_key, record_heartbeat
from gradreg.workflow.models import OutboxEvent
from gradreg.workflow.tasks import heartbeat

S = OutboxEvent.Status
CELERY = {"CELERY_TASK_ALWAYS_EAGER": False}
# nothing listens on port 1: every cache call fails at once with a connection error
DEAD_REDIS = {"default": {"BACKEND": "gradreg.common.cache.RedisCache",
                          "LOCATION": "redis://127.0.0.1:1/0"}}


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def event(n: int, status: str, **fields) -> OutboxEvent:
    return OutboxEvent.objects.create(topic="ems.graduate_restored", idempotency_key=f"health:{n}",
                                      payload={"n": n}, status=status, **fields)


def test_embedded_default_is_healthy_without_a_login(client, db):
    r = client.get("/healthz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == {"status": "ok"}
    assert body["checks"]["cache"] == {"status": "ok"}
    assert body["checks"]["worker"] == {"status": "ok", "mode": "in-process"}
    assert body["checks"]["outbox"] == {"status": "ok", "pending": 0, "failed": 0,
                                        "oldest_pending_age_seconds": None}
    assert "no-cache" in r["Cache-Control"] and "no-store" in r["Cache-Control"]


@override_settings(**CELERY)
def test_fresh_worker_heartbeat_is_healthy(client, db):
    record_heartbeat(time.time() - 12)
    r = client.get("/healthz")
    assert r.status_code == 200
    worker = r.json()["checks"]["worker"]
    assert worker["status"] == "ok" and worker["mode"] == "celery"
    assert 11 <= worker["heartbeat_age_seconds"] < 30


@override_settings(**CELERY)
def test_stale_heartbeat_is_503_with_the_reason(client, db):
    record_heartbeat(time.time() - HEARTBEAT_STALE - 60)
    r = client.get("/healthz")
    assert r.status_code == 503
    body = r.json()
    assert body["status"] == "down"
    assert body["checks"]["database"]["status"] == "ok"
    worker = body["checks"]["worker"]
    assert worker["status"] == "down"
    assert worker["heartbeat_age_seconds"] >= HEARTBEAT_STALE + 60
    assert "心跳已" in worker["reason"] and "未更新" in worker["reason"]


@override_settings(**CELERY)
def test_no_heartbeat_at_all_is_503(client, db):
    r = client.get("/healthz")
    assert r.status_code == 503
    assert "没有后台任务进程" in r.json()["checks"]["worker"]["reason"]


def test_heartbeat_task_writes_what_the_check_reads(db):
    before = time.time()
    heartbeat.apply()
    assert cache.get(heartbeat_key()) >= before


def test_outbox_backlog_and_failures_are_reported_but_keep_200(client, db):
    old = event(1, S.PENDING)
    OutboxEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(hours=3))
    event(2, S.PENDING)
    event(3, S.FAILED, attempts=10, last_error="DeliveryError: 就业管理系统返回 HTTP 500")
    event(4, S.SENT)
    r = client.get("/healthz")
    assert r.status_code == 200  # the pages still work; EMS trouble is for the operator, not the balancer
    body = r.json()
    assert body["status"] == "warn"
    outbox = body["checks"]["outbox"]
    assert outbox["status"] == "warn"
    assert (outbox["pending"], outbox["failed"]) == (2, 1)
    assert 3 * 3600 - 5 <= outbox["oldest_pending_age_seconds"] <= 3 * 3600 + 60
    assert "1 条事件多次投递失败" in outbox["reason"] and "最早的待同步事件已等待 180 分钟" in outbox["reason"]


@override_settings(CACHES=DEAD_REDIS, **CELERY)
def test_a_dead_cache_is_503_not_500(client, db):
    r = client.get("/healthz")
    assert r.status_code == 503
    body = r.json()
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["cache"]["status"] == "down"
    assert "缓存（Redis）不可用" in body["checks"]["cache"]["reason"]
    assert body["checks"]["worker"]["status"] == "down"


def test_only_reads_are_allowed(client, db):
    assert client.post("/healthz").status_code == 405
    assert client.head("/healthz").status_code == 200


def test_exempt_from_the_https_redirect(client, db):
    with override_settings(SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=[r"^healthz$"]):
        assert client.get("/healthz").status_code == 200
        assert client.get("/login/").status_code == 301
