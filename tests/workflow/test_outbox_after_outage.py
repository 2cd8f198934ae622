"""After an EMS outage: 立即投递 ignores backoff, --retry-failed really retries, the operator sees the backlog."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from gradreg.ems.models import ReportedDestination
from gradreg.workflow import outbox
from gradreg.workflow.models import OutboxEvent
from tests.conftest import login
from tests.workflow.test_outbox_delivery import signed_event, terminated_event

S = OutboxEvent.Status


@pytest.fixture
def ems(monkeypatch):
    """A transport that fails while EMS is `down`, then delivers through the real local receiver;
    `seen` records the keys in the order EMS applied them."""
    state = {"down": True, "seen": []}
    real = outbox.local_transport

    def transport(event):
        if state["down"]:
            raise ConnectionError("就业管理系统无响应")
        real(event)
        state["seen"].append(event.idempotency_key)

    monkeypatch.setattr(outbox, "local_transport", transport)
    return state


def outage(world, ems):
    """Zhangsan's signing failed for good, Lisi's is in backoff, and Zhangsan's termination waits behind."""
    first = signed_event(world.zhangsan, 7)
    other = signed_event(world.lisi, 8)
    with override_settings(OUTBOX_MAX_ATTEMPTS=1):
        outbox.deliver_pending(limit=1)  # only the first: it runs out of attempts
    outbox.deliver_pending()  # Lisi's fails once and waits out its backoff
    then = terminated_event(world.zhangsan, 7)
    first.refresh_from_db()
    other.refresh_from_db()
    assert first.status == S.FAILED and other.status == S.PENDING and other.available_at > timezone.now()
    ems["down"] = False
    return first, other, then


@override_settings(OUTBOX_MAX_ATTEMPTS=5)
def test_retry_failed_delivers_what_waited_in_backoff(world, ems, capsys):
    """Guards: `deliver_outbox --retry-failed` after EMS came back left events in backoff (and those behind
    them) undelivered; now every event goes, each graduate's in order."""
    first, other, then = outage(world, ems)
    call_command("deliver_outbox", "--retry-failed")
    out = capsys.readouterr().out
    assert "重新排队：1" in out and "已投递：3" in out
    assert set(OutboxEvent.objects.values_list("status", flat=True)) == {S.SENT}
    assert ems["seen"].index(first.idempotency_key) < ems["seen"].index(then.idempotency_key)
    assert not ReportedDestination.objects.filter(graduate=world.zhangsan).exists()


@override_settings(OUTBOX_MAX_ATTEMPTS=5)
def test_retry_failed_by_id_brings_forward_the_events_it_waits_for(world, ems):
    """Guards: a requeued event behind an earlier event of its graduate in backoff was held, not retried."""
    earlier = signed_event(world.zhangsan, 7)
    outbox.deliver_pending()  # fails once: in backoff
    later = terminated_event(world.zhangsan, 7)
    OutboxEvent.objects.filter(pk=later.pk).update(status=S.FAILED, attempts=5)
    ems["down"] = False
    assert outbox.retry_failed(ids=[later.pk]) == 1
    assert outbox.deliver_pending() == {"sent": 2, "failed": 0, "held": 0}
    assert ems["seen"] == [earlier.idempotency_key, later.idempotency_key]


@override_settings(OUTBOX_MAX_ATTEMPTS=5)
def test_deliver_now_ignores_backoff_and_keeps_order(world, ems, capsys):
    """Guards: the operator's "deliver now" (`--now`) sends events still in backoff at once, in order."""
    events = [signed_event(world.zhangsan, 7), signed_event(world.lisi, 8)]
    outbox.deliver_pending()
    then = terminated_event(world.zhangsan, 7)
    assert outbox.deliver_pending() == {"sent": 0, "failed": 0, "held": 1}  # EMS back, but all wait
    ems["down"] = False
    assert outbox.deliver_pending() == {"sent": 0, "failed": 0, "held": 1}
    call_command("deliver_outbox", "--now")
    out = capsys.readouterr().out
    assert "提前投递（忽略退避）：2" in out and "已投递：3，失败：0" in out
    assert ems["seen"] == [events[0].idempotency_key, events[1].idempotency_key, then.idempotency_key]


@override_settings(OUTBOX_MAX_ATTEMPTS=5)
def test_deliver_now_while_ems_is_still_down_records_the_failure(world, ems):
    event = signed_event(world.zhangsan, 7)
    ems["down"] = True
    counts = outbox.deliver_now()
    assert (counts["sent"], counts["failed"]) == (0, 1)
    event.refresh_from_db()
    assert event.status == S.PENDING and event.attempts == 1 and "就业管理系统无响应" in event.last_error


@override_settings(OUTBOX_MAX_ATTEMPTS=5)
def test_operator_page_shows_the_backlog_and_delivers_now(client, world, ems):
    """Guards: operators had no view of the backlog nor a way to deliver at once; now the EMS 投递 page
    shows it by topic with the oldest age and the failed events' errors, and 立即投递 sends everything."""
    first, other, then = outage(world, ems)
    OutboxEvent.objects.filter(pk=other.pk).update(created_at=timezone.now() - dt.timedelta(hours=2))
    login(client, world.operator)
    page = client.get(reverse("ems:outbox")).content.decode()
    assert "立即投递" in page
    assert "ems.signing_completed" in page and "ems.signing_terminated" in page
    assert "就业管理系统无响应" in page  # the failed event's last error
    assert "已等待 2" in page  # the oldest pending event, two hours old
    assert "EMS 投递" in client.get(reverse("accounts:modules")).content.decode()
    response = client.post(reverse("ems:outbox_deliver_now"), follow=True)
    assert "已投递 3 条，失败 0 条" in response.content.decode()
    assert set(OutboxEvent.objects.values_list("status", flat=True)) == {S.SENT}
    assert ems["seen"].index(first.idempotency_key) < ems["seen"].index(then.idempotency_key)


@pytest.mark.parametrize("who", ["u_zhangsan", "wang", "zhou", "u_employer"])
def test_other_roles_are_refused(client, world, ems, who):
    """Guards: the EMS 投递 page and its 立即投递 are the operator's only (a school user's read-only view of its
    own events: tests/ems/test_outbox_ops.py)."""
    event = signed_event(world.zhangsan, 7)
    outbox.deliver_pending()
    ems["down"] = False
    login(client, getattr(world, who))
    assert client.get(reverse("ems:outbox")).status_code == 403
    assert client.post(reverse("ems:outbox_deliver_now")).status_code == 403
    event.refresh_from_db()
    assert event.status == S.PENDING and ems["seen"] == []
