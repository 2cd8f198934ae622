"""The receiving end of the platform's sync to EMS: apply each delivered event exactly once.

Delivery is at least once (the outbox retries until EMS answers), so every event carries an
idempotency key and EMS records the keys it has applied in the same transaction as the change.
"""
from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from gradreg.codes.destinations import RECEIVING as DESTINATION_RECEIVING
from gradreg.codes.loader import code_map
from gradreg.workflow.models import OutboxEvent

from .models import SIGNING_SOURCE, AppliedEvent, DestinationSource, Graduate, ReportedDestination, ReportedTransfer
from .transfer_modules import INFO_COLUMNS, MODULES, Module
from .transfer_validation import REQUIRED, problems

log = logging.getLogger("gradreg.ems.sync")

# (graduate): what others must do when EMS stops holding a graduate's destination (a void, a termination, an
# invalidation): no important-fields signal tells of a clear. Each runs in the clearing transaction.
CLEARED_HOOKS: list[Callable[[Graduate], None]] = []


def _cleared(graduate: Graduate, deleted: int) -> None:
    if deleted:
        for hook in CLEARED_HOOKS:
            hook(graduate)


class UnknownTopic(ValueError):
    """An event EMS does not understand; its delivery fails and stays visible in the outbox."""


class PayloadConflict(Exception):
    """The idempotency key was applied before with other content: refused, nothing changes (a sender's bug)."""


class BadEvent(ValueError):
    """An event whose payload does not fit EMS's roster (unknown graduate, mismatched 考生号)."""


def _graduate(payload: dict[str, Any]) -> Graduate:
    try:
        graduate = Graduate.objects.select_for_update().get(pk=payload["graduate_id"])
    except (KeyError, Graduate.DoesNotExist, ValueError, TypeError):
        raise BadEvent(f"就业管理系统名单中没有该毕业生：{payload.get('graduate_id')!r}") from None
    if payload.get("exam_no") and payload["exam_no"] != graduate.exam_no:
        raise BadEvent(f"考生号不一致：事件为 {payload['exam_no']}，名单为 {graduate.exam_no}")
    return graduate


def event_graduate(payload: dict[str, Any]) -> Graduate:
    """The event's graduate, locked; BadEvent when unknown or the 考生号 differs (the platform's own receiver of
    EMS's events checks them the same way)."""
    return _graduate(payload)


def _source(raw: str) -> str:
    """Events name the source by its label (登记系统) or its value (platform)."""
    for choice in DestinationSource:
        if raw in (choice.value, choice.label):
            return choice.value
    raise BadEvent(f"未知的毕业去向来源：{raw!r}")


def _destination_code(payload: dict[str, Any]) -> str:
    if payload.get("destination_code"):
        return payload["destination_code"]
    by_name = {name: code for code, name in code_map("byqx").items()}
    return by_name.get(payload.get("destination", ""), "")


def _source_item(payload: dict[str, Any]) -> dict[str, Any]:
    """The platform item an event speaks for: `source_type` + `source_id`, or a signing's `signing_id`."""
    source_type = payload.get("source_type") or SIGNING_SOURCE
    raw = payload.get("source_id") if payload.get("source_type") else payload.get("signing_id")
    try:
        source_id = None if raw is None else int(raw)
    except (TypeError, ValueError):
        raise BadEvent(f"无法识别的来源记录：{raw!r}") from None
    return {"source_type": source_type, "source_id": source_id}


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


RECEIVING = tuple(name for name, _, _ in DESTINATION_RECEIVING)


def report_destination(payload: dict[str, Any]) -> None:
    """签约成功, an approved 补登 or registration: it becomes the destination EMS holds, read-only there."""
    graduate = _graduate(payload)
    ReportedDestination.objects.update_or_create(
        school_id=graduate.school_id,
        graduate=graduate,
        defaults={
            "source": _source(payload.get("source", DestinationSource.PLATFORM.label)),
            "destination": payload["destination"],
            "destination_code": _destination_code(payload),
            "employer_name": payload.get("employer_name", ""),
            "credit_code": payload.get("credit_code", ""),
            "employer_region": payload.get("employer_region", ""),
            "work_region": payload.get("work_region", ""),
            "position": payload.get("position", ""),
            "agreement_no": payload.get("agreement_no", ""),
            "subtype": payload.get("subtype", ""),
            "details": {**_dict(payload.get("details")), **{k: payload[k] for k in RECEIVING if payload.get(k)}},
            **_source_item(payload),
            "read_only": True,
            "reported_at": timezone.now(),
        },
    )


def clear_destination(payload: dict[str, Any]) -> None:
    """已解约 or 作废: clear the graduate's employment data, if EMS still holds that very item's destination."""
    graduate = _graduate(payload)
    deleted, _ = ReportedDestination.objects.filter(school_id=graduate.school_id, graduate=graduate,
                                                    **_source_item(payload)).delete()
    _cleared(graduate, deleted)


def _graduate_invalidated(payload: dict[str, Any]) -> None:
    """失效: the platform's items of this graduate no longer count, so EMS drops the destination they reported.

    What EMS holds from its own upload or interface stays; a restore sends the platform's items again.
    """
    graduate = _graduate(payload)
    deleted, _ = ReportedDestination.objects.filter(school_id=graduate.school_id, graduate=graduate,
                                                    source=DestinationSource.PLATFORM).delete()
    _cleared(graduate, deleted)


