"""One live destination (SPEC 3): a signing in review or signed holds the graduate; 已解约 frees them."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import IntegrityError, transaction

from gradreg.common.errors import Conflict
from gradreg.roster.live import ensure_no_live_destination, live_destination
from gradreg.signing import services
from gradreg.signing.models import SIGNING_STATES, Initiator, Signing
from gradreg.signing.models import SigningStatus as S
from gradreg.signing.models import TerminationStatus as TS
from gradreg.workflow.models import AuditEvent
from tests.signing.conftest import (
    OFFLINE_TERMS,
    act,
    apply_offline,
    invite,
    second_employer,
    signing_in,
    termination_in,
)
from tests.workflow.harness import race

pytestmark = pytest.mark.usefixtures("signing_env")

HOLDING = sorted(SIGNING_STATES.holding())
NOT_HOLDING = [S.INVITED, S.DECLINED, S.WITHDRAWN, S.EXPIRED, S.REJECTED, S.TERMINATED, S.CANCELLED]


def test_holding_states_are_every_state_but_the_ends_and_the_invitation():
    assert set(HOLDING) | set(NOT_HOLDING) == set(S.values)
    assert not set(HOLDING) & set(NOT_HOLDING)


@pytest.mark.parametrize("state", HOLDING)
def test_a_holding_signing_blocks_agreeing_and_applying(world, state):
    held = signing_in(world, state)
    name = held.employer_name
    _, b = second_employer()
    other = invite(world, employer_actor=b)
    count = Signing.objects.count()
    with pytest.raises(Conflict) as exc:
        services.signing_act(actor=world.u_zhangsan, pk=other.pk, action="agree")
    assert exc.value.code == "live_destination" and f"“{name}”" in exc.value.message
    if state == S.SIGNED:
        assert "签约成功" in exc.value.message and "解约" in exc.value.message
    else:
        assert "正在办理中" in exc.value.message and S(state).label in exc.value.message
    other.refresh_from_db()
    assert other.status == S.INVITED
    with pytest.raises(Conflict) as exc2:
        apply_offline(world)
    assert exc2.value.message == exc.value.message
    assert Signing.objects.count() == count


@pytest.mark.parametrize("state", NOT_HOLDING)
def test_ended_signings_do_not_hold(world, state):
    signing_in(world, state)
    _, b = second_employer()
    s = services.signing_act(actor=world.u_zhangsan, pk=invite(world, employer_actor=b).pk, action="agree")
    assert s.status == S.AGREED


def test_after_termination_the_graduate_signs_again(world):
    t = termination_in(world, TS.TERMINATED)
    assert t.signing.status == S.TERMINATED
    assert live_destination(world.zhangsan) is None
    s = apply_offline(world)
    assert s.status == S.DRAFT_WAIT_DEPT
    # …and a new signing holds them as the first did
    with pytest.raises(Conflict):
        services.signing_act(actor=world.u_zhangsan, pk=invite(world).pk, action="agree")


def test_a_graduate_may_hold_many_invitations_and_agree_to_one(world):
    _, b = second_employer()
    first, second = invite(world), invite(world, employer_actor=b)
    act(world.u_zhangsan, second, "agree")
    with pytest.raises(Conflict):
        act(world.u_zhangsan, first, "agree")
    # declining the other one is still possible
    act(world.u_zhangsan, first, "decline", reason="已与另一家单位签约")
    first.refresh_from_db()
    assert first.status == S.DECLINED


def test_resubmitting_a_withdrawn_application_does_not_count_itself(world):
    s = signing_in(world, S.DRAFT_WITHDRAWN)
    s = services.offline_resubmit(actor=world.u_zhangsan, pk=s.pk, data=OFFLINE_TERMS)
    assert s.status == S.DRAFT_WAIT_DEPT


def test_only_a_signing_excludes_itself(world):
    """Another module's item with the same id as the holding signing must not hide it."""
    held = signing_in(world, S.AGREED)
    assert live_destination(world.zhangsan, exclude=held) is None
    registration = SimpleNamespace(pk=held.pk)  # e.g. a destination registration being approved
    assert "某某科技有限公司" in live_destination(world.zhangsan, exclude=registration)
    with pytest.raises(Conflict):
        ensure_no_live_destination(world.zhangsan, exclude=registration)


def test_the_database_refuses_a_second_holding_signing(world):
    held = signing_in(world, S.AGREED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Signing.objects.create(**{f.name: getattr(held, f.name) for f in Signing._meta.fields
                                  if f.name not in {"id", "verify_token", "created_at", "updated_at"}})


# ---- races (PostgreSQL: row locks across connections) -----------------------------------------------

@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_agreements_at_the_same_moment_exactly_one_wins(world, signing_env):
    _, b = second_employer()
    first, second = invite(world), invite(world, employer_actor=b)
    results = race(
        lambda: services.signing_act(actor=world.u_zhangsan, pk=first.pk, action="agree"),
        lambda: services.signing_act(actor=world.u_zhangsan, pk=second.pk, action="agree"),
    )
    assert results == ["Conflict", "ok"]
    statuses = sorted(Signing.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True))
    assert statuses == sorted([S.AGREED, S.INVITED])
    assert AuditEvent.objects.filter(item_type="online_signing", action="agree").count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_offline_apply_and_agree_at_the_same_moment_exactly_one_wins(world, signing_env):
    invitation = invite(world)
    results = race(
        lambda: services.signing_act(actor=world.u_zhangsan, pk=invitation.pk, action="agree"),
        lambda: apply_offline(world),
    )
    assert results == ["Conflict", "ok"]
    holding = Signing.objects.filter(graduate=world.zhangsan, status__in=HOLDING)
    assert holding.count() == 1
    winner = holding.get()
    invitation.refresh_from_db()
    if winner.initiator == Initiator.GRADUATE:
        assert invitation.status == S.INVITED
    else:
        assert winner.pk == invitation.pk and Signing.objects.count() == 1
