"""学生信息比对, shared by every review page (online/offline signing, 补登, 去向登记).

An item captures its graduate when submitted (`capture_graduate`); its reviewers see that snapshot
beside EMS's current info, key fields marked and the ID number masked until they reveal it (each
reveal logged); they may take EMS's current non-key fields (`refresh_info`, "获取最新学生信息"),
applied when the review passes (`apply_refresh`); a key-field difference allows only 不通过
(`key_fields_agree`). A page renders `review_panel(...)` with `templates/snippets/review_compare.html`.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.db import models
from django.utils import timezone

from gradreg.accounts.models import Role, SensitiveView
from gradreg.common.errors import Conflict, DomainError, Forbidden
from gradreg.common.masking import mask_id_number
from gradreg.ems.selectors import held_destination
from gradreg.workflow import audit
from gradreg.workflow.engine import Context, Workflow

from .gates import ensure_graduate_can_act
from .snapshot import Row, compare, key_differences, refreshed, take_snapshot

_REVIEWERS = frozenset({Role.DEPARTMENT, Role.SCHOOL})
_MASKED = frozenset({"id_number"})  # shown in full only when a reviewer asks, and each time logged


class Snapshotted(models.Model):
    """An item reviewed against EMS: the graduate as submitted, and the newer info a reviewer took."""

    graduate_snapshot = models.JSONField("提交时学生信息", default=dict, blank=True)
    refreshed_info = models.JSONField("获取的最新学生信息", default=dict, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)

    class Meta:
        abstract = True


# ---- workflow effects ------------------------------------------------------------------------------

def capture_graduate(ctx: Context) -> None:
    """On submission: the graduate as EMS has them now, what the review compares against."""
    item = ctx.obj
    item.graduate_snapshot = take_snapshot(item.graduate)
    item.refreshed_info = {}
    item.submitted_at = timezone.now()
    ctx.changed_fields |= {"graduate_snapshot", "refreshed_info", "submitted_at"}


def key_fields_agree(ctx: Context) -> None:
    """A key-field difference from EMS can only be rejected (the graduate starts again after EMS is fixed)."""
    item = ctx.obj
    diffs = key_differences(item.graduate_snapshot, item.graduate)
    if diffs:
        raise DomainError(
            f"学生关键信息（{'、'.join(diffs)}）与就业管理系统不一致，只能审核不通过；"
            "请在就业管理系统修改后由学生重新签约或登记。",
            code="key_fields_differ",
        )


def apply_refresh(ctx: Context) -> None:
    """"获取最新学生信息" takes effect when the review passes."""
    item = ctx.obj
    if item.refreshed_info:
        item.graduate_snapshot = {**item.graduate_snapshot, **item.refreshed_info}
        item.refreshed_info = {}
        ctx.changed_fields |= {"graduate_snapshot", "refreshed_info"}


# ---- 获取最新学生信息 ------------------------------------------------------------------------------

def _waits_for(workflow: Workflow, item: models.Model, role: str) -> bool:
    return getattr(item, workflow.state_field) in workflow.states.waiting_for(role)


def refresh_info(*, workflow: Workflow, item: Snapshotted, actor, ip: str | None = None) -> dict[str, str]:
    """Take EMS's current non-key fields now; they apply when the review passes.

    `item` was read and locked (`for_update=True`) by the caller's scoped selector, inside the caller's
    transaction, with its graduate's school, major and department.
    """
    if actor.role not in _REVIEWERS:
        raise Forbidden("只有院系、学校审核人员可以获取最新学生信息。")
    graduate = item.graduate
    # a write like any other: frozen for an invalid graduate or a read-only cohort
    ensure_graduate_can_act(graduate)
    if not _waits_for(workflow, item, actor.role):
        raise Conflict("只有等待您审核的记录可以获取最新学生信息。")
    item.refreshed_info = refreshed(item.graduate_snapshot, graduate)
    item.save(update_fields=["refreshed_info", "updated_at"])
    audit.record(item_type=workflow.item_type, item_id=item.pk, actor=actor, action="refresh",
                 action_label="获取最新学生信息", data={"fields": sorted(item.refreshed_info)}, ip=ip,
                 school_id=item.school_id)
    return item.refreshed_info


# ---- what the page shows ---------------------------------------------------------------------------

def reveal_id_number(item, user, ip: str | None) -> None:
    """A reviewer asked for the full ID number in the comparison: refuse anyone else, log each reveal."""
    if user.role not in _REVIEWERS:
        raise Forbidden("仅院系、学校审核人员可查看完整身份证号。")
    SensitiveView.objects.create(viewer=user, graduate_id=item.graduate_id, school_id=item.school_id,
                                 fields="id_number", ip=ip)


def _masked_snapshot(snapshot: dict[str, Any]) -> dict[str, Any]:
    return {k: mask_id_number(str(v)) if k in _MASKED else v for k, v in snapshot.items()}


def _masked_row(r: Row) -> Row:
    if r.field not in _MASKED:
        return r
    return replace(r, submitted=mask_id_number(r.submitted), current=mask_id_number(r.current))


def _may_act(graduate) -> bool:
    """No write on an invalid graduate's items, nor on a cohort past its window (the button is not offered)."""
    try:
        ensure_graduate_can_act(graduate)
    except DomainError:
        return False
    return True


def review_panel(item, user, *, workflow: Workflow, reveal: bool = False, ip: str | None = None,
                 refresh_url: str = "") -> dict[str, Any]:
    """The context of `snippets/review_compare.html`: for a reviewer, the comparison and EMS's destination.

    ID numbers are masked unless `reveal` (a reviewer's explicit request, logged as a SensitiveView);
    anyone else asking to reveal is refused. `refresh_url` is where "获取最新学生信息" posts.
    """
    if reveal:
        reveal_id_number(item, user, ip)
    if user.role not in _REVIEWERS:
        return {"reviewer": False}
    snapshot = item.graduate_snapshot or {}
    rows = compare(snapshot, item.graduate) if snapshot else []  # the scoped read brought its units
    return {
        "reviewer": True,
        "compare": rows if reveal else [_masked_row(r) for r in rows],
        "snapshot": snapshot if reveal else _masked_snapshot(snapshot),
        "id_revealed": reveal,
        "key_differs": any(r.key and r.differs for r in rows),
        "refreshed": item.refreshed_info,
        "ems": held_destination(item.graduate_id),
        "may_refresh": _waits_for(workflow, item, user.role) and _may_act(item.graduate),
        "refresh_url": refresh_url,
        "review_label": workflow.review_label_of(item) if workflow.review_label_of else "审核",
    }
