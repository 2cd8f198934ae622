"""培养方式修改申请 over the API: one operation per action of the workflow table; and EMS 投递 (the outbox)."""
from __future__ import annotations

import datetime as dt

from ninja import Query, Router, Schema, Status
from ninja.security import django_auth

from gradreg.common.api import AuditEventOut, Problem, ReasonIn
from gradreg.common.pagination import paginate
from gradreg.common.views import client_ip
from gradreg.ems import services
from gradreg.ems.flows import TRAINING_MODE_CHANGE
from gradreg.ems.selectors import training_mode_change_get_for, training_mode_changes_visible_to
from gradreg.workflow import outbox
from gradreg.workflow.audit import timeline
from gradreg.workflow.engine import INITIAL


class TrainingModeChangeIn(Schema):
    graduate_id: int
    to_mode: str
    directed_unit: str = ""
    reason: str


class TrainingModeChangeOut(Schema):
    id: int
    graduate_id: int
    graduate_name: str
    exam_no: str
    department: str
    from_mode: str
    to_mode: str
    directed_unit: str
    reason: str
    status: str
    status_label: str
    created_at: dt.datetime
    actions: list[str]


class TrainingModeChangeList(Schema):
    items: list[TrainingModeChangeOut]
    count: int


router = Router(tags=["training-mode"], auth=django_auth)
ERRORS = {400: Problem, 403: Problem, 404: Problem, 409: Problem}


def out(change, actor) -> dict:
    return {
        "id": change.id, "graduate_id": change.graduate_id, "graduate_name": change.graduate.name,
        "exam_no": change.graduate.exam_no, "department": change.department.name, "from_mode": change.from_mode,
        "to_mode": change.to_mode, "directed_unit": change.directed_unit, "reason": change.reason,
        "status": change.status, "status_label": change.get_status_display(), "created_at": change.created_at,
        "actions": [t.action for t in TRAINING_MODE_CHANGE.available(actor, change)],
    }


class ListQuery(Schema):
    status: str = ""
    page: int = 1
    page_size: int = 20


@router.get("/training-mode-changes", response=TrainingModeChangeList)
def change_list(request, filters: Query[ListQuery]):
    qs = training_mode_changes_visible_to(request.user).select_related("graduate", "department")
    if filters.status:
        qs = qs.filter(status=filters.status)
    page = paginate(qs.order_by("-created_at"), filters.page, filters.page_size)
    return {"items": [out(c, request.user) for c in page.items], "count": page.count}


@router.post("/training-mode-changes", response={201: TrainingModeChangeOut, **ERRORS})
def change_create(request, payload: TrainingModeChangeIn):
    """院系申请修改培养方式."""
    change = services.training_mode_change_request(actor=request.user, ip=client_ip(request), **payload.dict())
    return Status(201, out(change, request.user))


@router.get("/training-mode-changes/{change_id}", response={200: TrainingModeChangeOut, 404: Problem})
def change_detail(request, change_id: int):
    return out(training_mode_change_get_for(request.user, change_id), request.user)


@router.get("/training-mode-changes/{change_id}/timeline", response={200: list[AuditEventOut], 404: Problem})
def change_timeline(request, change_id: int):
    change = training_mode_change_get_for(request.user, change_id)
    return timeline(TRAINING_MODE_CHANGE.item_type, change.pk)


def _make_action(action: str, label: str):
    def act(request, change_id: int, payload: ReasonIn):
        change = services.training_mode_change_act(
            actor=request.user, change_id=change_id, action=action, reason=payload.reason, ip=client_ip(request)
        )
        return out(change, request.user)

    act.__name__ = f"change_{action}"
    act.__doc__ = label
    return act


for _action in TRAINING_MODE_CHANGE.actions():
    _t = next(t for t in TRAINING_MODE_CHANGE.transitions if t.action == _action)
    if _t.source == {INITIAL}:
        continue
    router.post(
        f"/training-mode-changes/{{change_id}}/{_action}",
        response={200: TrainingModeChangeOut, **ERRORS},
        summary=_t.label,
        operation_id=f"training_mode_change_{_action}",
    )(_make_action(_action, _t.label))


# ---- EMS 投递 (the operator's view of delivery; a school user's read-only view of its own events) ----------

class OutboxTopicOut(Schema):
    topic: str
    pending: int
    in_backoff: int
    failed: int
    oldest: dt.datetime | None


class OutboxEventOut(Schema):
    id: int
    topic: str
    idempotency_key: str
    status: str
    attempts: int
    last_error: str
    created_at: dt.datetime


class OutboxOut(Schema):
    pending: int
    in_backoff: int
    failed_count: int
    oldest_pending_at: dt.datetime | None
    topics: list[OutboxTopicOut]
    failed: list[OutboxEventOut]
    count: int


class OutboxQuery(Schema):
    page: int = 1
    page_size: int = 20


@router.get("/outbox", response={200: OutboxOut, 403: Problem}, tags=["outbox"])
def outbox_overview(request, filters: Query[OutboxQuery]):
    """积压（按主题）与投递失败的事件：系统管理员看全部，学校用户只看本校事件。"""
    school_id = outbox.scope_for(request.user)
    page = outbox.failed_events(school_id=school_id, page=filters.page, size=filters.page_size)
    return {**outbox.backlog(school_id=school_id), "failed": page.items, "count": page.count}


@router.post("/outbox/{event_id}/retry", response={200: OutboxEventOut, **ERRORS}, tags=["outbox"])
def outbox_retry(request, event_id: int):
    """重试一条投递失败的事件（重新排队，立即可投递）。"""
    outbox.ensure_operator(request.user)
    return outbox.retry_one(event_id)


@router.post("/outbox/{event_id}/discard", response={200: OutboxEventOut, **ERRORS}, tags=["outbox"])
def outbox_discard(request, event_id: int, payload: ReasonIn):
    """放弃投递一条事件（原因必填，记入审计）。"""
    outbox.ensure_operator(request.user)
    return outbox.discard(event_id, actor=request.user, reason=payload.reason, ip=client_ip(request))
