"""培养方式修改: the whole transition table, legal and illegal, through the engine."""
from __future__ import annotations

import pytest

from gradreg.accounts.models import Role
from gradreg.common.errors import Conflict, DomainError, Forbidden, NotFound, ReadOnly
from gradreg.ems import services
from gradreg.ems.flows import TRAINING_MODE_CHANGE
from gradreg.ems.models import TrainingModeChange
from gradreg.notifications.models import Message
from gradreg.workflow.engine import INITIAL
from gradreg.workflow.models import AuditEvent, OutboxEvent

S = TrainingModeChange.Status
MOVES = [t for t in TRAINING_MODE_CHANGE.transitions if t.source != {INITIAL}]
ROLES = [r.value for r in Role]


def actor_for(world, role):
    return {
        Role.GRADUATE: world.u_zhangsan, Role.EMPLOYER: world.u_employer, Role.DEPARTMENT: world.wang,
        Role.SCHOOL: world.qian, Role.PROVINCE: world.zhou, Role.OPERATOR: world.operator,
    }[role]


def make_change(world, status) -> TrainingModeChange:
    # test set-up only: place an item in a given state without walking the flow
    return TrainingModeChange.objects.create(
        graduate=world.zhangsan, school=world.school, department=world.cs, from_mode="1", to_mode="22",
        directed_unit="广州市某局", reason="录取时为定向", status=status, created_by=world.wang,
    )


@pytest.mark.parametrize("t", MOVES, ids=lambda t: f"{t.action}")
@pytest.mark.parametrize("role", ROLES)
def test_each_move_by_each_role(world, t, role):
    source = sorted(t.source)[0]
    change = make_change(world, source)
    actor = actor_for(world, role)
    events_before = AuditEvent.objects.count()
    if role in t.roles:
        done = services.training_mode_change_act(actor=actor, change_id=change.pk, action=t.action, reason="理由")
        assert done.status == t.target
        change.refresh_from_db()
        assert change.status == t.target
        event = AuditEvent.objects.get(item_type="training_mode_change", item_id=change.pk)
        assert (event.from_state, event.to_state, event.actor_id, event.actor_role) == (source, t.target, actor.pk, role)
        assert event.actor_name == actor.display_name and event.actor_unit == actor.unit_name
    else:
        with pytest.raises((Forbidden, NotFound)):
            services.training_mode_change_act(actor=actor, change_id=change.pk, action=t.action, reason="理由")
        change.refresh_from_db()
        assert change.status == source
        assert AuditEvent.objects.count() == events_before


@pytest.mark.parametrize("t", MOVES, ids=lambda t: f"{t.action}")
def test_each_move_from_each_wrong_state_is_refused(world, t):
    role = sorted(t.roles)[0]
    actor = actor_for(world, role)
    for state in S.values:
        if state in t.source:
            continue
        change = make_change(world, state)
        with pytest.raises(Conflict) as exc:
            services.training_mode_change_act(actor=actor, change_id=change.pk, action=t.action, reason="理由")
        assert "当前状态" in exc.value.message
        change.refresh_from_db()
        assert change.status == state


@pytest.mark.parametrize("action", ["return", "reject"])
def test_reason_required(world, action):
    status = S.REQUESTED if action == "return" else S.SUBMITTED
    actor = world.qian if action == "return" else world.zhou
    change = make_change(world, status)
    with pytest.raises(DomainError) as exc:
        services.training_mode_change_act(actor=actor, change_id=change.pk, action=action, reason="  ")
    assert exc.value.code == "reason_required"
    change.refresh_from_db()
    assert change.status == status


def test_full_journey_changes_training_mode_and_writes_outbox(world, django_capture_on_commit_callbacks):
    change = services.training_mode_change_request(
        actor=world.wang, graduate_id=world.zhangsan.pk, to_mode="22", directed_unit="广州市某局", reason="定向录取"
    )
    assert change.status == S.REQUESTED and change.from_mode == "1"
    services.training_mode_change_act(actor=world.qian, change_id=change.pk, action="submit")
    with django_capture_on_commit_callbacks(execute=True):
        services.training_mode_change_act(actor=world.zhou, change_id=change.pk, action="approve")
    world.zhangsan.refresh_from_db()
    assert world.zhangsan.training_mode == "22" and world.zhangsan.directed_unit == "广州市某局"
    ob = OutboxEvent.objects.get(topic="ems.training_mode_changed")
    assert ob.idempotency_key == f"training_mode_change:{change.pk}:approved"
    assert ob.payload["training_mode"] == "22"
    assert Message.objects.filter(recipient=world.wang, title__contains="省级审核通过").exists()
    assert Message.objects.filter(recipient=world.u_zhangsan, title="您的培养方式已修改").exists()
    steps = list(AuditEvent.objects.filter(item_type="training_mode_change", item_id=change.pk).values_list("action", flat=True))
    assert steps == ["request", "submit", "approve"]


