"""The audit chain is keyed (HMAC) and each item's end is anchored in AuditHead; verify_audit checks both.

Guards against what an unkeyed, unanchored chain let through: deleting an item's last event, truncating
an item's chain, and rewriting a row with hashes recomputed (plain SHA-256, or HMAC under a guessed key).
"""
from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings

from gradreg.workflow import audit
from gradreg.workflow.models import AuditEvent, AuditHead
from tests.accounts.test_production_settings import prod_env, run, signing_pair  # noqa: F401 (fixtures)
from tests.workflow.test_audit_outbox import _walk

ITEM = "training_mode_change"


def _fails(capsys, expected: str):
    with pytest.raises(CommandError, match="审计链校验失败"):
        call_command("verify_audit")
    err = capsys.readouterr().err
    assert expected in err, err


def _rewrite(change_pk: int, digest) -> None:
    """What someone with database access would do: change seq 2's reason, re-link every later hash, move the head."""
    events = audit.timeline(ITEM, change_pk)
    events[1].reason = "改写后的理由"
    prev = events[0].hash
    with connection.cursor() as c:
        for e in events[1:]:
            e.prev_hash = prev
            e.hash = digest(e)
            prev = e.hash
            c.execute("UPDATE workflow_auditevent SET reason = %s, prev_hash = %s, hash = %s WHERE id = %s",
                      [e.reason, e.prev_hash, e.hash, e.pk])
        c.execute("UPDATE workflow_audithead SET last_hash = %s WHERE item_type = %s AND item_id = %s",
                  [prev, ITEM, change_pk])


def test_each_append_moves_the_items_head_and_a_clean_log_passes(world, capsys):
    change = _walk(world)
    events = audit.timeline(ITEM, change.pk)
    head = AuditHead.objects.get(item_type=ITEM, item_id=change.pk)
    assert (head.count, head.last_hash) == (3, events[-1].hash)
    assert events[0].hash == events[0].compute_hash() != hashlib.sha256(events[0].hash_body()).hexdigest()
    call_command("verify_audit")
    assert "审计链完整" in capsys.readouterr().out


def test_head_rolls_back_with_the_event(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(item_type="probe", item_id=1, actor=None, action="x")
        raise RuntimeError
    assert not AuditHead.objects.filter(item_type="probe").exists()
    assert not AuditEvent.objects.filter(item_type="probe").exists()


def test_deleting_the_last_event_is_noticed(world, capsys):
    change = _walk(world)
    with connection.cursor() as c:
        c.execute("DELETE FROM workflow_auditevent WHERE item_type = %s AND item_id = %s AND seq = 3",
                  [ITEM, change.pk])
    _fails(capsys, "记录条数不符")


def test_truncating_an_items_chain_is_noticed(world, capsys):
    change = _walk(world)
    with connection.cursor() as c:
        c.execute("DELETE FROM workflow_auditevent WHERE item_type = %s AND item_id = %s", [ITEM, change.pk])
    _fails(capsys, f"{ITEM}#{change.pk}: 记录条数不符（链尾记录为 3 条，现存 0 条")


def test_deleting_the_last_event_and_winding_back_the_head_still_fails_on_the_hash(world, capsys):
    change = _walk(world)
    with connection.cursor() as c:
        c.execute("DELETE FROM workflow_auditevent WHERE item_type = %s AND item_id = %s AND seq = 3",
                  [ITEM, change.pk])
        c.execute("UPDATE workflow_audithead SET count = 2 WHERE item_type = %s AND item_id = %s", [ITEM, change.pk])
    _fails(capsys, "最后一条哈希与链尾记录不符")


def test_a_row_rewritten_with_recomputed_unkeyed_hashes_is_noticed(world, capsys):
    change = _walk(world)
    _rewrite(change.pk, lambda e: hashlib.sha256(e.hash_body()).hexdigest())
    _fails(capsys, f"{ITEM}#{change.pk} seq 2: 内容哈希不符")


def test_a_row_rewritten_with_hashes_under_a_wrong_key_is_noticed(world, capsys):
    change = _walk(world)
    _rewrite(change.pk, lambda e: e.compute_hash("guessed-key"))
    _fails(capsys, f"{ITEM}#{change.pk} seq 2: 内容哈希不符")


def test_the_key_is_what_the_chain_depends_on(world, capsys):
    _walk(world)
    with override_settings(AUDIT_HMAC_KEY="another-deployments-key"):
        _fails(capsys, "内容哈希不符")


BEFORE = [("workflow", "0001_initial")]


@pytest.mark.django_db(transaction=True)
def test_migration_rechains_intact_unkeyed_chains_and_leaves_broken_ones_reported(capsys):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("workflow", "AuditEvent")

    def unkeyed_chain(item_id: int, n: int, tamper: bool = False):
        prev = audit.GENESIS
        for seq in range(1, n + 1):
            e = AuditEvent(item_type="legacy", item_id=item_id, seq=seq, action="step", actor_name="系统",
                           actor_role="system", actor_unit="平台", at=datetime(2026, 6, 1, 8, tzinfo=UTC),
                           reason=f"第{seq}步", data={}, prev_hash=prev)
            e.hash = hashlib.sha256(e.hash_body()).hexdigest()
            prev = e.hash
            row = {f.name: getattr(e, f.attname) for f in AuditEvent._meta.concrete_fields if f.name not in {"id", "actor", "school_id"}}
            if tamper and seq == 2:
                row["reason"] = "事后改动"
            old.objects.create(**row)

    unkeyed_chain(1, 3)
    unkeyed_chain(2, 2, tamper=True)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    intact = audit.timeline("legacy", 1)
    assert audit.verify_chain(intact, AuditHead.objects.get(item_type="legacy", item_id=1), check_head=True) == []
    assert intact[-1].hash == intact[-1].compute_hash()
    assert AuditHead.objects.get(item_type="legacy", item_id=2).count == 2
    items, problems = audit.verify_all()
    assert items == 2
    assert problems and all(p.startswith("legacy#2 ") for p in problems), problems


@pytest.mark.parametrize("key", ["", "dev-audit-key-not-secret", "short"])
def test_production_refuses_to_start_without_a_real_audit_key(prod_env, key):  # noqa: F811
    prod_env["AUDIT_HMAC_KEY"] = key
    r = run(prod_env, "check")
    assert r.returncode != 0 and "AUDIT_HMAC_KEY" in r.stderr
