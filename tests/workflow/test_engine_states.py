"""State facts live in one StateSet per vocabulary; what waits for whom is derived from the tables."""
from __future__ import annotations

import pytest
from django.db import models

from gradreg.accounts.models import Role
from gradreg.employers.flows import EMPLOYER_STATES
from gradreg.ems.flows import TRAINING_MODE_STATES
from gradreg.ems.models import TrainingModeChange
from gradreg.signing import selectors
from gradreg.signing.models import SIGNING_STATES, TERMINATION_STATES, SigningStatus, TerminationStatus
from gradreg.workflow.engine import INITIAL, SYSTEM
from gradreg.workflow.states import State, StateSet
from tests.signing.conftest import apply_offline, signing_env  # noqa: F401  (a fixture)

S, TS, TM = SigningStatus, TerminationStatus, TrainingModeChange.Status
D, SC = Role.DEPARTMENT, Role.SCHOOL
ALL_SETS = [SIGNING_STATES, TERMINATION_STATES, TRAINING_MODE_STATES, EMPLOYER_STATES]


def test_waiting_states_are_derived_from_the_tables_as_the_home_page_listed_them():
    assert SIGNING_STATES.waiting_for(D) == (S.AGREED, S.DRAFT_WAIT_DEPT, S.UPLOAD_WAIT_DEPT)
    assert SIGNING_STATES.waiting_for(SC) == (S.ONLINE_WAIT_SCHOOL, S.DRAFT_WAIT_SCHOOL, S.UPLOAD_WAIT_SCHOOL)
    assert TERMINATION_STATES.waiting_for(D) == (TS.AGREED, TS.OFFLINE_WAIT_DEPT)
    assert TERMINATION_STATES.waiting_for(SC) == (TS.WAIT_SCHOOL,)
    assert TRAINING_MODE_STATES.waiting_for(Role.PROVINCE) == (TM.SUBMITTED,)
    assert SIGNING_STATES.waiting_for(Role.PROVINCE) == ()


def test_system_moves_do_not_make_a_state_wait():
    assert S.SIGNED not in {s for r in Role for s in SIGNING_STATES.waiting_for(r)}
    assert S.INVITED in SIGNING_STATES.waiting_for(Role.GRADUATE)  # answered by the graduate, expired by the platform


def test_list_defaults_are_the_seeds_and_otherwise_the_first_waiting_state():
    assert dict(selectors.DEFAULT_SIGNING_STATUS) == {D: S.DRAFT_WAIT_DEPT, SC: S.DRAFT_WAIT_SCHOOL}
    assert dict(selectors.DEFAULT_TERMINATION_STATUS) == {D: TS.OFFLINE_WAIT_DEPT, SC: TS.WAIT_SCHOOL}
    assert TERMINATION_STATES.default_for(SC) == TS.WAIT_SCHOOL  # not declared: derived
    assert selectors.DEFAULT_SIGNING_STATUS.get(Role.GRADUATE, "") == ""
    assert TRAINING_MODE_STATES.default_for(Role.OPERATOR) == ""


def test_holding_and_open_states_keep_the_lists_the_database_constraints_were_built_on():
    assert SIGNING_STATES.holding() == {
        S.AGREED, S.ONLINE_WAIT_SCHOOL, S.DRAFT_WAIT_DEPT, S.DRAFT_WAIT_SCHOOL, S.DRAFT_RETURNED, S.DRAFT_WITHDRAWN,
        S.AWAIT_UPLOAD, S.UPLOAD_WAIT_DEPT, S.UPLOAD_WAIT_SCHOOL, S.UPLOAD_RETURNED, S.SIGNED}
    assert TERMINATION_STATES.open_states() == {TS.PENDING_OTHER, TS.AGREED, TS.OFFLINE_WAIT_DEPT, TS.WAIT_SCHOOL,
                                                TS.RETURNED}


@pytest.mark.parametrize("states", ALL_SETS, ids=repr)
def test_a_state_is_open_exactly_when_someone_may_still_move_the_item_out_of_it(states):
    movable = {s for wf in states.workflows.values() for t in wf.transitions if set(t.roles) - {SYSTEM}
               for s in t.source if s != INITIAL}
    assert states.open_states() == movable


@pytest.mark.parametrize("states", ALL_SETS, ids=repr)
def test_every_state_is_declared_once_with_a_known_tone(states):
    assert list(states) == states.values and set(states.meta) == set(states.values)
    assert all(states.tone(s) in {"wait", "ok", "bad", "off", ""} for s in states)


def test_tones_are_the_colours_the_pages_used():
    assert {s: SIGNING_STATES.tone(s) for s in SIGNING_STATES if SIGNING_STATES.tone(s) != "wait"} == {
        S.SIGNED: "ok", S.REJECTED: "bad", S.DECLINED: "bad",
        S.WITHDRAWN: "off", S.EXPIRED: "off", S.CANCELLED: "off", S.TERMINATED: "off"}
    assert {s: TERMINATION_STATES.tone(s) for s in TERMINATION_STATES if TERMINATION_STATES.tone(s) != "wait"} == {
        TS.TERMINATED: "off", TS.FAILED: "bad", TS.OTHER_DECLINED: "bad", TS.CANCELLED: "off"}
    assert TRAINING_MODE_STATES.tone(TM.APPROVED) == "ok" and TRAINING_MODE_STATES.tone(TM.WITHDRAWN) == ""
    assert SIGNING_STATES.label(S.SIGNED) == "签约成功" and SIGNING_STATES.label("nonsense") == "nonsense"


def test_a_state_set_refuses_a_vocabulary_it_does_not_cover():
    class Colour(models.TextChoices):
        RED = "red", "红"
        BLUE = "blue", "蓝"

    with pytest.raises(ValueError, match="blue"):
        StateSet(Colour, {Colour.RED: State("ok")})
    with pytest.raises(ValueError, match="tone"):
        State("green")


@pytest.mark.usefixtures("signing_env")
def test_home_counts_come_from_the_waiting_states(world):
    apply_offline(world)
    counts = selectors.waiting_counts(world.wang)
    assert [st for st, _, _ in counts["signing"]] == list(SIGNING_STATES.waiting_for(D))
    assert dict((st, n) for st, _, n in counts["signing"])[S.DRAFT_WAIT_DEPT] == 1
    assert counts["signing_total"] == 1 and counts["termination_total"] == 0
    assert counts["termination"][0][1] == TS.AGREED.label
    assert selectors.waiting_counts(world.u_zhangsan) == {}
