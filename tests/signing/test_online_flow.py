"""线上签约 (SPEC 4.1): the whole table through the services, then the journey, its agreement and its sync."""
from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.db import transaction

from gradreg.accounts.models import Role
from gradreg.common.errors import Conflict, DomainError
from gradreg.notifications.models import Message
from gradreg.signing import services
from gradreg.signing.models import Signing
from gradreg.signing.models import SigningStatus as S
from gradreg.workflow import audit, engine
from gradreg.workflow.models import OutboxEvent
from tests.signing.conftest import FLOWS, department_user, invite, school_user, signing_in
from tests.workflow.harness import TableTests

pytestmark = pytest.mark.usefixtures("signing_env")

FLOW = FLOWS["online_signing"]


class TestOnlineSigningTable(TableTests):
    plug = FLOW


def test_platform_move_from_a_wrong_state_is_refused(world):
    s = signing_in(world, S.AGREED)
    with pytest.raises(Conflict):
        engine.move(FLOW.workflow, Signing.objects.get(pk=s.pk), action="expire")
    s.refresh_from_db()
    assert s.status == S.AGREED


def test_journey_to_signed(world, django_capture_on_commit_callbacks):
    w = world
    with django_capture_on_commit_callbacks(execute=True):
        s = invite(w)
    assert Message.objects.filter(recipient=w.u_zhangsan, title__contains="待学生处理").exists()
    with django_capture_on_commit_callbacks(execute=True):
        s = services.signing_act(actor=w.u_zhangsan, pk=s.pk, action="agree")
        assert s.graduate_snapshot["name"] == "张三" and s.submitted_at is not None
        s = services.signing_act(actor=w.wang, pk=s.pk, action="approve")
        s = services.signing_act(actor=w.qian, pk=s.pk, action="approve")
    assert s.status == S.SIGNED and s.signed_at is not None
    steps = [(e.action, e.to_state, e.actor_name) for e in audit.timeline("online_signing", s.pk)]
    assert steps == [("invite", S.INVITED, "某某科技有限公司"), ("agree", S.AGREED, "张三"),
                     ("approve", S.ONLINE_WAIT_SCHOOL, "王老师"), ("approve", S.SIGNED, "钱处长")]
    assert audit.verify_chain(audit.timeline("online_signing", s.pk)) == []
    assert [e.action_label for e in audit.timeline("online_signing", s.pk)][2:] == ["审核通过", "审核通过"]
    # the employer hears every result of its invitation
    titles = list(Message.objects.filter(recipient=w.u_employer).values_list("title", flat=True))
    assert any("签约成功" in t for t in titles) and any("学生已同意签约" in t for t in titles)


def test_completion_writes_the_outbox_event_with_the_status(world):
    s = signing_in(world, S.ONLINE_WAIT_SCHOOL)
    assert not OutboxEvent.objects.filter(topic="ems.signing_completed").exists()
    s = services.signing_act(actor=world.qian, pk=s.pk, action="approve")
    ev = OutboxEvent.objects.get(topic="ems.signing_completed")
    assert ev.idempotency_key == f"signing:{s.pk}:signed"
    p = ev.payload
    assert (p["signing_id"], p["graduate_id"], p["exam_no"]) == (s.pk, world.zhangsan.pk, world.zhangsan.exam_no)
    assert (p["employer_name"], p["credit_code"]) == ("某某科技有限公司", world.employer.credit_code)
    assert p["agreement_no"] == s.agreement_no and p["id_number"] == world.zhangsan.id_number
    assert p["source"] == "登记系统" and p["destination"] == "签就业协议形式就业"


def test_completion_rolls_back_as_one(world):
    """A failure after the school's pass leaves neither the status, the audit event nor the outbox row."""
    s = signing_in(world, S.ONLINE_WAIT_SCHOOL)
    n_events = len(audit.timeline("online_signing", s.pk))
    with pytest.raises(RuntimeError), transaction.atomic():
        services.signing_act(actor=world.qian, pk=s.pk, action="approve")
        raise RuntimeError("crash after the change")
    s.refresh_from_db()
    assert s.status == S.ONLINE_WAIT_SCHOOL and s.agreement_no == ""
    assert not OutboxEvent.objects.filter(topic="ems.signing_completed").exists()
    assert len(audit.timeline("online_signing", s.pk)) == n_events


