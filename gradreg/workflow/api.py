"""What every review module's API file shares: the action and batch bodies, batch results, and one
operation per action of a module's tables (its summary and description read from the tables)."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import AfterValidator, Field

from gradreg.common.api import Problem
from gradreg.common.roles import Role

from .engine import INITIAL, SYSTEM, Workflow
from .items import RejectCategory


def _no_nul(value: str) -> str:
    # a NUL byte cannot reach a PostgreSQL query; refuse it as bad input, not a server error
    if "\x00" in value:
        raise ValueError("不能包含空字符")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]


class FieldsProblem(Problem):
    """A refusal naming every field at fault: `errors` maps each field to its Chinese messages."""

    errors: dict[str, list[str]] | None = None


ERRORS = {400: FieldsProblem, 403: Problem, 404: Problem, 409: Problem}


class LabelValue(Schema):
    label: str
    value: str


class CompareRow(Schema):
    """One line of a review's student-info comparison (gradreg.roster.snapshot.Row)."""

    field: str
    label: str
    submitted: str
    current: str
    key: bool
    differs: bool


def compare_rows(rows) -> list[dict]:
    return [{"field": r.field, "label": r.label, "submitted": r.submitted, "current": r.current, "key": r.key,
             "differs": r.differs} for r in rows]


class ActIn(Schema):
    reason: Annotated[Text, Field(max_length=1000)] = ""
    category: RejectCategory | Literal[""] = Field("", description="审核不通过时必选的原因类别")


class BatchIn(ActIn):
    ids: list[int] = Field(description="要处理的记录编号，一次最多 200 条（重复的只处理一次）")
    action: Literal["approve", "return", "reject"] = Field(description="approve：审核通过；return：退回修改；"
                                                                      "reject：审核不通过（须选原因类别）")


class BatchResultOut(Schema):
    id: int
    ok: bool
    message: str = Field(description="成功为“操作成功”，未成功为不能处理的原因")
    state_label: str = Field(description="处理后的状态（未成功时为空）")


def batch_results(spec, actor, payload: BatchIn, ip: str | None) -> list[dict[str, Any]]:
    """批量审核 of a ListSpec: one result per distinct id, in the order given; one refusal never stops the rest."""
    results = spec.run_batch(actor, payload.ids, payload.action, payload.reason, payload.category, ip)
    return [{"id": r.pk, "ok": r.ok, "message": r.message, "state_label": r.state_label} for r in results]


def available_actions(workflow: Workflow, actor, obj, hide: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """The moves this actor may make on obj now, as the API lists them."""
    return list(dict.fromkeys(t.action for t in workflow.available(actor, obj) if t.action not in hide))


def table_actions(workflows: tuple[Workflow, ...], skip: frozenset[str]) -> dict[str, str]:
    """action -> a description naming, per workflow, who moves the item from where to where."""
    lines: dict[str, list[str]] = {}
    for wf in workflows:
        for t in wf.transitions:
            if t.source == {INITIAL} or SYSTEM in t.roles or t.action in skip:
                continue
            roles = "、".join(Role(r).label for r in sorted(t.roles))
            sources = "、".join(wf.state_label(s) for s in sorted(t.source))
            lines.setdefault(t.action, []).append(
                f"{wf.title}：{t.display_label()}（{roles}），{sources} → {wf.state_label(t.target)}"
            )
    return {action: "\n\n".join(dict.fromkeys(text)) for action, text in lines.items()}


def action_summary(workflows: tuple[Workflow, ...], action: str) -> str:
    labels = [t.display_label() for wf in workflows for t in wf.transitions if t.action == action]
    return " / ".join(dict.fromkeys(labels))
