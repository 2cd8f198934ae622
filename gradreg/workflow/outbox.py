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
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from gradreg.common.http import PostFailed, post_json
from gradreg.common.signed_http import signed_headers

from .models import OutboxEvent

log = logging.getLogger("gradreg.workflow.outbox")

Transport = Callable[[OutboxEvent], None]
Receiver = Callable[[str, str, Any], Any]  # (topic, idempotency key, payload)

FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
PENDING, SENT, FAILED = OutboxEvent.Status.PENDING, OutboxEvent.Status.SENT, OutboxEvent.Status.FAILED


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
    """A graduate's events go in order: a termination must not overtake the signing it ends."""
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


def backlog(*, now: datetime | None = None) -> dict[str, Any]:
    """What waits for EMS: pending and failed counts per topic, the oldest pending event's age,
    and the failed events with their last error (newest first, at most 50)."""
    at = now or timezone.now()
    open_rows = OutboxEvent.objects.filter(status__in=[PENDING, FAILED])
    by_topic: dict[str, dict[str, int]] = {}
    for topic, status, n in (open_rows.values_list("topic", "status").annotate(n=Count("id"))
                             .order_by("topic", "status")):
        by_topic.setdefault(topic, {"pending": 0, "failed": 0})[str(status)] = n
    oldest = totals()["oldest"]
    failed = list(OutboxEvent.objects.filter(status=FAILED).order_by("-id")[:50])
    return {
        "topics": [{"topic": t, **c} for t, c in sorted(by_topic.items())],
        "pending": sum(c["pending"] for c in by_topic.values()),
        "failed_count": sum(c["failed"] for c in by_topic.values()),
        "in_backoff": OutboxEvent.objects.filter(status=PENDING, available_at__gt=at).count(),
        "oldest_pending_at": oldest,
        "oldest_pending_age": (at - oldest) if oldest else None,
        "failed": failed,
    }
