"""`GET /healthz`: is this deployment able to serve and to do its background work?

A load balancer calls it over plain http without a session, so it is exempt from the HTTPS redirect
(SECURE_REDIRECT_EXEMPT) and needs no login. A few cheap queries, never cached, never a 500: each
check catches its own failure and says why in Chinese. 503 when the database, the cache or the
worker is down; a backlog or failures in the outbox are reported but keep 200, since the pages still
work and taking every web server out of rotation would not bring EMS back.
"""
from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .outbox import totals as outbox_totals

# The worker writes its heartbeat every HEARTBEAT_INTERVAL seconds (CELERY_BEAT_SCHEDULE) and when it
# starts; after HEARTBEAT_STALE seconds without one (three missed beats and some slack) it counts as down.
HEARTBEAT_INTERVAL = 30.0
HEARTBEAT_STALE = 120.0
# A pending event older than this means delivery is stuck (the longest backoff between tries is 1 h).
OUTBOX_OLDEST_WARN = 2 * 60 * 60


def heartbeat_key() -> str:
    """One key per database: two deployments sharing a Redis never read each other's worker."""
    return f"gradreg:worker-heartbeat:{settings.DATABASES['default']['NAME']}"


def record_heartbeat(at: float | None = None) -> float:
    at = time.time() if at is None else at
    cache.set(heartbeat_key(), at, timeout=None)
    return at


def _reason(prefix: str, exc: Exception) -> str:
    return f"{prefix}：{type(exc).__name__}: {exc}"[:300]


def check_database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means the same thing here: no database
        return {"status": "down", "reason": _reason("数据库不可用", exc)}
    return {"status": "ok"}


def check_cache() -> dict[str, Any]:
    key = f"gradreg:healthz:{time.time_ns()}"
    try:
        cache.set(key, "1", timeout=10)
        value = cache.get(key)
        cache.delete(key)
    except Exception as exc:  # Redis down or unreachable: the login counters and the worker's beat are gone
        return {"status": "down", "reason": _reason("缓存（Redis）不可用", exc)}
    if value != "1":
        return {"status": "down", "reason": "缓存（Redis）写入后读不回数据"}
    return {"status": "ok"}


def check_worker(cache_ok: bool) -> dict[str, Any]:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # the embedded default: background work runs inside the web process, there is no worker to lose
        return {"status": "ok", "mode": "in-process"}
    if not cache_ok:
        return {"status": "down", "mode": "celery", "reason": "缓存不可用，无法读取后台任务进程的心跳"}
    try:
        beat = cache.get(heartbeat_key())
    except Exception as exc:
        return {"status": "down", "mode": "celery", "reason": _reason("无法读取后台任务进程的心跳", exc)}
    if beat is None:
        return {"status": "down", "mode": "celery", "heartbeat_age_seconds": None,
                "reason": "没有后台任务进程（Celery worker）的心跳：worker 或 beat 未运行"}
    age = round(max(time.time() - float(beat), 0.0), 1)
    result: dict[str, Any] = {"status": "ok", "mode": "celery", "heartbeat_age_seconds": age}
    if age > HEARTBEAT_STALE:
        result.update(status="down",
                      reason=f"后台任务进程（Celery worker）的心跳已 {age:.0f} 秒未更新（超过 {HEARTBEAT_STALE:.0f} 秒）")
    return result


def check_outbox() -> dict[str, Any]:
    """Pending and failed events for EMS, and the oldest pending one's age: one indexed query."""
    try:
        row = outbox_totals()
    except Exception as exc:
        return {"status": "down", "reason": _reason("无法读取待同步事件", exc)}
    age = (timezone.now() - row["oldest"]).total_seconds() if row["oldest"] else None
    result: dict[str, Any] = {
        "status": "ok", "pending": row["pending"], "failed": row["failed"],
        "oldest_pending_age_seconds": round(age, 1) if age is not None else None,
    }
    reasons = []
    if row["failed"]:
        reasons.append(f"{row['failed']} 条事件多次投递失败，需处理后重新投递（manage.py deliver_outbox --retry-failed）")
    if age is not None and age > OUTBOX_OLDEST_WARN:
        reasons.append(f"最早的待同步事件已等待 {age / 60:.0f} 分钟")
    if reasons:
        result.update(status="warn", reason="；".join(reasons))
    return result


def health() -> tuple[bool, dict[str, Any]]:
    """(healthy, report): healthy unless the database, the cache or the worker is down."""
    database = check_database()
    cache_check = check_cache()
    checks = {
        "database": database,
        "cache": cache_check,
        "worker": check_worker(cache_check["status"] == "ok"),
        "outbox": check_outbox() if database["status"] == "ok" else {"status": "down", "reason": "数据库不可用"},
    }
    healthy = all(checks[name]["status"] == "ok" for name in ("database", "cache", "worker"))
    status = "ok" if healthy and checks["outbox"]["status"] == "ok" else ("warn" if healthy else "down")
    return healthy, {"status": status, "time": timezone.now().isoformat(), "checks": checks}


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    started = time.perf_counter()
    healthy, report = health()
    report["elapsed_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return JsonResponse(report, status=200 if healthy else 503, json_dumps_params={"ensure_ascii": False})
