"""作废 (seed 3.5): after approval the graduate voids without review; it is recorded, reviewers see it among
已作废, and EMS clears the destination this very item reported (never another's)."""
from __future__ import annotations

import pytest

from gradreg.common.errors import Conflict, Forbidden
from gradreg.destinations import selectors, services
from gradreg.destinations.models import PaperAgreement, Registration
from gradreg.destinations.models import PaperStatus as PS
from gradreg.destinations.models import RegistrationStatus as R
from gradreg.destinations.payloads import void_payload
from gradreg.ems.models import ReportedDestination
from gradreg.ems.sync import apply_event
from gradreg.notifications.models import Message
from gradreg.signing.models import SigningStatus as S
from gradreg.workflow import audit
from gradreg.workflow.models import OutboxEvent
from gradreg.workflow.outbox import deliver_pending
from tests.destinations.conftest import CONTRACT, act, actions, paper_in, registration_in, submit, timeline
from tests.signing.conftest import signing_in

pytestmark = pytest.mark.usefixtures("signing_env")


def _held(world) -> ReportedDestination | None:
    return ReportedDestination.objects.filter(graduate=world.zhangsan).first()


def test_the_graduate_voids_an_approved_registration_without_review(world, django_capture_on_commit_callbacks,
                                                                      signals):
    item = registration_in(world, R.APPROVED)
    deliver_pending()
    assert (_held(world).source_type, _held(world).source_id) == ("registration", item.pk)
    messages = Message.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        voided = act(world.u_zhangsan, item, "void", reason="已另行签约")
    assert voided.status == R.VOIDED and voided.voided_at and voided.approved_at
    # recorded: the graduate's own move, on the item's chained timeline
    last = timeline(item)[-1]
    assert (last.action, last.from_state, last.to_state, last.actor_id, last.reason) == (
        "void", R.APPROVED, R.VOIDED, world.u_zhangsan.pk, "已另行签约")
    assert audit.verify_chain(timeline(item)) == []
    assert actions(item) == ["submit", "approve", "approve", "void"]
    # no one reviews it and no one is told: it is the graduate's own move
    assert Message.objects.count() == messages
    # EMS is told which item's destination to clear
    event = OutboxEvent.objects.get(topic="ems.destination_voided")
    assert event.idempotency_key == f"registration:{item.pk}:voided"
    assert event.payload == {"graduate_id": world.zhangsan.pk, "exam_no": world.zhangsan.exam_no,
                             "source": "登记系统", "source_type": "registration", "source_id": item.pk,
                             "clear_employment": True}
    deliver_pending()
    assert _held(world) is None
    # 登记确认 and 转递编号 hear of it
    [signal] = [s for s in signals if s["item"].pk == item.pk and s["sender"] is Registration][-1:]
    assert signal["kind"] == "destination" and "destination_type" in signal["fields"]


def test_reviewers_see_the_void_among_the_voided(world):
    item = registration_in(world, R.APPROVED)
    act(world.u_zhangsan, item, "void")
    for reviewer in (world.wang, world.qian):
        listed = selectors.search(Registration, reviewer, selectors.Filters(status=R.VOIDED))
        [row] = selectors.rows(listed)
        assert (row["id"], row["status"]) == (item.pk, R.VOIDED) and row["voided_at"] and row["approved_at"]
        assert not selectors.search(Registration, reviewer, selectors.Filters(status=R.APPROVED)).exists()
    assert not selectors.search(Registration, world.zhao, selectors.Filters(status=R.VOIDED)).exists()
    assert not selectors.search(Registration, world.sun, selectors.Filters(status=R.VOIDED)).exists()


def test_a_void_clears_only_its_own_destination_in_ems(world):
    """The graduate voids, then signs; a late delivery of the void (replayed) leaves the signing's destination."""
    item = registration_in(world, R.APPROVED)
    deliver_pending()
    act(world.u_zhangsan, item, "void")
    signing = signing_in(world, S.SIGNED)
    deliver_pending()
    held = _held(world)
    assert (held.source_type, held.source_id) == ("signing", signing.pk)
    # the same void arriving again under another key (another channel, a replay): EMS keeps the signing
    assert apply_event("ems.destination_voided", "replayed-void", void_payload(item)) is True
    held = _held(world)
    assert (held.source_type, held.source_id, held.employer_name) == ("signing", signing.pk, "某某科技有限公司")


def test_a_void_delivered_twice_is_applied_once(world):
    item = registration_in(world, R.APPROVED)
    act(world.u_zhangsan, item, "void")
    deliver_pending()
    event = OutboxEvent.objects.get(topic="ems.destination_voided")
    assert apply_event(event.topic, event.idempotency_key, event.payload) is False


def test_a_paper_agreement_is_voided_the_same_way(world):
    paper = paper_in(world, PS.APPROVED)
    deliver_pending()
    held = _held(world)
    assert (held.source_type, held.source_id, held.agreement_no) == ("paper_agreement", paper.pk,
                                                                     paper.details["paper_no"])
    act(world.u_zhangsan, paper, "void")
    event = OutboxEvent.objects.get(topic="ems.destination_voided")
    assert event.idempotency_key == f"paper_agreement:{paper.pk}:voided"
    deliver_pending()
    assert _held(world) is None
    assert selectors.search(PaperAgreement, world.wang, selectors.Filters(status=PS.VOIDED)).get().pk == paper.pk


@pytest.mark.parametrize("state", [R.WAIT_DEPT, R.WAIT_SCHOOL, R.RETURNED, R.WITHDRAWN, R.REJECTED, R.VOIDED])
def test_only_an_approved_registration_is_voided(world, state):
    item = registration_in(world, state)
    with pytest.raises(Conflict):
        act(world.u_zhangsan, item, "void")
    item.refresh_from_db()
    assert item.status == state


@pytest.mark.parametrize("reviewer", ["wang", "qian"])
def test_reviewers_do_not_void(world, reviewer):
    item = registration_in(world, R.APPROVED)
    with pytest.raises(Forbidden):
        act(getattr(world, reviewer), item, "void")


def test_giving_up_an_unreviewed_registration_tells_ems_nothing(world):
    item = registration_in(world, R.RETURNED)
    item = act(world.u_zhangsan, item, "abandon")
    assert item.status == R.VOIDED and item.approved_at is None
    assert not OutboxEvent.objects.filter(topic__startswith="ems.destination").exists()


def test_after_a_void_the_graduate_registers_again(world):
    item = registration_in(world, R.APPROVED)
    act(world.u_zhangsan, item, "void")
    again = submit(world.u_zhangsan, CONTRACT)
    assert again.status == R.WAIT_DEPT
    # the voided one stays voided, for the record
    item.refresh_from_db()
    assert item.status == R.VOIDED
    assert services.mine(Registration, world.u_zhangsan).count() == 2
