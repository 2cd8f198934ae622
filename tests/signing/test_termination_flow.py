"""解约 (SPEC 4.4 online, 4.5 offline): both tables, who may answer whom, and what 已解约 does."""
from __future__ import annotations

import pytest

from gradreg.common.errors import Conflict, DomainError, Forbidden, NotFound
from gradreg.notifications.models import Message
from gradreg.signing import services
from gradreg.signing.models import Initiator, Termination
from gradreg.signing.models import SigningStatus as S
from gradreg.signing.models import TerminationStatus as TS
from gradreg.workflow import audit
from gradreg.workflow.models import OutboxEvent
from tests.signing.conftest import (
    FLOWS,
    act,
    material_pdf,
    party_user,
    signing_in,
    state_of,
    termination_in,
)
from tests.workflow.harness import TableTests

pytestmark = pytest.mark.usefixtures("signing_env")


class TestOnlineTerminationTable(TableTests):
    plug = FLOWS["online_termination"]


class TestOfflineTerminationTable(TableTests):
    plug = FLOWS["offline_termination"]


# ---- who answers whom --------------------------------------------------------------------------------

@pytest.mark.parametrize("applicant", [Initiator.GRADUATE, Initiator.EMPLOYER])
def test_the_applicant_cannot_answer_its_own_application(world, applicant):
    t = termination_in(world, TS.PENDING_OTHER, applicant=applicant)
    me = party_user(world, t, applicant)
    before = state_of(t)
    for action in ("agree", "decline"):
        with pytest.raises(Forbidden) as exc:
            act(me, t, action)
        assert exc.value.message == "解约申请需由对方确认。"
    assert state_of(t) == before


@pytest.mark.parametrize("applicant", [Initiator.GRADUATE, Initiator.EMPLOYER])
def test_only_the_applicant_cancels_and_only_while_pending(world, applicant):
    other = Initiator.EMPLOYER if applicant == Initiator.GRADUATE else Initiator.GRADUATE
    t = termination_in(world, TS.PENDING_OTHER, applicant=applicant)
    with pytest.raises(Forbidden) as exc:
        act(party_user(world, t, other), t, "cancel")
    assert exc.value.message == "只有解约申请方可以撤回申请。"
    act(party_user(world, t, applicant), t, "cancel")
    t.refresh_from_db()
    assert t.status == TS.CANCELLED
    # once the other party agreed, the application is the reviewers' to decide
    agreed = termination_in(world, TS.AGREED, signing=t.signing, applicant=applicant)
    with pytest.raises(Conflict):
        act(party_user(world, agreed, applicant), agreed, "cancel")


def test_offline_cancel_only_before_review(world):
    t = termination_in(world, TS.OFFLINE_WAIT_DEPT, online=False)
    act(world.u_zhangsan, t, "cancel")
    t.refresh_from_db()
    assert t.status == TS.CANCELLED
    t = termination_in(world, TS.WAIT_SCHOOL, signing=t.signing)
    with pytest.raises(Conflict):
        act(world.u_zhangsan, t, "cancel")


def test_employer_cannot_touch_an_offline_termination(world):
    t = termination_in(world, TS.OFFLINE_WAIT_DEPT, online=False)
    with pytest.raises(NotFound):
        act(world.u_employer, t, "agree")
    with pytest.raises(NotFound):
        services.termination_apply(actor=world.u_employer, signing_id=t.signing_id, reason="x")


# ---- what the journeys do -----------------------------------------------------------------------------

def test_online_termination_ends_the_signing_and_clears_ems(world, django_capture_on_commit_callbacks):
    w = world
    signing = signing_in(w, S.SIGNED)
    with django_capture_on_commit_callbacks(execute=True):
        t = services.termination_apply(actor=w.u_employer, signing_id=signing.pk, reason="岗位取消")
    assert t.status == TS.PENDING_OTHER and t.applicant == Initiator.EMPLOYER
    assert Message.objects.filter(recipient=w.u_zhangsan, title__contains="待对方确认").exists()
    act(w.u_zhangsan, t, "agree", reason="同意")
    act(w.wang, t, "approve")
    assert not OutboxEvent.objects.filter(topic="ems.signing_terminated").exists()
    act(w.qian, t, "approve")
    t.refresh_from_db()
    signing.refresh_from_db()
    assert t.status == TS.TERMINATED and t.answer_reason == "同意"
    assert signing.status == S.TERMINATED
    ev = OutboxEvent.objects.get(topic="ems.signing_terminated")
    assert ev.idempotency_key == f"termination:{t.pk}:terminated"
    assert ev.payload == {"graduate_id": w.zhangsan.pk, "exam_no": w.zhangsan.exam_no, "signing_id": signing.pk,
                          "agreement_no": signing.agreement_no, "source": "登记系统", "clear_employment": True}
    # the signing's own timeline ends with the platform's move, made inside the school's pass
    last = audit.timeline("online_signing", signing.pk)[-1]
    assert (last.action, last.from_state, last.to_state, last.actor_id) == ("terminate", S.SIGNED, S.TERMINATED,
                                                                             w.qian.pk)
    assert last.reason == "岗位取消"
    assert [e.action for e in audit.timeline("online_termination", t.pk)] == ["apply", "agree", "approve", "approve"]


