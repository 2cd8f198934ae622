"""Employer invitations (SPEC 4.1): who may invite whom, for how long, and what happens when time runs out."""
from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from gradreg.common.errors import Conflict, DomainError, Forbidden, Invalid, ReadOnly
from gradreg.notifications.models import Message
from gradreg.organisations.models import Employer
from gradreg.signing import services
from gradreg.signing.models import Signing
from gradreg.signing.models import SigningStatus as S
from gradreg.signing.selectors import invitations_for
from gradreg.workflow import audit
from tests import factories as f
from tests.signing.conftest import TERMS, act, invite, second_employer, signing_in

pytestmark = pytest.mark.usefixtures("signing_env")


def test_invitation_carries_the_employer_and_the_terms(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        s = invite(world)
    assert (s.status, s.employer, s.initiator, s.graduate) == (S.INVITED, world.employer, "employer", world.zhangsan)
    assert (s.employer_name, s.credit_code) == ("某某科技有限公司", world.employer.credit_code)
    assert (s.school, s.department, s.graduation_year) == (world.school, world.cs, 2027)
    assert (s.position, s.monthly_salary, s.probation_months) == ("软件工程师", 12000, 3)
    assert s.expires_at - timezone.now() == pytest.approx(dt.timedelta(days=7), abs=dt.timedelta(seconds=5))
    assert list(invitations_for(world.u_zhangsan)) == [s]
    assert list(invitations_for(world.u_lisi)) == []
    msg = Message.objects.get(recipient=world.u_zhangsan)
    assert "某某科技有限公司" in msg.title and msg.url == f"/signing/{s.pk}/"


def test_invitation_by_exam_number(world):
    s = services.invitation_create(actor=world.u_employer, name="张三", exam_no=world.zhangsan.exam_no, terms=TERMS)
    assert s.graduate == world.zhangsan


def test_invitation_terms_are_validated(world):
    with pytest.raises(Invalid) as exc:
        invite(world, monthly_salary="很多", job_category="ZZ", work_region="000000", probation_months="9")
    assert set(exc.value.errors) >= {"monthly_salary", "job_category", "work_region", "probation_months"}
    assert Signing.objects.count() == 0


def test_no_second_invitation_while_one_waits(world):
    first = invite(world)
    with pytest.raises(Conflict) as exc:
        invite(world)
    assert exc.value.code == "duplicate_invitation"
    act(world.u_zhangsan, first, "decline", reason="不考虑")
    assert invite(world).status == S.INVITED


def test_unapproved_employer_cannot_invite(world):
    from gradreg.common.ids import make_credit_code

    pending = Employer.objects.create(name="待审核有限公司", credit_code=make_credit_code(77), approved=False)
    user = f.user("pending", "employer", employer=pending, display_name="待审核有限公司")
    with pytest.raises(Forbidden) as exc:
        invite(world, employer_actor=user)
    assert exc.value.code == "employer_not_approved"
    assert Signing.objects.count() == 0


@pytest.mark.parametrize("mode", ["21", "41"])
def test_graduates_who_cannot_sign_online_are_not_invited(world, mode):
    world.zhangsan.training_mode = mode
    world.zhangsan.directed_unit = "某定向单位"
    world.zhangsan.save()
    with pytest.raises(ReadOnly):
        invite(world)
    assert Signing.objects.count() == 0


def test_training_mode_changed_after_the_invitation_blocks_the_agreement(world):
    s = invite(world)
    world.zhangsan.training_mode = "21"
    world.zhangsan.save()
    with pytest.raises(ReadOnly):
        act(world.u_zhangsan, s, "agree")
    s.refresh_from_db()
    assert s.status == S.INVITED


# ---- expiry ---------------------------------------------------------------------------------------

def test_agree_is_refused_once_the_invitation_expired(world):
    s = invite(world)
    with time_machine.travel(s.expires_at - dt.timedelta(minutes=1), tick=False):
        assert list(invitations_for(world.u_zhangsan)) == [s]
    with time_machine.travel(s.expires_at + dt.timedelta(minutes=1), tick=False):
        with pytest.raises(Conflict) as exc:
            act(world.u_zhangsan, s, "agree")
        assert exc.value.code == "expired" and "邀请已过期" in exc.value.message
        # the inbox no longer offers it, even before the platform marks it expired
        assert list(invitations_for(world.u_zhangsan)) == []
    s.refresh_from_db()
    assert s.status == S.INVITED and s.graduate_snapshot == {}


def test_agree_just_before_expiry_succeeds(world):
    s = invite(world)
    with time_machine.travel(s.expires_at - dt.timedelta(minutes=1), tick=False):
        act(world.u_zhangsan, s, "agree")
    s.refresh_from_db()
    assert s.status == S.AGREED


def test_expire_invitations_moves_them_with_an_audit_event_by_the_platform(world, django_capture_on_commit_callbacks):
    old = invite(world)
    answered = signing_in(world, S.DECLINED, graduate=world.lisi)
    _, b = second_employer()
    with time_machine.travel(timezone.now() + dt.timedelta(days=3), tick=False):
        fresh = invite(world, employer_actor=b)
    assert services.expire_invitations() == 0
    with time_machine.travel(old.expires_at + dt.timedelta(hours=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.expire_invitations() == 1
        assert services.expire_invitations() == 0  # idempotent
        assert [s.pk for s in invitations_for(world.u_zhangsan)] == [fresh.pk]
    old.refresh_from_db()
    fresh.refresh_from_db()
    answered.refresh_from_db()
    assert (old.status, fresh.status, answered.status) == (S.EXPIRED, S.INVITED, S.DECLINED)
    ev = audit.timeline("online_signing", old.pk)[-1]
    assert (ev.action, ev.from_state, ev.to_state) == ("expire", S.INVITED, S.EXPIRED)
    assert (ev.actor_id, ev.actor_name, ev.actor_role) == (None, "系统", "system")
    assert ev.reason == "邀请超过有效期未处理"
    assert Message.objects.filter(recipient=world.u_zhangsan, title__contains="邀请已过期").count() == 1
    assert Message.objects.filter(recipient=world.u_employer, title__contains="邀请已过期").count() == 1
    with pytest.raises(Conflict):
        act(world.u_zhangsan, old, "agree")
    # the employer may invite again
    assert invite(world).status == S.INVITED


@override_settings(INVITATION_VALID_DAYS=2)
def test_the_validity_window_is_a_setting(world):
    s = invite(world)
    assert s.expires_at - timezone.now() == pytest.approx(dt.timedelta(days=2), abs=dt.timedelta(seconds=5))
    with time_machine.travel(s.expires_at + dt.timedelta(minutes=1), tick=False):
        with pytest.raises(Conflict):
            act(world.u_zhangsan, s, "agree")
        assert services.expire_invitations() == 1
    s.refresh_from_db()
    assert s.status == S.EXPIRED


def test_expired_ends_are_final(world):
    s = signing_in(world, S.EXPIRED)
    for actor, action in ((world.u_zhangsan, "decline"), (world.u_employer, "withdraw")):
        with pytest.raises(Conflict):
            act(actor, s, action)
    with pytest.raises(DomainError):
        services.signing_act(actor=world.u_zhangsan, pk=s.pk, action="expire")