def test_no_notification_before_commit(world, django_capture_on_commit_callbacks):
    s = signing_in(world, S.AGREED)
    before = Message.objects.count()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.signing_act(actor=world.wang, pk=s.pk, action="reject", reason="单位信息有误", category="employer_info")
    assert Message.objects.count() == before
    assert len(callbacks) == 1


def test_agreement_numbers_are_sequential_per_school(world):
    from tests import factories as f

    first = signing_in(world, S.SIGNED)
    second = signing_in(world, S.SIGNED, graduate=world.lisi)
    assert first.agreement_no == "10001-2026-000001"
    assert second.agreement_no == "10001-2026-000002"
    # another school counts on its own
    f.user("wangwu", Role.GRADUATE, graduate=world.wangwu, display_name="王五")
    other = signing_in(world, S.SIGNED, graduate=world.wangwu)
    assert other.agreement_no == "10002-2026-000001"
    # an offline agreement takes the next number of its school's counter when its draft passes
    qi = f.graduate(world.cs, world.cs_major, name="孙七")
    offline = signing_in(world, S.AWAIT_UPLOAD, graduate=qi)
    assert offline.agreement_no == "10001-2026-000003"


def test_agreement_pdf_is_stored_signed_and_fingerprinted(world, real_pdf):
    from gradreg.common.pdfsign import sha256_hex, verify_pdf_signature
    from gradreg.signing.documents import agreement_bytes

    s = signing_in(world, S.SIGNED)
    data = agreement_bytes(s)
    assert s.agreement_file == f"agreements/10001/{s.agreement_no}.pdf"
    assert default_storage.exists(s.agreement_file)
    assert data.startswith(b"%PDF-")
    assert sha256_hex(data) == s.agreement_sha256
    assert verify_pdf_signature(data) is True
    assert verify_pdf_signature(data + b"\n% appended\n") is False


def test_decline_needs_a_reason_and_tells_the_employer(world, django_capture_on_commit_callbacks):
    s = signing_in(world, S.INVITED)
    with pytest.raises(DomainError) as exc:
        services.signing_act(actor=world.u_zhangsan, pk=s.pk, action="decline", reason="  ")
    assert exc.value.code == "reason_required"
    with django_capture_on_commit_callbacks(execute=True):
        services.signing_act(actor=world.u_zhangsan, pk=s.pk, action="decline", reason="已有其他打算")
    s.refresh_from_db()
    assert s.status == S.DECLINED and s.decline_reason == "已有其他打算"
    msg = Message.objects.get(recipient=world.u_employer, title__contains="学生已拒绝")
    assert msg.body == "已有其他打算"


def test_employer_withdraws_only_before_the_graduate_answers(world):
    from tests import factories as f

    s = signing_in(world, S.INVITED)
    services.signing_act(actor=world.u_employer, pk=s.pk, action="withdraw")
    s.refresh_from_db()
    assert s.status == S.WITHDRAWN
    with pytest.raises(Conflict):  # a withdrawn invitation cannot be agreed to
        services.signing_act(actor=world.u_zhangsan, pk=s.pk, action="agree")
    for state in (S.AGREED, S.DECLINED, S.ONLINE_WAIT_SCHOOL, S.SIGNED):
        s = signing_in(world, state, graduate=f.graduate(world.cs, world.cs_major))
        with pytest.raises(Conflict):
            services.signing_act(actor=world.u_employer, pk=s.pk, action="withdraw")
        s.refresh_from_db()
        assert s.status == state


def test_reviewers_of_the_graduate_are_the_ones_the_builders_use(world):
    assert department_user(world.zhangsan) == world.wang
    assert school_user(world.zhangsan) == world.qian
    assert department_user(world.lisi) == world.zhao