def test_termination_rolls_back_as_one(world):
    from django.db import transaction

    t = termination_in(world, TS.WAIT_SCHOOL)
    with pytest.raises(RuntimeError), transaction.atomic():
        act(world.qian, t, "approve")
        raise RuntimeError("crash after the change")
    t.refresh_from_db()
    assert t.status == TS.WAIT_SCHOOL and t.signing.status == S.SIGNED
    assert not OutboxEvent.objects.filter(topic="ems.signing_terminated").exists()


@pytest.mark.parametrize("end", [TS.OTHER_DECLINED, TS.FAILED, TS.CANCELLED])
def test_a_failed_termination_leaves_the_signing_valid(world, end):
    t = termination_in(world, end)
    t.signing.refresh_from_db()
    assert t.signing.status == S.SIGNED
    again = services.termination_apply(actor=world.u_zhangsan, signing_id=t.signing_id, reason="再次申请")
    assert again.status == TS.PENDING_OTHER


def test_one_open_termination_per_signing(world):
    t = termination_in(world, TS.AGREED)
    with pytest.raises(Conflict) as exc:
        services.termination_apply(actor=world.u_employer, signing_id=t.signing_id, reason="再来一次")
    assert exc.value.code == "termination_open"
    assert Termination.objects.count() == 1


@pytest.mark.parametrize("state", [S.AGREED, S.ONLINE_WAIT_SCHOOL, S.REJECTED, S.INVITED])
def test_only_a_signed_agreement_can_be_terminated(world, state):
    s = signing_in(world, state)
    with pytest.raises(Conflict):
        services.termination_apply(actor=world.u_zhangsan, signing_id=s.pk, reason="不想签了")
    assert Termination.objects.count() == 0


def test_termination_needs_a_reason(world):
    s = signing_in(world, S.SIGNED)
    with pytest.raises(DomainError) as exc:
        services.termination_apply(actor=world.u_zhangsan, signing_id=s.pk, reason="  ")
    assert exc.value.code == "reason_required"
    t = termination_in(world, TS.PENDING_OTHER, signing=s)
    with pytest.raises(DomainError) as exc:
        act(world.u_employer, t, "decline", reason="")
    assert exc.value.code == "reason_required"


def test_offline_termination_needs_material(world):
    s = signing_in(world, S.SIGNED, online=False)
    with pytest.raises(DomainError) as exc:
        services.termination_apply(actor=world.u_zhangsan, signing_id=s.pk, reason="另有去向")
    assert exc.value.code == "required" and exc.value.message == "请选择要上传的文件。"
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(DomainError) as exc:
        services.termination_apply(actor=world.u_zhangsan, signing_id=s.pk, reason="另有去向",
                                   file=SimpleUploadedFile("解约函.txt", b"plain text"))
    assert exc.value.code == "unsupported_type"
    assert Termination.objects.count() == 0


def test_offline_return_and_resubmit_with_new_material(world, django_capture_on_commit_callbacks):
    t = termination_in(world, TS.OFFLINE_WAIT_DEPT, online=False)
    first = t.material_sha256
    assert first and t.material_content_type == "application/pdf"
    with django_capture_on_commit_callbacks(execute=True):
        act(world.wang, t, "return", reason="解约函缺少单位盖章")
    assert Message.objects.get(recipient=world.u_zhangsan, title__contains="解约退回修改").body == "解约函缺少单位盖章"
    # resubmitting without a new file keeps the material, and a new reason replaces the old one
    services.termination_act(actor=world.u_zhangsan, pk=t.pk, action="resubmit", reason="补充说明")
    t.refresh_from_db()
    assert t.status == TS.OFFLINE_WAIT_DEPT and t.material_sha256 == first and t.reason == "补充说明"
    act(world.wang, t, "return", reason="仍不清晰")
    services.termination_act(actor=world.u_zhangsan, pk=t.pk, action="resubmit",
                             file=material_pdf("新解约函.pdf"))
    t.refresh_from_db()
    assert t.status == TS.OFFLINE_WAIT_DEPT and t.returned and t.reason == "补充说明"
    act(world.wang, t, "approve")
    act(world.qian, t, "approve")
    t.refresh_from_db()
    assert t.status == TS.TERMINATED and t.signing.status == S.TERMINATED
    assert OutboxEvent.objects.filter(topic="ems.signing_terminated", idempotency_key=f"termination:{t.pk}:terminated"
                                      ).exists()