def _transfer_module(payload: dict[str, Any]) -> Module:
    found = MODULES.get(str(payload.get("kind", "")))
    if found is None:
        raise BadEvent(f"未知的信息类别：{payload.get('kind')!r}")
    return found


def partial_info(module: Module, data: dict[str, Any]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """(every info column, clean; the problems of the filled-in fields) by the module's validator. A field left
    empty is no problem here: info the platform registered from a destination lacks what it could not know
    (the 所在地 of a 升学 destination); a malformed field is."""
    raw = {name: payload_text(data.get(name)) for name in INFO_COLUMNS}
    clean, errors = problems(module, raw)
    bad = {name: found for name, found in errors.items() if found != [REQUIRED]}
    return {name: clean.get(name, "") for name in INFO_COLUMNS}, bad


def payload_text(value: Any) -> str:
    if value is None or isinstance(value, str):
        return value or ""
    raise BadEvent(f"档案/户口信息的字段应为文本：{value!r}")


def undelivered(topic: str, graduate_id: int, **match: Any) -> bool:
    """Does a change of this graduate still wait to go out under `topic`? Each graduate's events are delivered
    in order, so while one side's event is applied, an undelivered event of the other side was made later:
    that change is the newer one, and the other side will receive it."""
    return OutboxEvent.objects.filter(
        topic=topic, status__in=[OutboxEvent.Status.PENDING, OutboxEvent.Status.FAILED],
        payload__graduate_id=graduate_id, **{f"payload__{k}": v for k, v in match.items()}).exists()


# EMS's own change of 档案/户口 info, on its way to the platform (gradreg.ems.transfer_services)
TRANSFER_UPDATED = "platform.transfer_updated"


def report_transfer(payload: dict[str, Any]) -> None:
    """档案/户口 info registered on the platform (an approved application, the department's entry or import, a
    destination): it becomes the copy EMS holds, which EMS may still edit (seed 4.3.1). An edit made in EMS
    since, not yet delivered to the platform, is newer: it stays, and the platform will register it."""
    graduate = _graduate(payload)
    module = _transfer_module(payload)
    info, bad = partial_info(module, payload)
    if bad:
        raise BadEvent("；".join(f"{module.field(name).label}：{'，'.join(found)}" for name, found in bad.items()))
    if undelivered(TRANSFER_UPDATED, graduate.pk, kind=module.kind):
        return
    ReportedTransfer.objects.update_or_create(
        school_id=graduate.school_id, graduate=graduate, kind=module.kind,
        defaults={**info, "source": _source(payload.get("source", DestinationSource.PLATFORM.label)),
                  "reported_at": timezone.now()},
    )


def _acknowledge(payload: dict[str, Any]) -> None:
    """EMS made this change itself, in-process; only the receipt is recorded."""


HANDLERS: dict[str, Callable[[dict[str, Any]], None]] = {
    "ems.signing_completed": report_destination,
    "ems.signing_terminated": clear_destination,
    "ems.training_mode_changed": _acknowledge,
    "ems.graduate_invalidated": _graduate_invalidated,
    "ems.graduate_restored": _acknowledge,
    "ems.graduate_updated": _acknowledge,
}


def _school_of(payload: Any) -> int | None:
    """The school of the event's graduate (the receipt's distribution column); None for an event of none."""
    graduate_id = payload.get("graduate_id") if isinstance(payload, dict) else None
    if not isinstance(graduate_id, int):
        return None
    return Graduate.objects.filter(pk=graduate_id).values_list("school_id", flat=True).first()


def register_topic(topic: str, handler: Callable[[dict[str, Any]], None]) -> None:
    """A module above EMS teaches it a topic of its own (from its apps.py); a topic has one handler."""
    if HANDLERS.get(topic, handler) is not handler:
        raise ImproperlyConfigured(f"EMS already handles {topic} with {HANDLERS[topic].__qualname__}")
    HANDLERS[topic] = handler


def payload_hash(topic: str, payload: Any) -> str:
    """SHA-256 of the event's content in a canonical JSON form (sorted keys, no spaces, UTF-8)."""
    text = json.dumps({"topic": topic, "payload": payload}, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@transaction.atomic
def apply_event(topic: str, key: str, payload: dict[str, Any]) -> bool:
    """Apply one event; False when this key was applied before with the same content (a redelivery changes
    nothing); PayloadConflict when it was applied with other content."""
    handler = HANDLERS.get(topic)
    if handler is None:
        raise UnknownTopic(f"就业管理系统无法处理的事件类型：{topic}")
    digest = payload_hash(topic, payload)
    # the unique key serialises two concurrent deliveries of one event: the second finds it applied
    applied, created = AppliedEvent.objects.get_or_create(
        idempotency_key=key, defaults={"topic": topic, "school_id": _school_of(payload), "payload_hash": digest})
    if not created:
        if applied.payload_hash and applied.payload_hash != digest:
            log.warning("event %s applied before with other content (topic %s): refused", key, topic)
            raise PayloadConflict(f"幂等键 {key} 已用于内容不同的事件，本次请求被拒绝")
        return False
    handler(payload)
    return True
