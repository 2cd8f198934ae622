"""Random sequences of signing and termination moves by random users keep the invariants (SPEC 3, 4).

One live destination: a graduate never has two signings in a holding state. Every status change has
exactly one audit event, from the old state to the new, and every item's chain is intact.
"""
from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db.models import Count
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from gradreg.common.errors import DomainError
from gradreg.ems import services as ems
from gradreg.signing import services
from gradreg.signing.flows import signing_workflow, termination_workflow
from gradreg.signing.models import SIGNING_STATES, TERMINATION_STATES, Initiator, Signing, Termination
from gradreg.signing.models import SigningStatus as S
from gradreg.signing.models import TerminationStatus as TS
from gradreg.workflow import audit
from gradreg.workflow.engine import INITIAL, SYSTEM
from gradreg.workflow.models import AuditEvent, OutboxEvent
from tests import factories as f
from tests.signing.conftest import (
    act,
    actor_for,
    apply_offline,
    graduate_user,
    invite,
    material_pdf,
    party_user,
    second_employer,
    signing_in,
)

pytestmark = pytest.mark.usefixtures("signing_env")

KIND = {"online_signing": Signing, "offline_signing": Signing,
        "online_termination": Termination, "offline_termination": Termination}
STAFF = ["wang", "zhao", "qian", "sun", "zhou", "operator", "u_employer"]
SIGNING_ACTIONS = sorted({"invite", "withdraw", "decline", "agree", "expire", "approve", "reject", "terminate",
                          "apply", "resubmit", "return", "upload", "withdraw_upload"})
FORWARD = {a: n for n, a in enumerate(["agree", "approve", "upload", "resubmit"])}
TERMINATION_ACTIONS = sorted({"cancel", "agree", "decline", "approve", "reject", "return", "resubmit"})


