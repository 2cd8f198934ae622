"""档案/户口 receiving info registered with a destination flows into the two modules (seed 4.3.1, last paragraph).

When a signing completes, or a destination registration or 补登 is approved (or edited while live), the
destination apps send `important_fields_changed` with `live=True`. If the item carries 档案接收单位/地址 (户口接收
单位/地址, for a graduate whose 户口 moved to the school), the graduate's record of that module is registered
from it: the type 签约单位接收 (迁往就业单位) for a signing or an employment, 升学外校接收 for 境内升学; the region
is the item's. What the item cannot say (a 升学 destination's region, a 升学 户口 type) stays empty for the
department to complete. Info the graduate, the department, an import or EMS registered is never overwritten:
only a record not registered yet, or registered from a destination, is written. The record goes to EMS.
"""
from __future__ import annotations

import logging
from typing import Any

from gradreg.ems.models import Graduate
from gradreg.ems.sync import partial_info
from gradreg.ems.transfer_modules import ARCHIVE, HUKOU, Module
from gradreg.ems.transfer_validation import info_of, type_code

from . import records
from .inbound import register_audited
from .models import RecordSource

log = logging.getLogger("gradreg.archives.flowin")

STUDY = "境内升学"
# the type each module registers, for an employment and for 升学 (户口 has no 升学 type: left empty)
TYPES = {ARCHIVE.kind: ("签约单位接收", "升学外校接收"), HUKOU.kind: ("迁往就业单位", "")}
# the item's receiving info of each module: (unit, address)
RECEIVING = {ARCHIVE.kind: ("archive_unit", "archive_address"), HUKOU.kind: ("hukou_unit", "hukou_address")}
# a record registered from these is left alone
WRITABLE = frozenset({"", RecordSource.DESTINATION})


def _text(item: Any, name: str) -> str:
    return (getattr(item, name, "") or "").strip()


def info_from(item: Any, module: Module) -> dict[str, str] | None:
    """The module's info the item carries (None: it carries none, or a field the validator refuses)."""
    unit, address = (_text(item, name) for name in RECEIVING[module.kind])
    if not (unit or address):
        return None
    study = _text(item, "destination_type").startswith(STUDY)  # a signing has no type: an employment
    name = TYPES[module.kind][study]
    region = _text(item, "region") or _text(item, "employer_region")
    info, bad = partial_info(module, {"transfer_type": (type_code(module, name) or "") if name else "",
                                      "unit_name": unit, "address": address, "region": region})
    if bad:
        log.warning("%s %s: %s info not taken over: %s", type(item).__name__, item.pk, module.kind, bad)
        return None
    return info


def flow_in(sender, *, graduate, item, kind: str, live: bool = False, **kwargs) -> None:
    """`important_fields_changed` receiver: a live destination's receiving info registers the graduate's
    records (inside the transaction of the move that made it live)."""
    if kind != "destination" or not live:
        return
    wanted = [(m, info) for m in (ARCHIVE, HUKOU) if m.on_roster(graduate) and (info := info_from(item, m))]
    if not wanted:
        return
    graduate = Graduate.objects.select_for_update().get(school_id=graduate.school_id, pk=graduate.pk)
    for module, info in wanted:
        record = records.locked_record(graduate, module)
        if record.registered and (record.source not in WRITABLE or info_of(record) == info):
            continue
        source_type = getattr(item, "source_type", "signing")
        register_audited(record, graduate, module, info, source=RecordSource.DESTINATION,
                         emit=records.emit_now(graduate.school_id), action="destination",
                         label=f"由毕业去向登记{module.info}", data={"source_type": source_type, "source_id": item.pk})


def flow_in_many(sender, *, kind: str, changes: list[tuple[int, int, list[str]]], live: bool = False,
                 **kwargs) -> None:
    """`important_fields_changed_many` receiver: each live destination of the batch as `flow_in` takes one
    (no bulk sender sends destinations today: a batch of 档案/户口 records is ignored without a query)."""
    if kind != "destination" or not live:
        return
    graduates = Graduate.objects.in_bulk([graduate_id for graduate_id, _, _ in changes])
    items = sender._default_manager.in_bulk([item_id for _, item_id, _ in changes])
    for graduate_id, item_id, fields in changes:
        flow_in(sender, graduate=graduates[graduate_id], item=items[item_id], kind=kind, fields=fields, live=live)
