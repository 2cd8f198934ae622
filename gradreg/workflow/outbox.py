"""Delivery of outbox events to EMS: at least once, in order per graduate, retried with backoff.

EMS applies each idempotency key once (its receiver, `gradreg.ems.sync.apply_event`), so a redelivery
after a crash between "EMS applied it" and "the row is marked sent" changes nothing there.

The "local" transport hands an event to the receiver registered in this deployment for its topic's
system (the part before the first dot: "ems.signing_completed" goes to "ems"); the EMS app registers
its receiver in its `apps.py` (`register_receiver("ems", apply_event)`), so this module names no app.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from gradreg.common.errors import Conflict, Forbidden, Invalid, NotFound
from gradreg.common.http import PostFailed, post_json
from gradreg.common.pagination import Page, paginate
from gradreg.common.roles import Role
from gradreg.common.signed_http import signed_headers
from gradreg.notifications.services import deliver

from . import audit
from .models import OutboxEvent

log = logging.getLogger("gradreg.workflow.outbox")

Transport = Callable[[OutboxEvent], None]
Receiver = Callable[[str, str, Any], Any]  # (topic, idempotency key, payload)

FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
PENDING, SENT, FAILED = OutboxEvent.Status.PENDING, OutboxEvent.Status.SENT, OutboxEvent.Status.FAILED
DISCARDED = OutboxEvent.Status.DISCARDED


class DeliveryError(Exception):
    """EMS did not confirm the event (error status, timeout, unreachable)."""


def backoff(failures: int) -> timedelta:
    """The wait after `failures` failed tries: 30 s, 1 min, 2 min, … at most 1 h."""
    return min(FIRST_RETRY * 2 ** min(max(failures - 1, 0), 16), LONGEST_WAIT)


# ---- transports -------------------------------------------------------------------------------------

RECEIVERS: dict[str, Receiver] = {}


def register_receiver(system: str, receiver: Receiver) -> None:
    """`receiver` applies, in this process, the events whose topic starts with "`system`."."""
    RECEIVERS[system] = receiver


def local_transport(event: OutboxEvent) -> None:
    """EMS runs inside this deployment: apply the event in-process."""
    system = event.topic.split(".", 1)[0]
    receiver = RECEIVERS.get(system)
    if receiver is None:
        raise DeliveryError(f"本部署内没有接收 {system} 事件的系统")
    receiver(event.topic, event.idempotency_key, event.payload)


def _sign(path: str, body: bytes) -> dict[str, str]:
    return signed_headers(settings.EMS_CLIENT_ID, settings.EMS_CLIENT_KEY, "POST", path, body)


def http_transport(event: OutboxEvent) -> None:
    """An external EMS: POST {topic, key, payload}, signed (docs/ems-protocol.md), within EMS_TIMEOUT_SECONDS;
    only a 2xx answer counts as delivered."""
    try:
        post_json(settings.EMS_URL, {"topic": event.topic, "key": event.idempotency_key, "payload": event.payload},
                  timeout=settings.EMS_TIMEOUT_SECONDS, headers={"Idempotency-Key": event.idempotency_key},
                  sign=_sign)
    except PostFailed as exc:
        if exc.status is not None:
            raise DeliveryError(f"就业管理系统返回 HTTP {exc.status}") from exc
        raise DeliveryError(f"无法连接就业管理系统：{exc.reason}") from exc


def get_transport() -> Transport:
    """The transport named by EMS_TRANSPORT; a bad configuration stops delivery before any row is touched."""
    name = settings.EMS_TRANSPORT
    if name == "local":
        return local_transport
    if name == "http":
        if not str(settings.EMS_URL).startswith(("http://", "https://")):
            raise ImproperlyConfigured("EMS_TRANSPORT=http needs EMS_URL (http:// or https://)")
        return http_transport
    raise ImproperlyConfigured(f"EMS_TRANSPORT must be 'local' or 'http', got {name!r}")


# ---- delivery ---------------------------------------------------------------------------------------

def _waits_for_earlier(event: OutboxEvent) -> bool:
    """A graduate's events go in order: a termination must not overtake the signing it ends.

    A discarded event waits for nothing and holds nothing back: discarding it lets the graduate's later
    events go (the operator decided EMS shall never have it)."""
    graduate_id = event.payload.get("graduate_id") if isinstance(event.payload, dict) else None
    if graduate_id is None:
        return False
    return OutboxEvent.objects.filter(
        id__lt=event.id, status__in=[PENDING, FAILED], payload__graduate_id=graduate_id
    ).exists()


def _record_failure(event: OutboxEvent, exc: Exception, at: datetime) -> None:
    event.attempts += 1
    event.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    if event.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        event.status = FAILED
        log.error("outbox %s %s failed for good after %s attempts: %s",
                  event.topic, event.idempotency_key, event.attempts, event.last_error)
    else:
        event.available_at = at + backoff(event.attempts)
        log.warning("outbox %s %s failed (attempt %s), retry at %s: %s",
                    event.topic, event.idempotency_key, event.attempts, event.available_at, event.last_error)
    event.save(update_fields=["attempts", "last_error", "status", "available_at"])


def _deliver_one(pk: int, transport: Transport, at: datetime) -> str | None:
    """Deliver one row in its own transaction; the outcome, or None if another worker has it."""
    with transaction.atomic():
        qs = OutboxEvent.objects.filter(pk=pk, status=PENDING, available_at__lte=at)
        # PostgreSQL: a row another worker holds is skipped. SQLite has no row locks; its writes
        # are serialised (BEGIN IMMEDIATE), so the status re-read here is already current.
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        else:
            qs = qs.select_for_update()
        event = qs.first()
        if event is None:
            return None
        if _waits_for_earlier(event):
            return "held"
        try:
            transport(event)
        except Exception as exc:  # any failure of one event is recorded on it; the others still go
            _record_failure(event, exc, at)
            return "failed"
        event.attempts += 1
        event.status = SENT
        event.sent_at = at
        event.last_error = ""
        event.save(update_fields=["attempts", "status", "sent_at", "last_error"])
        return "sent"


def deliver_pending(*, limit: int = 100, now: datetime | None = None) -> dict[str, int]:
    """One pass over the due rows, oldest first: counts of rows sent, failed and held back.

    `limit` bounds the rows tried; rows held behind an earlier event of their graduate do not count,
    so a graduate stuck on a failed event never starves the others.
    """
    transport = get_transport()
    cutoff = now or timezone.now()
    due = OutboxEvent.objects.filter(status=PENDING, available_at__lte=cutoff).order_by("id")
    counts = {"sent": 0, "failed": 0, "held": 0}
    after = 0
    while counts["sent"] + counts["failed"] < limit:
        batch = list(due.filter(id__gt=after).values_list("id", flat=True)[:limit])
        if not batch:
            break
        for pk in batch:
            if counts["sent"] + counts["failed"] >= limit:
                break
            try:
                outcome = _deliver_one(pk, transport, now or timezone.now())
            except DatabaseError:
                log.exception("outbox row %s could not be processed", pk)
                outcome = "failed"
            if outcome is not None:
                counts[outcome] += 1
        after = batch[-1]
    return counts


@transaction.atomic
def retry_failed(*, ids: list[int] | None = None, now: datetime | None = None) -> int:
    """Put events that ran out of attempts back in the queue (after EMS or the data is fixed).

    A requeued event still goes after the earlier events of its graduate, so those earlier events,
    if they wait out a backoff, are made due now as well: otherwise the retry would deliver nothing.
    Without `ids` every event in backoff is made due (EMS is back: the waiting is pointless).
    """
    at = now or timezone.now()
    qs = OutboxEvent.objects.filter(status=FAILED)
    if ids:
        qs = qs.filter(id__in=ids)
    requeued = list(qs.values_list("id", "payload"))
    if ids:
        for pk, payload in requeued:
            graduate_id = payload.get("graduate_id") if isinstance(payload, dict) else None
            if graduate_id is not None:
                _bring_forward(at, id__lt=pk, payload__graduate_id=graduate_id)
    else:
        _bring_forward(at)
    return OutboxEvent.objects.filter(id__in=[pk for pk, _ in requeued]).update(
        status=PENDING, attempts=0, available_at=at)


def _bring_forward(at: datetime, **where: Any) -> int:
    return OutboxEvent.objects.filter(status=PENDING, available_at__gt=at, **where).update(available_at=at)


def deliver_now(*, retry: bool = True, limit: int = 1000, now: datetime | None = None) -> dict[str, int]:
    """立即投递: ignore the backoff of every pending event (and with `retry`, requeue the failed ones),
    then deliver in one pass, each graduate's events still in order.

    The operator's answer to "EMS is back": what would otherwise wait up to an hour goes at once.
    Counts as `deliver_pending`, plus "requeued" and "brought_forward".
    """
    at = now or timezone.now()
    get_transport()  # a bad configuration stops here, before any row is touched
    with transaction.atomic():
        requeued = retry_failed(now=at) if retry else 0
        brought = _bring_forward(at)
    counts = deliver_pending(limit=limit, now=at)
    return {**counts, "requeued": requeued, "brought_forward": brought}


def totals() -> dict[str, Any]:
    """Pending and failed events and the oldest pending one's creation time, in one indexed query
    (what `/healthz` reports; `backlog` adds the per-topic detail)."""
    return OutboxEvent.objects.filter(status__in=[PENDING, FAILED]).aggregate(
        pending=Count("id", filter=Q(status=PENDING)),
        failed=Count("id", filter=Q(status=FAILED)),
        oldest=Min("created_at", filter=Q(status=PENDING)),
    )


def backlog(*, school_id: int | None = None, now: datetime | None = None) -> dict[str, Any]:
    """What waits for EMS, in grouped queries (no per-row work): pending and failed counts per topic with each
    topic's oldest pending event, the events in backoff and the oldest pending event's age. With `school_id`,
    only that school's events. The failed events themselves are `failed_events` (paginated)."""
    at = now or timezone.now()
    open_rows = OutboxEvent.objects.filter(status__in=[PENDING, FAILED])
    if school_id is not None:
        open_rows = open_rows.filter(school_id=school_id)
    topics = list(open_rows.values("topic").annotate(
        pending=Count("id", filter=Q(status=PENDING)),
        failed=Count("id", filter=Q(status=FAILED)),
        in_backoff=Count("id", filter=Q(status=PENDING, available_at__gt=at)),
        oldest=Min("created_at", filter=Q(status=PENDING)),
    ).order_by("topic"))
    for t in topics:
        t["oldest_age"] = (at - t["oldest"]) if t["oldest"] else None
    oldest = min((t["oldest"] for t in topics if t["oldest"]), default=None)
    return {
        "topics": topics,
        "pending": sum(t["pending"] for t in topics),
        "failed_count": sum(t["failed"] for t in topics),
        "in_backoff": sum(t["in_backoff"] for t in topics),
        "oldest_pending_at": oldest,
        "oldest_pending_age": (at - oldest) if oldest else None,
    }