def test_rejection_leaves_training_mode(world):
    change = services.training_mode_change_request(
        actor=world.wang, graduate_id=world.zhangsan.pk, to_mode="42", directed_unit="某单位", reason="委培"
    )
    services.training_mode_change_act(actor=world.qian, change_id=change.pk, action="submit")
    services.training_mode_change_act(actor=world.zhou, change_id=change.pk, action="reject", reason="材料不足")
    world.zhangsan.refresh_from_db()
    assert world.zhangsan.training_mode == "1"
    assert not OutboxEvent.objects.filter(topic="ems.training_mode_changed").exists()


def test_request_rules(world):
    with pytest.raises(DomainError):  # same mode
        services.training_mode_change_request(actor=world.wang, graduate_id=world.zhangsan.pk, to_mode="1", reason="x")
    with pytest.raises(DomainError):  # directed without unit
        services.training_mode_change_request(actor=world.wang, graduate_id=world.zhangsan.pk, to_mode="21", reason="x")
    with pytest.raises(DomainError):  # unknown code
        services.training_mode_change_request(actor=world.wang, graduate_id=world.zhangsan.pk, to_mode="99", reason="x")
    services.training_mode_change_request(actor=world.wang, graduate_id=world.zhangsan.pk, to_mode="21",
                                          directed_unit="某局", reason="x")
    with pytest.raises(DomainError) as exc:  # one open request at a time
        services.training_mode_change_request(actor=world.wang, graduate_id=world.zhangsan.pk, to_mode="41",
                                              directed_unit="某局", reason="x")
    assert exc.value.code == "duplicate_open"
    assert TrainingModeChange.objects.count() == 1


@pytest.mark.parametrize("who", ["zhao", "sun", "qian", "zhou", "u_zhangsan", "u_employer"])
def test_only_the_graduates_department_may_request(world, who):
    with pytest.raises((Forbidden, NotFound)):
        services.training_mode_change_request(
            actor=getattr(world, who), graduate_id=world.zhangsan.pk, to_mode="22", directed_unit="某局", reason="x"
        )
    assert TrainingModeChange.objects.count() == 0


def test_other_school_and_province_cannot_see_or_act(world):
    change = make_change(world, S.REQUESTED)
    with pytest.raises(NotFound):
        services.training_mode_change_act(actor=world.sun, change_id=change.pk, action="submit")
    change.status = S.SUBMITTED
    change.save()
    with pytest.raises(NotFound):
        services.training_mode_change_act(actor=world.beijing_official, change_id=change.pk, action="approve")
    change.refresh_from_db()
    assert change.status == S.SUBMITTED


def test_invalid_graduate_is_frozen(world):
    change = make_change(world, S.REQUESTED)
    services.graduate_invalidate(actor=world.qian, graduate_id=world.zhangsan.pk)
    with pytest.raises(ReadOnly):
        services.training_mode_change_act(actor=world.qian, change_id=change.pk, action="submit")
    services.graduate_restore(actor=world.qian, graduate_id=world.zhangsan.pk)
    services.training_mode_change_act(actor=world.qian, change_id=change.pk, action="submit")


def test_outbox_rolls_back_with_the_change(world):
    """An effect that fails after the outbox write leaves neither the state nor the event."""
    from django.db import transaction

    change = make_change(world, S.SUBMITTED)
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            services.training_mode_change_act(actor=world.zhou, change_id=change.pk, action="approve")
            raise RuntimeError("crash after the change")
    change.refresh_from_db()
    assert change.status == S.SUBMITTED
    assert OutboxEvent.objects.count() == 0
    assert AuditEvent.objects.filter(item_type="training_mode_change").count() == 0


def test_notifications_only_after_commit(world, django_capture_on_commit_callbacks):
    change = make_change(world, S.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.training_mode_change_act(actor=world.zhou, change_id=change.pk, action="reject", reason="不符合")
    assert Message.objects.count() == 0
    assert len(callbacks) == 1
    callbacks[0]()
    assert Message.objects.filter(recipient=world.wang).count() == 1


def test_available_moves_follow_the_table(world):
    change = make_change(world, S.REQUESTED)
    assert [t.action for t in TRAINING_MODE_CHANGE.available(world.qian, change)] == ["submit", "return"]
    assert [t.action for t in TRAINING_MODE_CHANGE.available(world.wang, change)] == ["withdraw"]
    assert TRAINING_MODE_CHANGE.available(world.zhou, change) == []
