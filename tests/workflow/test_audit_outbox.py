"""Audit log: append-only, hash-chained, verifiable; outbox listing; workflow diagram."""
from __future__ import annotations

import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from gradreg.ems import services
from gradreg.ems.models import TrainingModeChange
from gradreg.workflow import audit
from gradreg.workflow.models import AuditEvent, OutboxEvent

S = TrainingModeChange.Status


def _walk(world):
    change = services.training_mode_change_request(
        actor=world.wang, graduate_id=world.zhangsan.pk, to_mode="22", directed_unit="某局", reason="定向"
    )
    services.training_mode_change_act(actor=world.qian, change_id=change.pk, action="submit")
    services.training_mode_change_act(actor=world.zhou, change_id=change.pk, action="approve")
    return change


def test_chain_links_each_event_to_the_previous(world):
    change = _walk(world)
    events = audit.timeline("training_mode_change", change.pk)
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == audit.GENESIS
    assert events[1].prev_hash == events[0].hash and events[2].prev_hash == events[1].hash
    assert audit.verify_chain(events) == []


def test_events_cannot_be_updated_or_deleted(world):
    change = _walk(world)
    event = AuditEvent.objects.filter(item_id=change.pk).first()
    event.reason = "篡改"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="篡改")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


def test_verify_audit_command_passes_then_detects_tampering(world, capsys):
    change = _walk(world)
    call_command("verify_audit")
    assert "审计链完整" in capsys.readouterr().out
    # someone with database access edits a reason behind the application's back
    with connection.cursor() as c:
        c.execute("UPDATE workflow_auditevent SET reason = %s WHERE item_id = %s AND seq = 2", ["改过", change.pk])
    with pytest.raises(CommandError, match="审计链校验失败"):
        call_command("verify_audit")
    assert "内容哈希不符" in capsys.readouterr().err


def test_verify_audit_detects_a_removed_event(world, capsys):
    change = _walk(world)
    with connection.cursor() as c:
        c.execute("DELETE FROM workflow_auditevent WHERE item_id = %s AND seq = 2", [change.pk])
    with pytest.raises(CommandError):
        call_command("verify_audit")
    assert "序号不连续" in capsys.readouterr().err


def test_actor_snapshot_survives_later_changes(world):
    change = _walk(world)
    world.wang.display_name = "王主任"
    world.wang.save()
    first = audit.timeline("training_mode_change", change.pk)[0]
    assert first.actor_name == "王老师" and first.actor_unit == "示例大学计算机学院"
    assert audit.verify_chain(audit.timeline("training_mode_change", change.pk)) == []


def test_outbox_pending_command_lists_events(world, capsys):
    _walk(world)
    call_command("outbox_pending")
    out = capsys.readouterr().out
    assert "ems.training_mode_changed" in out and "待投递：1" in out
    assert OutboxEvent.objects.get().status == OutboxEvent.Status.PENDING


def test_outbox_key_is_idempotent(world):
    from django.db import IntegrityError, transaction

    _walk(world)
    key = OutboxEvent.objects.get().idempotency_key
    with pytest.raises(IntegrityError), transaction.atomic():
        OutboxEvent.objects.create(topic="x", idempotency_key=key, payload={})


def test_workflow_graph_command(capsys):
    call_command("workflow_graph", "training_mode_change")
    out = capsys.readouterr().out
    assert out.startswith('digraph "training_mode_change"')
    assert '"requested" -> "submitted" [label="提交省级审核 (school)"]' in out
    assert '"submitted" -> "approved"' in out
    with pytest.raises(CommandError):
        call_command("workflow_graph", "nope")


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_approvals_exactly_one_succeeds(world):
    """Two province users press 审核通过 at the same moment: one wins, the other gets a conflict."""
    from tests import factories as f

    change = TrainingModeChange.objects.create(
        graduate=world.zhangsan, school=world.school, department=world.cs, from_mode="1", to_mode="22",
        directed_unit="某局", reason="x", status=S.SUBMITTED, created_by=world.wang,
    )
    second = f.user("zhou2", "province", province=world.province, display_name="吴科长")
    barrier = threading.Barrier(2)
    results: list[str] = []

    def attempt(actor, action):
        from django.db import connections

        try:
            barrier.wait()
            services.training_mode_change_act(actor=actor, change_id=change.pk, action=action, reason="同时处理")
            results.append("ok")
        except Exception as e:  # noqa: BLE001 - we record which error each thread saw
            results.append(type(e).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(world.zhou, "approve")),
               threading.Thread(target=attempt, args=(second, "reject"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["Conflict", "ok"]
    change.refresh_from_db()
    assert change.status in {S.APPROVED, S.REJECTED}
    assert AuditEvent.objects.filter(item_type="training_mode_change", item_id=change.pk).count() == 1