# ---- the operator's actions -------------------------------------------------------------------------

REASON_MAX = 500
ALERT_EVERY = 3600  # seconds: one alert per condition per hour


def ensure_operator(actor) -> None:
    """重试, 放弃 and 立即投递 are the operator's only."""
    if getattr(actor, "role", None) != Role.OPERATOR:
        raise Forbidden("EMS 投递管理仅对系统管理员开放。")


def scope_for(actor) -> int | None:
    """Whose events `actor` may see: None for every event (an operator), a school user's own school's id;
    anyone else is refused."""
    role = getattr(actor, "role", None)
    if role == Role.OPERATOR:
        return None
    if role == Role.SCHOOL and actor.school_id:
        return actor.school_id
    raise Forbidden("EMS 投递情况仅对系统管理员和学校用户开放。")


def failed_events(*, school_id: int | None = None, page: Any = 1, size: Any = 20) -> Page:
    """The events that ran out of attempts, newest first, with their last error and attempts: one COUNT
    and one page SELECT. With `school_id`, only that school's events (a school's read-only view)."""
    qs = OutboxEvent.objects.filter(status=FAILED).order_by("-id")
    if school_id is not None:
        qs = qs.filter(school_id=school_id)
    return paginate(qs, page, size, rows=lambda q: q.only(
        "id", "topic", "idempotency_key", "school_id", "status", "attempts", "last_error", "created_at"))


