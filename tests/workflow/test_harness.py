"""The harness itself: recipes are the table's shortest paths, and builds walk them through the services."""
from __future__ import annotations

import pytest

from gradreg.signing.models import SigningStatus as S
from gradreg.signing.models import TerminationStatus as TS
from gradreg.workflow import audit
from tests.signing.conftest import FLOWS, signing_env  # noqa: F401  (signing_env: a fixture)
from tests.workflow.harness import Harness, Plug, step_id
from tests.workflow.test_training_mode_flow import PLUG as TRAINING_MODE


def _path(plug: Plug, state: str) -> list[str]:
    return [step_id(step) for step in plug.recipes()[state]]


def test_recipes_are_the_shortest_paths_of_the_table():
    online = FLOWS["online_signing"]
    assert _path(online, S.INVITED) == []
    assert _path(online, S.SIGNED) == ["agree:invited->agreed", "approve:agreed->online_school",
                                       "approve:online_school->signed"]
    assert _path(online, S.TERMINATED)[-1] == "terminate:signed->terminated"
    assert _path(online, S.EXPIRED) == ["expire:invited->expired"]
    offline = FLOWS["offline_signing"]
    assert _path(offline, S.CANCELLED) == ["withdraw:draft_dept->draft_withdrawn", "abandon:draft_withdrawn->cancelled"]
    assert len(_path(offline, S.UPLOAD_RETURNED)) == 4
    assert _path(FLOWS["online_termination"], TS.TERMINATED) == [
        "agree:pending_other->agreed", "approve:agreed->school", "approve:school->terminated"]


def test_every_plugged_table_reaches_each_of_its_states():
    for plug in [*FLOWS.values(), TRAINING_MODE]:
        assert set(plug.states()) == {t.target for t in plug.workflow.transitions}, plug.name


def test_a_platform_move_without_a_trigger_is_left_out_of_the_recipes():
    online = FLOWS["online_signing"]
    bare = Plug(workflow=online.workflow, prepare=online.prepare, start=online.start, creator=online.creator,
                act=online.act)
    assert S.EXPIRED not in bare.recipes() and S.TERMINATED not in bare.recipes()


@pytest.mark.usefixtures("signing_env")
def test_a_build_walks_the_services_with_a_chained_audit(harness):
    t = harness.build(FLOWS["offline_termination"], TS.RETURNED)
    events = audit.timeline("offline_termination", t.pk)
    assert [(e.action, e.to_state) for e in events] == [("apply", TS.OFFLINE_WAIT_DEPT), ("return", TS.RETURNED)]
    assert audit.verify_chain(events) == []
    assert t.signing.status == S.SIGNED and t.signing.initiator == "graduate"


def test_a_state_the_table_does_not_reach_is_refused(harness):
    with pytest.raises(ValueError, match="not a state"):
        harness.build(FLOWS["online_signing"], S.DRAFT_WAIT_DEPT)


@pytest.mark.usefixtures("signing_env")
def test_guarded_moves_are_made_by_the_party_the_guard_lets_through(world):
    h = Harness(world)
    by_employer = h.build(FLOWS["online_termination"], TS.CANCELLED, applicant="employer")
    [_, cancel] = audit.timeline("online_termination", by_employer.pk)
    assert cancel.actor_id == world.u_employer.pk
    agreed = h.build(FLOWS["online_termination"], TS.AGREED, signing=by_employer.signing, applicant="employer")
    assert audit.timeline("online_termination", agreed.pk)[-1].actor_id == world.u_zhangsan.pk
    other = h.build(FLOWS["online_termination"], TS.AGREED, graduate=world.lisi)  # applied for by 李四
    assert audit.timeline("online_termination", other.pk)[-1].actor_id == world.u_employer.pk
