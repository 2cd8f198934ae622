"""Pluggable gates: the engine runs the checks a workflow names, registered by the apps above it."""
from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from gradreg.common.errors import ReadOnly
from gradreg.ems import services
from gradreg.ems.flows import TRAINING_MODE_CHANGE
from gradreg.ems.models import TrainingModeChange
from gradreg.workflow import engine

ENGINE = Path(engine.__file__)


BELOW_THE_KIT = ("gradreg.common.", "gradreg.codes.", "gradreg.notifications.", "gradreg.workflow.")


@pytest.mark.parametrize("module", ["engine", "states", "review", "outbox"])
def test_the_kit_imports_nothing_above_its_floor_anywhere_in_its_code(module):
    tree = ast.parse((ENGINE.parent / f"{module}.py").read_text())
    names = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module and not n.level}
    names |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    above = {n for n in names if n.startswith("gradreg.") and not n.startswith(BELOW_THE_KIT)}
    assert not above, above


def test_the_outbox_delivers_in_process_through_the_receiver_ems_registers():
    from gradreg.ems.sync import apply_event
    from gradreg.workflow import outbox

    assert outbox.RECEIVERS["ems"] is apply_event


def test_the_roster_registers_the_graduate_gate():
    assert "graduate" in engine.GATES
    assert TRAINING_MODE_CHANGE.gates == ("graduate",)


def test_a_workflow_naming_an_unregistered_gate_fails_loudly(world):
    wf = dataclasses.replace(TRAINING_MODE_CHANGE, name="tmc_unknown_gate", gates=("nobody",))
    with pytest.raises(ImproperlyConfigured):
        engine.run_gates(wf, TrainingModeChange(graduate=world.zhangsan))


def test_start_runs_the_gate_on_the_new_unsaved_item(world, monkeypatch):
    seen = []
    monkeypatch.setitem(engine.GATES, "graduate", lambda item: seen.append((item.pk, item.graduate_id)))
    change = services.training_mode_change_request(actor=world.wang, graduate_id=world.zhangsan.pk, to_mode="22",
                                                   directed_unit="广州市某局", reason="录取时为定向")
    assert seen == [(None, world.zhangsan.pk)]
    services.training_mode_change_act(actor=world.qian, change_id=change.pk, action="submit")
    assert seen[-1] == (change.pk, world.zhangsan.pk)


def test_a_refusing_gate_stops_the_move_before_the_table(world):
    change = services.training_mode_change_request(actor=world.wang, graduate_id=world.zhangsan.pk, to_mode="22",
                                                   directed_unit="广州市某局", reason="录取时为定向")
    world.zhangsan.is_valid = False
    world.zhangsan.save(update_fields=["is_valid"])
    with pytest.raises(ReadOnly):  # even an action the table does not know: the gate speaks first
        services.training_mode_change_act(actor=world.qian, change_id=change.pk, action="no_such_action")
    change.refresh_from_db()
    assert change.status == TrainingModeChange.Status.REQUESTED


def test_a_workflow_without_gates_runs_no_gate(world, monkeypatch):
    wf = dataclasses.replace(TRAINING_MODE_CHANGE, name="tmc_no_gates", gates=())

    def refuse(item):
        raise AssertionError("no gate may run")

    monkeypatch.setitem(engine.GATES, "graduate", refuse)
    change = engine.start(wf, actor=world.wang, action="request", reason="理由", fields={
        "graduate": world.zhangsan, "school_id": world.zhangsan.school_id,
        "department_id": world.zhangsan.department_id, "from_mode": "1", "to_mode": "22", "reason": "理由",
        "created_by": world.wang})
    assert change.pk and change.status == TrainingModeChange.Status.REQUESTED
