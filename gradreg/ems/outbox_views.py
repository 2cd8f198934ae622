"""发件箱（EMS 投递）: the operator sees what waits for EMS, retries or discards a failed event and delivers
everything at once after an outage; a school user sees the same, read-only, for the school's own events."""
from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gradreg.common.views import client_ip, run_service
from gradreg.workflow import outbox

log = logging.getLogger("gradreg.ems.outbox")


@login_required
def outbox_status(request):
    school_id = outbox.scope_for(request.user)
    page = outbox.failed_events(school_id=school_id, page=request.GET.get("page"), size=request.GET.get("size"))
    return render(request, "ems/outbox.html", {
        "b": outbox.backlog(school_id=school_id), "failed": page,
        "can_act": school_id is None, "reason_max": outbox.REASON_MAX,
    })


@require_POST
@login_required
def outbox_deliver_now(request):
    """立即投递: backoff ignored, failed events requeued, each graduate's events still in order."""
    outbox.ensure_operator(request.user)
    counts = outbox.deliver_now(retry=True)
    log.info("outbox delivered now by %s: %s", request.user.username, counts)
    text = (f"已投递 {counts['sent']} 条，失败 {counts['failed']} 条，等待前序事件 {counts['held']} 条"
            f"（重新排队 {counts['requeued']} 条，提前投递 {counts['brought_forward']} 条）。")
    (messages.warning if counts["failed"] else messages.success)(request, text)
    return redirect("ems:outbox")


@require_POST
@login_required
def outbox_retry(request, pk: int):
    """重试 one failed event: requeued, then one delivery pass (it goes now if EMS takes it)."""
    outbox.ensure_operator(request.user)
    outcome = run_service(request, lambda: outbox.retry_one(pk), redirect_to=reverse("ems:outbox"))
    if not outcome.ok:
        return outcome.response
    counts = outbox.deliver_pending()
    event = outbox.OutboxEvent.objects.get(pk=pk)
    log.info("outbox event %s retried by %s: %s", pk, request.user.username, counts)
    if event.status == outbox.SENT:
        messages.success(request, f"事件 {pk} 已重新投递成功。")
    else:
        messages.warning(request, f"事件 {pk} 已重新排队，但尚未投递成功（{event.get_status_display()}）：{event.last_error}")
    return redirect("ems:outbox")


@require_POST
@login_required
def outbox_discard(request, pk: int):
    """放弃投递 one event, with a reason (required, audited)."""
    outbox.ensure_operator(request.user)
    return run_service(
        request, lambda: outbox.discard(pk, actor=request.user, reason=request.POST.get("reason"),
                                        ip=client_ip(request)),
        success=f"事件 {pk} 已放弃投递，原因已记录。", redirect_to=reverse("ems:outbox")).response
