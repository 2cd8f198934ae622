"""Employer review runs on the engine: one status field, no gates, the audit trail from the table."""
from __future__ import annotations

import pytest

from gradreg.accounts.models import Role
from gradreg.common.errors import Conflict, Forbidden, NotFound
from gradreg.common.ids import make_credit_code
from gradreg.employers import services
from gradreg.employers.flows import EMPLOYER_REVIEW, EMPLOYER_STATES
from gradreg.organisations.models import Employer, ReviewStatus
from gradreg.workflow import engine
from gradreg.workflow.models import AuditEvent
from tests.organisations.helpers import registration

R = ReviewStatus


def registered(n: int = 501) -> Employer:
    return services.employer_register(**registration(n)).employer


def test_the_table_belongs_to_no_graduate_and_moves_review_status():
    assert EMPLOYER_REVIEW.gates == () and EMPLOYER_REVIEW.state_field == "review_status"
    assert EMPLOYER_STATES.waiting_for(Role.OPERATOR) == (R.PENDING,)
    assert EMPLOYER_STATES.waiting_for(Role.EMPLOYER) == (R.PENDING, R.REJECTED)
    assert [EMPLOYER_STATES.tone(s) for s in R.values] == ["wait", "ok", "bad"]


def test_review_runs_whatever_the_graduate_gate_would_say(world, monkeypatch):
    def refuse(item):
        raise AssertionError("the employer review has no gates")

    monkeypatch.setitem(engine.GATES, "graduate", refuse)
    employer = registered()
    services.employer_approve(actor=world.operator, employer_id=employer.pk)
    employer.refresh_from_db()
    assert employer.review_status == R.APPROVED and employer.approved


def test_each_step_is_audited_with_the_tables_wording(world):
    employer = registered()
    services.employer_reject(actor=world.operator, employer_id=employer.pk, reason="执照模糊")
    rows = list(AuditEvent.objects.filter(item_type="employer", item_id=employer.pk).order_by("seq").values_list(
        "action", "action_label", "from_state", "to_state", "reason", "actor_role"))
    assert rows == [("register", "单位注册", "", R.PENDING, "", Role.EMPLOYER),
                    ("reject", "审核不通过", R.PENDING, R.REJECTED, "执照模糊", Role.OPERATOR)]
    register = AuditEvent.objects.get(item_type="employer", item_id=employer.pk, action="register")
    assert register.data["credit_code"] == employer.credit_code and "licence_sha256" in register.data


def test_the_scoped_read_lets_only_the_operator_and_the_units_own_users_act(world):
    employer = registered()
    for actor in (world.u_employer, world.wang, world.u_zhangsan):
        with pytest.raises((NotFound, Forbidden)):
            engine.perform(EMPLOYER_REVIEW, actor=actor, pk=employer.pk, action="approve")
    employer.refresh_from_db()
    assert employer.review_status == R.PENDING


def test_a_creation_recorded_outside_start_must_be_in_the_table(world):
    e = Employer.objects.create(name="甲", credit_code=make_credit_code(601), approved=True)
    with pytest.raises(Conflict):  # an approved unit was not just registered
        engine.record_created(EMPLOYER_REVIEW, e, actor=world.u_employer, action="register")
    with pytest.raises(Forbidden):  # the operator does not register units
        engine.record_created(EMPLOYER_REVIEW, e, actor=world.operator, action="register")
    assert not AuditEvent.objects.filter(item_type="employer", item_id=e.pk).exists()


def test_approved_is_read_from_the_one_status_field(db):
    e = Employer(name="乙", credit_code=make_credit_code(602), approved=True)
    assert e.review_status == R.APPROVED and e.approved
    e.approved = False
    assert e.review_status == R.PENDING and not e.approved
    e.review_status = R.REJECTED
    e.approved = False  # clearing the flag does not undo a rejection
    assert e.review_status == R.REJECTED and e.review_state == R.REJECTED and e.review_state_label == "未通过"
