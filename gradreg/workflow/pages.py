"""What an item's page takes from its table: the buttons of the moves this user may make, and the timeline.

The buttons render with `templates/snippets/item_actions.html` (a reason, and a reject category when a
不通过 is among them); the history with `templates/snippets/timeline.html`.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from gradreg.common.errors import DomainError

from .audit import timeline
from .engine import Workflow, run_gates
from .items import RejectCategory

# moves the buttons draw in red: they refuse, undo or give up
DANGER = frozenset({"reject", "decline", "return", "cancel", "withdraw", "abandon", "void"})


def frozen(workflow: Workflow, obj: models.Model) -> str:
    """Why no move may be made on obj now, whoever asks (its gates refuse: an invalid graduate, a cohort
    past its window); "" when the table decides."""
    try:
        run_gates(workflow, obj)
    except DomainError as e:
        return e.message
    return ""


def item_actions(workflow: Workflow, actor, obj: models.Model, act_url: str,
                 hide: Iterable[str] = (), categories: Iterable[tuple[str, str]] | None = None) -> dict[str, Any]:
    """The context of snippets/item_actions.html: the moves of the table this actor may make on obj now,
    less those the page `hide`s (moves with a form of their own: an upload, a resubmission, an edit);
    none while a gate freezes the item (`frozen`: the reason, shown instead). `categories`: the 不通过 categories
    offered (default the shared vocabulary; () for a review asking none)."""
    review = workflow.review_label_of(obj) if workflow.review_label_of else "审核"
    hidden = set(hide)
    why_not = frozen(workflow, obj)
    buttons = [] if why_not else [
        {"action": t.action, "label": t.display_label(review), "needs_reason": t.needs_reason,
         "danger": t.action in DANGER}
        for t in workflow.available(actor, obj) if t.action not in hidden]
    return {"buttons": buttons, "act_url": act_url, "needs_reason_any": any(b["needs_reason"] for b in buttons),
            "has_reject": any(b["action"] == "reject" for b in buttons), "categories": RejectCategory.choices if categories is None else list(categories),
            "frozen": why_not}


def history(workflow: Workflow, pk: int, school_id: int | None = None) -> list:
    """办理记录: each event of the item with the state it led to, in the table's words."""
    events = timeline(workflow.item_type, pk, school_id)
    for e in events:
        e.state_label = workflow.state_label(e.to_state) if e.to_state else ""
    return events
