"""Set-based moves (gradreg.workflow.bulk.perform_set), on the 档案/户口 application table: the table still
decides (roles, source states, the graduate gate), each chain is what `audit.record` would have made, and
the statements do not grow with the number of items."""
from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from gradreg.archives.flows import APPLICATION
from gradreg.archives.models import ApplicationStatus as S
from gradreg.archives.models import TransferApplication
from gradreg.common.errors import DomainError, Forbidden
from gradreg.employers import services as employers
from gradreg.employers.flows import EMPLOYER_REVIEW
from gradreg.ems.models import Graduate
from gradreg.organisations.models import Employer, ReviewStatus
from gradreg.workflow import audit
from gradreg.workflow.bulk import movable, perform_set
from gradreg.workflow.models import AuditEvent, AuditHead, OutboxEvent
from tests import factories as f
from tests.archives.conftest import application_in, pending_applications
from tests.organisations.helpers import registration

pytestmark = pytest.mark.django_db


def dept_items(world):
    return TransferApplication.objects.filter(department=world.cs)


def statuses(items) -> list[str]:
    return list(TransferApplication.objects.filter(pk__in=[i.pk for i in items]).values_list("status", flat=True))


def test_moves_every_item_in_a_source_state_and_chains_verify(world):
    fresh = pending_applications(world, 3)
    submitted = application_in(world, S.WAIT_DEPT)  # through the services: a chain of one event already
    n = perform_set(APPLICATION, actor=world.wang, qs=dept_items(world), action="approve", ip="10.0.0.1")
    assert n == 4
    assert set(statuses([*fresh, submitted])) == {S.WAIT_SCHOOL}
    items, problems = audit.verify_all()
    assert problems == [] and items >= 4
    head = AuditHead.objects.get(item_type=APPLICATION.item_type, item_id=submitted.pk)
    last = AuditEvent.objects.get(item_type=APPLICATION.item_type, item_id=submitted.pk, seq=2)
    assert (head.count, head.last_hash, last.prev_hash) == (2, last.hash, AuditEvent.objects.get(
        item_type=APPLICATION.item_type, item_id=submitted.pk, seq=1).hash)
    assert (last.action, last.action_label, last.from_state, last.to_state, last.actor_id, last.ip) == (
        "approve", "审核通过", S.WAIT_DEPT, S.WAIT_SCHOOL, world.wang.pk, "10.0.0.1")
    for item in fresh:
        head = AuditHead.objects.get(item_type=APPLICATION.item_type, item_id=item.pk)
        event = AuditEvent.objects.get(item_type=APPLICATION.item_type, item_id=item.pk)
        assert (head.count, head.last_hash, head.school_id) == (1, event.hash, world.school.pk)
        assert (event.seq, event.prev_hash, event.school_id) == (1, audit.GENESIS, world.school.pk)


def test_a_second_set_move_continues_the_chains(world):
    items = pending_applications(world, 2)
    perform_set(APPLICATION, actor=world.wang, qs=dept_items(world), action="approve")
    outbox = []
    n = perform_set(APPLICATION, actor=world.qian, qs=TransferApplication.objects.filter(school=world.school),
                    action="approve", effect=lambda ids: outbox.extend(ids) or [
                        OutboxEvent(topic="test.bulk", idempotency_key=f"bulk:{pk}", payload={"id": pk}) for pk in ids])
    assert n == 2 and sorted(outbox) == sorted(i.pk for i in items)
    assert set(statuses(items)) == {S.APPROVED}
    assert OutboxEvent.objects.filter(topic="test.bulk").count() == 2
    assert audit.verify_all()[1] == []
    assert set(AuditHead.objects.filter(item_id__in=outbox).values_list("count", flat=True)) == {2}


