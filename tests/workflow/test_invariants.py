"""Random sequences of moves by random users: every change audited, the chain intact, the mode consistent."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from gradreg.common.errors import DomainError
from gradreg.ems import services
from gradreg.ems.flows import TRAINING_MODE_CHANGE
from gradreg.ems.models import TrainingModeChange
from gradreg.workflow import audit
from gradreg.workflow.models import AuditEvent

ACTORS = ["wang", "zhao", "qian", "sun", "zhou", "u_zhangsan", "u_employer", "operator"]
ACTIONS = TRAINING_MODE_CHANGE.actions()


@pytest.mark.django_db
def test_training_mode_invariants(world):
    class Machine(RuleBasedStateMachine):
        @initialize()
        def setup(self):
            TrainingModeChange.objects.all().delete()
            self.moves = 0
            self.start_events = AuditEvent.objects.count()
            world.zhangsan.training_mode = "1"
            world.zhangsan.directed_unit = ""
            world.zhangsan.save()

        @rule(who=st.sampled_from(ACTORS), mode=st.sampled_from(["21", "22", "41", "42"]))
        def request(self, who, mode):
            try:
                services.training_mode_change_request(
                    actor=getattr(world, who), graduate_id=world.zhangsan.pk, to_mode=mode, directed_unit="某局",
                    reason="申请",
                )
                self.moves += 1
            except DomainError:
                pass

        @rule(who=st.sampled_from(ACTORS), action=st.sampled_from(ACTIONS), reason=st.sampled_from(["", "原因"]))
        def act(self, who, action, reason):
            change = TrainingModeChange.objects.order_by("-id").first()
            if change is None:
                return
            try:
                services.training_mode_change_act(actor=getattr(world, who), change_id=change.pk, action=action,
                                                  reason=reason)
                self.moves += 1
            except DomainError:
                pass

        @invariant()
        def every_change_audited(self):
            assert AuditEvent.objects.count() - self.start_events == self.moves

        @invariant()
        def at_most_one_open_request(self):
            assert TrainingModeChange.objects.filter(status__in=["requested", "submitted"]).count() <= 1

        @invariant()
        def mode_matches_last_approval(self):
            world.zhangsan.refresh_from_db()
            last = TrainingModeChange.objects.filter(status="approved").order_by("-updated_at", "-id").first()
            assert world.zhangsan.training_mode == (last.to_mode if last else "1")

        @invariant()
        def chains_intact(self):
            for c in TrainingModeChange.objects.all():
                assert audit.verify_chain(audit.timeline("training_mode_change", c.pk)) == []

    Machine.TestCase.settings = settings(
        max_examples=15, stateful_step_count=12, deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    Machine.TestCase().runTest()
