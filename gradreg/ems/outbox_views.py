"""发件箱（EMS 投递）: the operator sees what waits for EMS and can deliver it at once after an outage."""
from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gradreg.common.errors import Forbidden
from gradreg.common.roles import Role
from gradreg.workflow import outbox

log = logging.getLogger("gradreg.ems.outbox")


def _ensure_operator(actor) -> None:
    if actor.role != Role.OPERATOR:
        raise Forbidden("EMS 投递管理仅对系统管理员开放。")


@login_required
def outbox_status(request):
    _ensure_operator(request.user)
    return render(request, "ems/outbox.html", {"b": outbox.backlog()})


@require_POST
@login_required
def outbox_deliver_now(request):
    """立即投递: backoff ignored, failed events requeued, each graduate's events still in order."""
    _ensure_operator(request.user)
    counts = outbox.deliver_now(retry=True)
    log.info("outbox delivered now by %s: %s", request.user.username, counts)
    text = (f"已投递 {counts['sent']} 条，失败 {counts['failed']} 条，等待前序事件 {counts['held']} 条"
            f"（重新排队 {counts['requeued']} 条，提前投递 {counts['brought_forward']} 条）。")
    (messages.warning if counts["failed"] else messages.success)(request, text)
    return redirect("ems:outbox")
