"""培养方式修改: the whole transition table through the harness, then the journey and its rules."""
from __future__ import annotations

import pytest

from gradreg.accounts.models import Role
from gradreg.common.errors import DomainError, Forbidden, NotFound, ReadOnly
from gradreg.ems import services
from gradreg.ems.flows import TRAINING_MODE_CHANGE
from gradreg.ems.models import TrainingModeChange
from gradreg.notifications.models import Message
from gradreg.workflow.models import AuditEvent, OutboxEvent
from tests.workflow.harness import Harness, Plug, TableTests, department_user

S = TrainingModeChange.Status


def _prepare(h: Harness, options):
    return options.get("graduate") or h.world.zhangsan


def _start(h: Harness, actor, graduate) -> TrainingModeChange:
    return services.training_mode_change_request(actor=actor, graduate_id=graduate.pk, to_mode="22",
                                                 directed_unit="广州市某局", reason="录取时为定向")


def _act(h: Harness, actor, change, action: str, reason: str, category: str) -> TrainingModeChange:
    return services.training_mode_change_act(actor=actor, change_id=change.pk, action=action, reason=reason)


def _hidden(h: Harness, role: str, obj) -> bool:
    """An employer sees no training-mode change, nor the graduate it is asked about."""
    return role == Role.EMPLOYER


def _recipients(h: Harness, change, actor, t) -> dict[int, str]:
    """notify_requester: the requesting department, and the graduate once the change is approved."""
    told = {change.created_by_id: TRAINING_MODE_CHANGE.state_label(t.target)}
    account = getattr(change.graduate, "account", None)
    if t.target == S.APPROVED and account is not None:
        told[account.pk] = "您的培养方式已修改"
    return told


PLUG = Plug(
    workflow=TRAINING_MODE_CHANGE, prepare=_prepare, start=_start, act=_act, hidden=_hidden,
    creator=lambda h, graduate, options: department_user(graduate), recipients=_recipients,
    emits={("approve", S.APPROVED): ("ems.training_mode_changed",)},
)


class TestTrainingModeChangeTable(TableTests):
    plug = PLUG


def make_change(world, status) -> TrainingModeChange:
    """A change of 张三 brought to `status` by the department, the school and the province."""
    return Harness(world).build(PLUG, status)


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


@pytest.mark.parametrize("who", ["zhao", "sun", "zhou", "u_zhangsan", "u_employer"])
def test_only_the_graduates_department_may_request(world, who):
    """Other departments, schools, the province, graduates and employers may not (the own school may: seed 3.9)."""
    with pytest.raises((Forbidden, NotFound)):
        services.training_mode_change_request(
            actor=getattr(world, who), graduate_id=world.zhangsan.pk, to_mode="22", directed_unit="某局", reason="x"
        )
    assert TrainingModeChange.objects.count() == 0


def test_other_school_and_province_cannot_see_or_act(world):
    change = make_change(world, S.REQUESTED)
    with pytest.raises(NotFound):
        services.training_mode_change_act(actor=world.sun, change_id=change.pk, action="submit")
    services.training_mode_change_act(actor=world.qian, change_id=change.pk, action="submit")
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
    events = AuditEvent.objects.filter(item_type="training_mode_change").count()
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            services.training_mode_change_act(actor=world.zhou, change_id=change.pk, action="approve")
            raise RuntimeError("crash after the change")
    change.refresh_from_db()
    assert change.status == S.SUBMITTED
    assert OutboxEvent.objects.count() == 0
    assert AuditEvent.objects.filter(item_type="training_mode_change").count() == events


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