def _open_event(pk: Any) -> OutboxEvent:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound("没有这条投递事件。") from None
    event = OutboxEvent.objects.select_for_update().filter(pk=pk).first()
    if event is None:
        raise NotFound("没有这条投递事件。")
    return event


@transaction.atomic
def retry_one(pk: Any, *, now: datetime | None = None) -> OutboxEvent:
    """重试 one failed event: back in the queue, due now (the earlier events of its graduate as well)."""
    event = _open_event(pk)
    if event.status != FAILED:
        raise Conflict(f"该事件当前状态为“{event.get_status_display()}”，只有投递失败的事件可以重试。")
    retry_failed(ids=[event.pk], now=now)
    event.refresh_from_db()
    return event


def clean_reason(reason: Any) -> str:
    """The reason of a discard: required, 1–500 characters, no control characters (Chinese errors)."""
    if not isinstance(reason, str):
        raise Invalid({"reason": ["请填写放弃投递的原因。"]}, labels={"reason": "原因"})
    text = reason.strip()
    if not text:
        raise Invalid({"reason": ["请填写放弃投递的原因。"]}, labels={"reason": "原因"})
    if len(text) > REASON_MAX:
        raise Invalid({"reason": [f"原因最多 {REASON_MAX} 个字符（现有 {len(text)} 个）。"]}, labels={"reason": "原因"})
    if any(ord(c) < 32 and c not in "\n\t" or ord(c) == 127 for c in text):
        raise Invalid({"reason": ["原因含有不可见的控制字符，请删除后重试。"]}, labels={"reason": "原因"})
    return text