@pytest.mark.django_db
def test_signing_invariants(world):
    _, employer_b = second_employer()
    serial = itertools.count(1)

    class Machine(RuleBasedStateMachine):
        @initialize()
        def setup(self):
            # fresh graduates each example: earlier examples' items stay, untouched, under other graduates
            n = next(serial)
            self.graduates = [f.graduate(world.cs, world.cs_major, name=f"甲{n}"),
                              f.graduate(world.fl, world.fl_major, name=f"乙{n}"),
                              f.graduate(world.cs, world.cs_major, name=f"丙{n}")]
            self.users = {f"g{k}": graduate_user(g) for k, g in enumerate(self.graduates)}
            self.users |= {"employer_b": employer_b, **{k: getattr(world, k) for k in STAFF}}
            self.signings: list[int] = []
            self.terminations: list[int] = []
            self.seen: dict[tuple[type, int], str] = {}
            self.last_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            # a starting position: 甲 invited by both employers, 乙 applying offline, 丙 signed (on- or offline)
            self.signings += [invite(world, self.graduates[0]).pk,
                              invite(world, self.graduates[0], employer_b).pk,
                              apply_offline(world, self.graduates[1]).pk,
                              signing_in(world, S.SIGNED, online=n % 2 == 0, graduate=self.graduates[2]).pk]

        # ---- what happens ----------------------------------------------------------------------------

        def _try(self, fn):
            try:
                fn()
            except DomainError:
                pass

        def _signing(self, i):
            return Signing.objects.get(pk=self.signings[i % len(self.signings)]) if self.signings else None

        def _termination(self, i):
            return Termination.objects.get(pk=self.terminations[i % len(self.terminations)]) \
                if self.terminations else None

        @rule(g=st.integers(0, 2), employer=st.sampled_from(["u_employer", "employer_b"]))
        def invite(self, g, employer):
            def go():
                self.signings.append(invite(world, self.graduates[g], self.users[employer]).pk)
            self._try(go)

        @rule(g=st.integers(0, 2))
        def apply_offline(self, g):
            def go():
                self.signings.append(apply_offline(world, self.graduates[g]).pk)
            self._try(go)

        def _follow(self, i, pick, termination) -> bool:
            """A move the table allows now, by the user it names: walks items far into their flows.

            Tries the i-th item (then the next ones) and its moves from the pick-th on, until one succeeds.
            """
            termination = termination and bool(self.terminations)
            ids = self.terminations if termination else self.signings
            for k in range(min(len(ids), 3)):
                model = Termination if termination else Signing
                obj = model.objects.get(pk=ids[(i + k) % len(ids)])
                if obj.status == S.SIGNED:  # the way on from 签约成功 is a termination
                    party = Initiator.EMPLOYER if obj.is_online and pick % 2 else Initiator.GRADUATE
                    try:
                        t = services.termination_apply(actor=party_user(world, obj, party), signing_id=obj.pk,
                                                       reason="解约", file=None if obj.is_online else material_pdf())
                        self.terminations.append(t.pk)
                        return True
                    except DomainError:
                        continue
                workflow = termination_workflow(obj) if termination else signing_workflow(obj)
                # forward moves first: hypothesis draws small numbers most, so items mostly progress
                moves = sorted(((t, r) for t in workflow.transitions if obj.status in t.source
                                for r in sorted(t.roles) if r != SYSTEM),
                               key=lambda m: FORWARD.get(m[0].action, len(FORWARD)))
                for n in range(len(moves)):
                    t, role = moves[(pick + n) % len(moves)]
                    if termination and t.guard is not None:
                        other = Initiator.EMPLOYER if obj.applicant == Initiator.GRADUATE else Initiator.GRADUATE
                        actor = party_user(world, obj, obj.applicant if t.guard.__name__ == "is_applicant" else other)
                    else:
                        actor = actor_for(world, role, obj)
                    try:
                        act(actor, obj, t.action, category="material")
                        return True
                    except DomainError:
                        continue
            return False

        # the table-following move is listed three times: random sequences should reach 签约成功 and 解约
        @rule(i=st.integers(0, 20), pick=st.integers(0, 20), termination=st.booleans())
        def follow_the_table(self, i, pick, termination):
            self._follow(i, pick, termination)

        @rule(i=st.integers(0, 20), pick=st.integers(0, 20), termination=st.booleans())
        def follow_the_table_again(self, i, pick, termination):
            self._follow(i, pick, termination)

        @rule(i=st.integers(0, 20), pick=st.integers(0, 20))
        def follow_a_signing(self, i, pick):
            self._follow(i, pick, False)

        @rule(who=st.sampled_from(["g0", "g1", "g2", "employer_b", *STAFF]), i=st.integers(0, 20),
              action=st.sampled_from(SIGNING_ACTIONS + TERMINATION_ACTIONS), termination=st.booleans(),
              reason=st.sampled_from(["", "原因"]), category=st.sampled_from(["", "other", "terms"]))
        def anyone_does_anything(self, who, i, action, termination, reason, category):
            obj = self._termination(i) if termination else self._signing(i)
            if obj is not None:
                self._try(lambda: act(self.users[who], obj, action, reason=reason, category=category))

        @rule(who=st.sampled_from(["g0", "g2", "u_employer", "employer_b", "wang"]), i=st.integers(0, 20))
        def apply_termination(self, who, i):
            s = self._signing(i)
            if s is None:
                return

            def go():
                t = services.termination_apply(actor=self.users[who], signing_id=s.pk, reason="解约",
                                               file=None if s.is_online else material_pdf())
                self.terminations.append(t.pk)
            self._try(go)

        @rule(who=st.sampled_from(["wang", "qian", "zhao"]), i=st.integers(0, 20))
        def refresh(self, who, i):
            s = self._signing(i)
            if s is not None:
                self._try(lambda: services.signing_refresh_info(actor=self.users[who], pk=s.pk))

        @rule(days=st.integers(0, 8))
        def time_passes(self, days):
            services.expire_invitations(now=timezone.now() + dt.timedelta(days=days))

        @rule(g=st.integers(0, 2), i=st.integers(0, 20), pick=st.integers(0, 20))
        def roster_deletion_freezes(self, g, i, pick):
            """失效: while deleted from the roster, no move of the graduate's items succeeds; restored, they thaw."""
            graduate = self.graduates[g]
            ems.graduate_invalidate(actor=world.qian, graduate_id=graduate.pk, reason="删除")
            def frozen():
                return (list(Signing.objects.filter(graduate=graduate).values_list("pk", "status")),
                        list(Termination.objects.filter(graduate=graduate).values_list("pk", "status")))

            before = frozen()
            for termination in (False, True):
                self._follow(i, pick, termination)
            assert frozen() == before
            ems.graduate_restore(actor=world.qian, graduate_id=graduate.pk)

        # ---- what always holds ----------------------------------------------------------------------

        @invariant()
        def one_live_destination(self):
            per_graduate = (Signing.objects.filter(status__in=SIGNING_STATES.holding()).values("graduate")
                            .annotate(n=Count("id")).filter(n__gt=1))
            assert list(per_graduate) == []

        @invariant()
        def every_status_change_has_exactly_one_audit_event(self):
            now = {(Signing, pk): st_ for pk, st_ in Signing.objects.filter(pk__in=self.signings)
                   .values_list("pk", "status")}
            now |= {(Termination, pk): st_ for pk, st_ in Termination.objects.filter(pk__in=self.terminations)
                    .values_list("pk", "status")}
            events = list(AuditEvent.objects.filter(pk__gt=self.last_event, item_type__in=KIND)
                          .exclude(action="refresh").order_by("pk"))
            by_item: dict[tuple[type, int], list[AuditEvent]] = {}
            for e in events:
                key = (KIND[e.item_type], e.item_id)
                # only this example's items (the platform's expiry also reaches earlier examples' invitations)
                if key in now:
                    by_item.setdefault(key, []).append(e)
            for key, status in now.items():
                old = self.seen.get(key, INITIAL)
                steps = by_item.get(key, [])
                if not steps:
                    assert status == old, (key, old, status, "changed without an audit event")
                    continue
                # one event per move: the events chain from the old status to the new one
                path = [steps[0].from_state] + [e.to_state for e in steps]
                assert path[0] == old and path[-1] == status, (key, old, status, path)
                assert all(a.to_state == b.from_state for a, b in zip(steps, steps[1:])), path
                assert all(e.from_state != e.to_state for e in steps), path
            self.seen = now
            self.last_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

        @invariant()
        def timelines_end_in_the_current_state_and_chains_hold(self):
            items = {(s.workflow_name, s.pk): s.status for s in Signing.objects.filter(pk__in=self.signings)
                     .only("initiator", "status")}
            items |= {(t.workflow_name, t.pk): t.status for t in Termination.objects.filter(pk__in=self.terminations)
                      .only("online", "status")}
            timelines: dict[tuple[str, int], list[AuditEvent]] = {}
            ids = [*self.signings, *self.terminations]
            for e in AuditEvent.objects.filter(item_type__in=KIND, item_id__in=ids).order_by("seq"):
                timelines.setdefault((e.item_type, e.item_id), []).append(e)
            for key, status in items.items():
                events = timelines[key]
                assert audit.verify_chain(events) == []
                moves = [e for e in events if e.action != "refresh"]
                assert moves[0].from_state == INITIAL and moves[-1].to_state == status

        @invariant()
        def ends_are_consistent(self):
            terms: dict[int, list[str]] = {}
            for signing_id, status in Termination.objects.filter(pk__in=self.terminations).values_list(
                    "signing_id", "status"):
                terms.setdefault(signing_id, []).append(status)
            completed = set(OutboxEvent.objects.filter(topic="ems.signing_completed",
                                                       payload__signing_id__in=self.signings)
                            .values_list("idempotency_key", flat=True))
            for s in Signing.objects.filter(pk__in=self.signings).only("status", "agreement_no", "signed_at"):
                mine = terms.get(s.pk, [])
                open_terms = sum(st_ in TERMINATION_STATES.open_states() for st_ in mine)
                assert open_terms <= 1
                if s.status in (S.SIGNED, S.TERMINATED):
                    assert s.agreement_no and s.signed_at
                    assert f"signing:{s.pk}:signed" in completed
                else:
                    assert f"signing:{s.pk}:signed" not in completed
                assert mine.count(TS.TERMINATED) == (1 if s.status == S.TERMINATED else 0)
                assert open_terms == 0 or s.status == S.SIGNED

    Machine.TestCase.settings = settings(
        max_examples=25, stateful_step_count=15, deadline=None, derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    Machine.TestCase().runTest()