def test_wrong_role_refused_and_nothing_moves(world):
    items = pending_applications(world, 2)
    for actor in (world.u_zhangsan, world.zhou, world.u_employer):
        with pytest.raises(Forbidden):
            perform_set(APPLICATION, actor=actor, qs=TransferApplication.objects.all(), action="approve")
    with pytest.raises(DomainError):
        perform_set(APPLICATION, actor=world.wang, qs=dept_items(world), action="fly")
    with pytest.raises(DomainError):  # 不通过 needs a reason, for a set as for one
        perform_set(APPLICATION, actor=world.wang, qs=dept_items(world), action="reject")
    assert set(statuses(items)) == {S.WAIT_DEPT} and not AuditEvent.objects.exists()


def test_items_in_other_states_are_left_alone(world):
    waiting = pending_applications(world, 2)
    at_school = pending_applications(world, 2, state=S.WAIT_SCHOOL)
    done = pending_applications(world, 1, state=S.APPROVED)
    n = perform_set(APPLICATION, actor=world.wang, qs=dept_items(world), action="approve")
    assert n == 2
    assert set(statuses(waiting)) == {S.WAIT_SCHOOL}
    assert set(statuses(at_school)) == {S.WAIT_SCHOOL} and statuses(done) == [S.APPROVED]
    touched = set(AuditEvent.objects.values_list("item_id", flat=True))
    assert touched == {i.pk for i in waiting}


def test_the_graduate_gate_in_set_form(world):
    ok = pending_applications(world, 2)
    invalid = pending_applications(world, 1)
    Graduate.objects.filter(pk=invalid[0].graduate_id).update(is_valid=False)
    old = pending_applications(world, 1, graduate_over={"graduation_year": 2020})
    assert movable(APPLICATION, world.wang, dept_items(world), "approve").count() == 2
    n = perform_set(APPLICATION, actor=world.wang, qs=dept_items(world), action="approve")
    assert n == 2 and set(statuses(ok)) == {S.WAIT_SCHOOL}
    assert statuses(invalid) == [S.WAIT_DEPT] and statuses(old) == [S.WAIT_DEPT]


def test_the_caller_scopes_the_set(world):
    mine = pending_applications(world, 1)
    other = pending_applications(world, 1, dept=world.fl)
    assert perform_set(APPLICATION, actor=world.wang, qs=dept_items(world), action="approve") == 1
    assert statuses(mine) == [S.WAIT_SCHOOL] and statuses(other) == [S.WAIT_DEPT]


def test_effects_need_a_set_form(world):
    pending_applications(world, 1, state=S.WAIT_SCHOOL)
    with pytest.raises(ImproperlyConfigured):  # the school's pass registers the info: per-item effects
        perform_set(APPLICATION, actor=world.qian, qs=TransferApplication.objects.all(), action="approve")


@pytest.mark.postgres_only
@pytest.mark.parametrize("n", [10, 100])
def test_fixed_number_of_statements(world, n, django_assert_max_num_queries):
    pending_applications(world, n)
    submitted = [application_in(world, S.WAIT_DEPT, graduate=f.graduate(world.cs)) for _ in range(2)]
    assert submitted
    # lock, update, heads read, events insert, heads insert, heads update, and the savepoint of the atomic
    with django_assert_max_num_queries(8):
        assert perform_set(APPLICATION, actor=world.wang, qs=dept_items(world), action="approve") == n + 2
    assert audit.verify_all()[1] == []


def test_an_item_of_no_school_moves_too(world):
    """The employers' review: no gate, no school (its chains' rows route nowhere)."""
    pending = [employers.employer_register(**registration(n)).employer for n in (601, 602)]
    qs = Employer.objects.filter(pk__in=[e.pk for e in pending])
    n = perform_set(EMPLOYER_REVIEW, actor=world.operator, qs=qs, action="approve",
                    effect=lambda ids: Employer.objects.filter(pk__in=ids).update(review_note="") and [])
    assert n == 2 and set(qs.values_list("review_status", flat=True)) == {ReviewStatus.APPROVED}
    events = AuditEvent.objects.filter(item_type=EMPLOYER_REVIEW.item_type, action="approve")
    assert events.count() == 2 and set(events.values_list("school_id", flat=True)) == {None}
    assert audit.verify_all()[1] == []