@transaction.atomic
def discard(pk: Any, *, actor, reason: Any, ip: str | None = None) -> OutboxEvent:
    """放弃投递: the event is never delivered (a terminal state), and its graduate's later events no longer
    wait for it. Who and why are audited on the event."""
    text = clean_reason(reason)
    event = _open_event(pk)
    if event.status not in (PENDING, FAILED):
        raise Conflict(f"该事件当前状态为“{event.get_status_display()}”，不能放弃投递。")
    before = event.status
    event.status = DISCARDED
    event.save(update_fields=["status"])
    audit.record(item_type="outbox_event", item_id=event.pk, actor=actor, action="discard", action_label="放弃投递",
                 from_state=str(before), to_state=str(DISCARDED), reason=text, ip=ip, school_id=event.school_id,
                 data={"topic": event.topic, "idempotency_key": event.idempotency_key})
    log.warning("outbox %s %s discarded by %s: %s", event.topic, event.idempotency_key,
                getattr(actor, "username", "?"), text)
    return event


# ---- the alert --------------------------------------------------------------------------------------

def alert_operators(*, now: datetime | None = None) -> list[str]:
    """One in-app message to every operator when the oldest pending event is older than
    OUTBOX_ALERT_AGE_MINUTES, and one when an event has newly failed for good; each condition at most once
    an hour (a cache key). Run by the periodic pass. Returns the conditions alerted."""
    at = now or timezone.now()
    t = totals()
    alerts: list[tuple[str, str, str]] = []
    limit = timedelta(minutes=settings.OUTBOX_ALERT_AGE_MINUTES)
    if t["oldest"] is not None and at - t["oldest"] > limit and cache.add("outbox-alert:stale", 1, ALERT_EVERY):
        minutes = int((at - t["oldest"]).total_seconds() // 60)
        alerts.append(("stale", "EMS 投递积压",
                       f"最早的待投递事件已等待 {minutes} 分钟（超过 {settings.OUTBOX_ALERT_AGE_MINUTES} 分钟），"
                       f"待投递 {t['pending']} 条。请检查就业管理系统的连接。"))
    newest_failed = OutboxEvent.objects.filter(status=FAILED).aggregate(m=Max("id"))["m"]
    seen = cache.get("outbox-alert:failed-seen", 0)
    if newest_failed and newest_failed > seen and cache.add("outbox-alert:failed", 1, ALERT_EVERY):
        cache.set("outbox-alert:failed-seen", newest_failed, None)
        alerts.append(("failed", "EMS 投递失败",
                       f"有事件多次投递仍失败（共 {t['failed']} 条投递失败），请在 EMS 投递页面重试或放弃。"))
    if alerts:
        operators = list(get_user_model().objects.filter(role=Role.OPERATOR, is_active=True))
        deliver([{"recipient": u, "title": title, "body": body, "url_name": "ems:outbox", "url_args": []}
                 for _, title, body in alerts for u in operators])
        for kind, title, _ in alerts:
            log.error("outbox alert %s sent to %s operators: %s", kind, len(operators), title)
    return [kind for kind, _, _ in alerts]
