"""去向登记 (seed 3.5, SPEC 4.6) and 补登 (SPEC 4.3): both tables through the kit's harness.

Each legal move by each allowed role (修改去向 included: a move that leaves the item where it is), every
other role refused, every wrong state a Conflict, and 自动作废 (supersede) the platform's alone.
"""
from __future__ import annotations

from gradreg.common.roles import Role
from gradreg.destinations.models import PAPER_STATES, REGISTRATION_STATES
from gradreg.destinations.models import PaperStatus as PS
from gradreg.destinations.models import RegistrationStatus as R
from tests.destinations.conftest import PAPER_PLUG, REGISTRATION_PLUG
from tests.workflow.harness import TableTests


class TestRegistrationTable(TableTests):
    plug = REGISTRATION_PLUG


class TestPaperTable(TableTests):
    plug = PAPER_PLUG


def test_a_change_in_place_is_not_something_an_item_waits_for():
    """修改去向 of an approved registration is the school's to make, but an approved one waits for no one:
    not in the school's 待审核 counts, not open to 获取最新学生信息."""
    for states, v in ((REGISTRATION_STATES, R), (PAPER_STATES, PS)):
        assert states.waiting_for(Role.DEPARTMENT) == (v.WAIT_DEPT,)
        assert states.waiting_for(Role.SCHOOL) == (v.WAIT_SCHOOL,)
        assert states.default_for(Role.DEPARTMENT) == v.WAIT_DEPT
        assert states.default_for(Role.SCHOOL) == v.WAIT_SCHOOL


def test_the_tables_read_as_the_seed_says():
    """Who moves what, in one place (seed 3.5): the reviewer it waits for edits; the school edits an approved one;
    the graduate withdraws only before any review, and voids only an approved one."""
    for workflow, v in ((REGISTRATION_PLUG.workflow, R), (PAPER_PLUG.workflow, PS)):
        edits = {(src, tuple(sorted(t.roles))) for t in workflow.transitions if t.action == "edit" for src in t.source}
        assert edits == {(v.WAIT_DEPT, (Role.DEPARTMENT,)), (v.WAIT_SCHOOL, (Role.SCHOOL,)),
                         (v.APPROVED, (Role.SCHOOL,))}
        assert workflow.find("withdraw", v.WAIT_DEPT, Role.GRADUATE) is not None
        assert workflow.find("withdraw", v.WAIT_SCHOOL, Role.GRADUATE) is None
        assert [sorted(t.source) for t in workflow.transitions if t.action == "void"] == [[v.APPROVED]]
        assert {t.target for t in workflow.transitions if t.action == "reject"} == {v.REJECTED}
        assert all(t.needs_reason for t in workflow.transitions if t.action in ("return", "reject"))
