"""Changes to a graduate's registered information that others must know of (SPEC 4.8, 4.9).

A destination (from a signing, a 补登 or a registration), 档案 or 户口 info whose *important* fields
change sends `important_fields_changed`, inside the transaction of the change: 登记确认 goes back to
未确认 and a 转递编号 turns stale. Which fields are important is declared once, here.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.dispatch import Signal

# the fields of a reported destination that a confirmation or a transfer code depends on
IMPORTANT_DESTINATION_FIELDS = (
    "destination_type", "subtype", "destination_code", "unit_name", "credit_code", "region",
    "institution", "major", "study_level", "country", "archive_unit", "archive_address", "hukou_unit", "hukou_address",
)

# the fields of registered 档案/户口 info (seed 4) a confirmation or a transfer code depends on
IMPORTANT_TRANSFER_FIELDS = ("transfer_type", "unit_name", "address", "region")

# sender: the module's item class; kwargs: graduate, item, kind ("destination", "archive", "hukou"), fields,
# live (the item is now the graduate's live destination: its 档案/户口 receiving info flows into those modules)
important_fields_changed = Signal()

# its bulk form, sent once for many items of one kind (a batch import registering thousands of records):
# sender: the items' class; kwargs: kind, changes (a list of (graduate_id, item_id, fields), fields sorted and
# never empty), live. Whoever listens to `important_fields_changed` listens to this one too, and handles each
# change as that signal's (loading the graduates and items it needs, in bulk where it acts on many).
important_fields_changed_many = Signal()


def connect(handle: Callable[..., Any], *, dispatch_uid: str) -> None:
    """Connect `handle(kind, [(graduate id, fields)...], school_id)` to both signals: one change with its
    graduate's school, a batch as one call (school_id None: the batch may span schools)."""
    def one(sender, *, graduate, kind: str, fields, **kwargs) -> None:
        handle(kind, [(graduate.pk, fields)], graduate.school_id)

    def many(sender, *, kind: str, changes, **kwargs) -> None:
        handle(kind, [(graduate_id, fields) for graduate_id, _item_id, fields in changes], None)

    # held strongly: the two closures have no other reference
    important_fields_changed.connect(one, dispatch_uid=dispatch_uid, weak=False)
    important_fields_changed_many.connect(many, dispatch_uid=f"{dispatch_uid}_many", weak=False)


def important_view(values: dict[str, Any]) -> dict[str, Any]:
    """The important fields of a destination, flattened from its columns and details."""
    return {name: values.get(name, "") for name in IMPORTANT_DESTINATION_FIELDS}


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [name for name in IMPORTANT_DESTINATION_FIELDS if before.get(name, "") != after.get(name, "")]


def tell(sender: type, *, graduate, item, kind: str, fields: Iterable[str], live: bool = False) -> None:
    """Send the signal when any important field changed (nothing is sent for an empty change)."""
    fields = sorted(set(fields))
    if fields:
        important_fields_changed.send(sender=sender, graduate=graduate, item=item, kind=kind, fields=fields,
                                      live=live)


def tell_many(sender: type, *, kind: str, changes: Iterable[tuple[int, int, Iterable[str]]], live: bool = False) -> None:
    """`tell` for many items of one kind at once: one signal with every (graduate id, item id, fields) whose
    fields are not empty (nothing is sent when none is)."""
    told = [(graduate_id, item_id, sorted(set(fields))) for graduate_id, item_id, fields in changes if fields]
    if told:
        important_fields_changed_many.send(sender=sender, kind=kind, changes=told, live=live)


def tell_destinations(sender: type, changes: Iterable[tuple[int, int, dict[str, Any], dict[str, Any]]]) -> None:
    """`tell_many` for destinations EMS wrote itself (就业管理系统上传): each (graduate id, destination id,
    important fields before, after), the changed ones told as kind "destination"."""
    tell_many(sender, kind="destination", changes=[
        (graduate_id, item_id, changed_fields(important_view(before), important_view(after)))
        for graduate_id, item_id, before, after in changes])
