"""失效 and restore (seed 3.6, SPEC 3): a graduate deleted from the EMS roster is frozen, marked 失效 and waits for
no one, and EMS drops what the platform reported; a restore brings every state back and re-sends it to EMS."""
from __future__ import annotations

import pytest

from gradreg.common.errors import ReadOnly
from gradreg.destinations import selectors, services
from gradreg.destinations.models import PaperAgreement, Registration
from gradreg.destinations.models import PaperStatus as PS
from gradreg.destinations.models import RegistrationStatus as R
from gradreg.ems.models import ReportedDestination
from gradreg.ems.services import graduate_invalidate, graduate_restore
from gradreg.workflow.models import OutboxEvent
from gradreg.workflow.outbox import deliver_pending
from tests import factories as f
from tests.destinations.conftest import CONTRACT, act, data_for, edited, paper_in, registration_in, submit, timeline
from tests.workflow.harness import graduate_user


def _classmate(world, name: str):
    g = f.graduate(world.cs, world.cs_major, name=name)
    return g, graduate_user(g)


def _counts(actor) -> tuple[int, int]:
    counts = selectors.waiting_counts(actor)
    return counts["registration_total"], counts["paper_total"]


def test_an_invalid_graduate_is_frozen_marked_and_waits_for_no_one(world):
    approved = registration_in(world, R.APPROVED)  # 张三
    g2, u2 = _classmate(world, "王小明")
    waiting_dept = registration_in(world, R.WAIT_DEPT, graduate=g2)
    g3, u3 = _classmate(world, "刘小红")
    waiting_school = paper_in(world, PS.WAIT_SCHOOL, graduate=g3)
    deliver_pending()
    assert ReportedDestination.objects.filter(graduate=world.zhangsan, source_type="registration").exists()
    assert _counts(world.wang) == (1, 0) and _counts(world.qian) == (0, 1)

    for g in (world.zhangsan, g2, g3):
        graduate_invalidate(actor=world.qian, graduate_id=g.pk, reason="退学")

    # every move is refused, and nothing changes
    tries = [
        lambda: act(world.u_zhangsan, approved, "void"),
        lambda: act(world.qian, approved, "edit"),
        lambda: act(u2, waiting_dept, "withdraw"),
        lambda: act(world.wang, waiting_dept, "approve"),
        lambda: act(world.wang, waiting_dept, "return"),
        lambda: act(world.wang, waiting_dept, "reject"),
        lambda: act(world.wang, waiting_dept, "edit"),
        lambda: services.refresh(Registration, actor=world.wang, pk=waiting_dept.pk),
        lambda: act(world.qian, waiting_school, "approve"),
        lambda: act(world.qian, waiting_school, "edit"),
        lambda: services.refresh(PaperAgreement, actor=world.qian, pk=waiting_school.pk),
        lambda: submit(world.u_zhangsan, CONTRACT),
    ]
    for attempt in tries:
        with pytest.raises(ReadOnly) as exc:
            attempt()
        assert "失效" in exc.value.message
    for item, state in ((approved, R.APPROVED), (waiting_dept, R.WAIT_DEPT), (waiting_school, PS.WAIT_SCHOOL)):
        item.refresh_from_db()
        assert item.status == state
    assert [e.action for e in timeline(waiting_dept)] == ["submit"]
    # the department's and the school's pending counts leave them out
    assert _counts(world.wang) == (0, 0) and _counts(world.qian) == (0, 0)
    # marked 失效 in the lists (the 失效 filter), the state kept
    listed = selectors.rows(selectors.search(Registration, world.qian, selectors.Filters(status=selectors.INVALID)))
    assert {(r["id"], r["status"], r["graduate_valid"]) for r in listed} == {
        (approved.pk, R.APPROVED, False), (waiting_dept.pk, R.WAIT_DEPT, False)}
    paper_rows = selectors.search(PaperAgreement, world.wang, selectors.Filters(status=selectors.INVALID))
    assert list(paper_rows.values_list("id", flat=True)) == [waiting_school.pk]
    # EMS drops what the platform reported
    deliver_pending()
    assert not ReportedDestination.objects.filter(graduate=world.zhangsan).exists()


def test_an_item_of_a_valid_graduate_is_not_listed_as_invalid(world):
    registration_in(world, R.WAIT_DEPT)
    assert not selectors.search(Registration, world.wang, selectors.Filters(status=selectors.INVALID)).exists()
    assert _counts(world.wang) == (1, 0)


def test_restore_brings_the_states_back_and_resends_the_approved_destination(world):
    item = registration_in(world, R.APPROVED)
    deliver_pending()
    graduate_invalidate(actor=world.qian, graduate_id=world.zhangsan.pk)
    deliver_pending()
    assert not ReportedDestination.objects.filter(graduate=world.zhangsan).exists()

    graduate_restore(actor=world.qian, graduate_id=world.zhangsan.pk)
    world.zhangsan.refresh_from_db()
    stamp = world.zhangsan.restored_at.timestamp()
    [event] = OutboxEvent.objects.filter(topic="ems.destination_reported", idempotency_key__contains=":restore:")
    assert event.idempotency_key == f"registration:{item.pk}:restore:{stamp}"
    assert event.payload["source_id"] == item.pk and event.school_id == item.school_id
    deliver_pending()
    held = ReportedDestination.objects.get(graduate=world.zhangsan)
    assert (held.source_type, held.source_id, held.employer_name, held.read_only) == (
        "registration", item.pk, "中山大学", True)
    # the graduate acts again
    item.refresh_from_db()
    assert item.status == R.APPROVED
    assert act(world.u_zhangsan, item, "void").status == R.VOIDED


def test_a_second_restore_resends_again(world):
    """Each restore has its own key: EMS applies the second one although it saw the first."""
    paper = paper_in(world, PS.APPROVED)
    for _ in range(2):
        graduate_invalidate(actor=world.qian, graduate_id=world.zhangsan.pk)
        deliver_pending()
        assert not ReportedDestination.objects.filter(graduate=world.zhangsan).exists()
        graduate_restore(actor=world.qian, graduate_id=world.zhangsan.pk)
        deliver_pending()
        assert ReportedDestination.objects.get(graduate=world.zhangsan).source_id == paper.pk
    assert OutboxEvent.objects.filter(idempotency_key__startswith=f"paper_agreement:{paper.pk}:restore:").count() == 2


def test_a_restore_resends_nothing_that_was_not_approved(world):
    item = registration_in(world, R.WAIT_SCHOOL)
    graduate_invalidate(actor=world.qian, graduate_id=world.zhangsan.pk)
    graduate_restore(actor=world.qian, graduate_id=world.zhangsan.pk)
    assert not OutboxEvent.objects.filter(topic__startswith="ems.destination").exists()
    # …and the review carries on where it stopped
    assert act(world.qian, item, "approve").status == R.APPROVED


def test_a_restored_in_flight_item_can_be_resubmitted(world):
    item = registration_in(world, R.RETURNED)
    graduate_invalidate(actor=world.qian, graduate_id=world.zhangsan.pk)
    with pytest.raises(ReadOnly):
        services.resubmit(Registration, actor=world.u_zhangsan, pk=item.pk, data=edited(item))
    graduate_restore(actor=world.qian, graduate_id=world.zhangsan.pk)
    done = services.resubmit(Registration, actor=world.u_zhangsan, pk=item.pk,
                             data=data_for("study_domestic.postgraduate"))
    assert done.status == R.WAIT_DEPT
