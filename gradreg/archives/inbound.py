"""EMS → platform: 档案/户口 info reported or changed in EMS (seed 4.3.1: "同步更新到登记系统") registered here.

EMS writes `platform.transfer_updated` to the outbox; its delivery hands the event to `receive` (registered for
the "platform" system from apps.py). Each key is applied once (`ReceivedEvent`, in the transaction of the
change): a redelivery changes nothing. The record is registered with source 就业管理系统 and is not sent back
to EMS; it is audited on the record's chain and the important-fields signal goes out (`records.register`).
An unknown graduate, module or malformed info fails the delivery, visibly in the outbox.

When both sides changed the info before either heard of the other, the later change wins on both: each
graduate's events go in order, so the side whose own change is still undelivered keeps it (`undelivered`).
"""
from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from gradreg.common.errors import Invalid
from gradreg.ems.models import Graduate
from gradreg.ems.sync import BadEvent, UnknownTopic, event_graduate, undelivered
from gradreg.ems.transfer_modules import INFO_COLUMNS, MODULES, Module
from gradreg.ems.transfer_services import TOPIC_UPDATED
from gradreg.ems.transfer_validation import clean_info, info_of
from gradreg.workflow import audit
from gradreg.workflow.models import ReceivedEvent

from . import records
from .models import RecordSource, RecordState, TransferRecord

log = logging.getLogger("gradreg.archives.inbound")


def register_audited(record: TransferRecord, graduate: Graduate, module: Module, info: dict[str, str], *,
                     source: str, emit: records.Emit | None, action: str, label: str, actor=None,
                     data: dict[str, Any] | None = None) -> None:
    """Register the info (`records.register`) and record it on the record's chain, with what changed."""
    was = record.state
    before = info_of(record) if record.registered else {}
    records.register(record, graduate, module, info, source=source, emit=emit)
    changed = {n: [before.get(n, ""), info[n]] for n in INFO_COLUMNS if before.get(n, "") != info[n]}
    audit.record(item_type=module.item_type, item_id=record.pk, actor=actor, action=action, action_label=label,
                 from_state=was, to_state=RecordState.REGISTERED, data={**(data or {}), "changes": changed},
                 school_id=graduate.school_id)


def apply_transfer(graduate: Graduate, payload: dict[str, Any], key: str) -> None:
    """EMS's info becomes the graduate's registered info (source 就业管理系统), unless it is already that."""
    module = MODULES.get(str(payload.get("kind", "")))
    if module is None:
        raise BadEvent(f"未知的信息类别：{payload.get('kind')!r}")
    if not module.on_roster(graduate):
        raise BadEvent(f"该毕业生不在{module.title}的学生名单中（户口未迁入学校）")
    try:
        info = clean_info(module, payload)
    except Invalid as e:
        raise BadEvent(e.message) from None
    if not graduate.is_valid:
        # seed 4.4: an invalid graduate registers again after re-upload; EMS's late change is received, not applied
        log.warning("%s: graduate %s is invalid, EMS's %s info not applied", key, graduate.pk, module.kind)
        return
    record = records.locked_record(graduate, module)
    if record.registered and info_of(record) == info:
        return
    if undelivered(module.topic, graduate.pk):
        # registered here since EMS's edit, not yet in EMS: the platform's is newer, and EMS will receive it
        log.info("%s: a newer %s registration waits for EMS; EMS's edit not applied", key, module.kind)
        return
    first = not record.registered
    register_audited(record, graduate, module, info, source=RecordSource.EMS, emit=None, action="ems_update",
                     label=f"就业管理系统{'上报' if first else '修改'}{module.info}",
                     data={"updated_by": str(payload.get("updated_by", ""))[:50], "event": key})


def receive(topic: str, key: str, payload: Any) -> bool:
    """Apply one event from EMS; False when this key was applied before (a redelivery changes nothing)."""
    if topic != TOPIC_UPDATED:
        raise UnknownTopic(f"登记系统无法处理的事件类型：{topic}")
    if not isinstance(payload, dict):
        raise BadEvent("事件内容应为对象")
    with transaction.atomic():
        graduate = event_graduate(payload)  # locked: the key and the change are serialised per graduate
        _, created = ReceivedEvent.objects.get_or_create(
            idempotency_key=key, defaults={"topic": topic, "school_id": graduate.school_id})
        if not created:
            return False
        apply_transfer(graduate, payload, key)
        return True
