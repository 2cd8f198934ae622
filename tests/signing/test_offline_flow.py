"""线下签约 (SPEC 4.2): the whole table, the 撤回 windows, the 退回修改 loops, the stamped upload."""
from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gradreg.common.errors import Conflict, DomainError, NotFound
from gradreg.common.uploads import MSG_TYPE
from gradreg.notifications.models import Message
from gradreg.signing import services
from gradreg.signing.models import SigningStatus as S
from gradreg.workflow import audit
from gradreg.workflow.models import OutboxEvent
from tests.signing.conftest import (
    FLOWS,
    OFFLINE_TERMS,
    PDF,
    PNG,
    act,
    apply_offline,
    signing_in,
    stamped_png,
    state_of,
)
from tests.workflow.harness import TableTests

pytestmark = pytest.mark.usefixtures("signing_env")


class TestOfflineSigningTable(TableTests):
    plug = FLOWS["offline_signing"]


def test_journey_with_withdraw_and_return_loops(world, django_capture_on_commit_callbacks):
    w = world
    s = apply_offline(w)
    assert s.status == S.DRAFT_WAIT_DEPT and s.employer_id is None and s.graduate_snapshot["name"] == "张三"
    act(w.u_zhangsan, s, "withdraw")
    s = services.offline_resubmit(actor=w.u_zhangsan, pk=s.pk, data=dict(OFFLINE_TERMS, monthly_salary="13000"))
    assert s.status == S.DRAFT_WAIT_DEPT and str(s.monthly_salary) == "13000"
    with django_capture_on_commit_callbacks(execute=True):
        act(w.wang, s, "approve")
        act(w.qian, s, "return", reason="违约条款过重，请与单位协商")
    s.refresh_from_db()
    assert s.status == S.DRAFT_RETURNED and s.returned and s.last_reason == "违约条款过重，请与单位协商"
    msg = Message.objects.filter(recipient=w.u_zhangsan, title__contains="就业协议退回修改").get()
    assert msg.body == "违约条款过重，请与单位协商"
    s = services.offline_resubmit(actor=w.u_zhangsan, pk=s.pk, data=dict(OFFLINE_TERMS, breach_terms="违约金1000元"))
    act(w.wang, s, "approve")
    act(w.qian, s, "approve")
    s.refresh_from_db()
    assert s.status == S.AWAIT_UPLOAD and s.agreement_no == "10001-2026-000001" and len(s.agreement_sha256) == 64
    number, sha = s.agreement_no, s.agreement_sha256
    services.stamped_upload(actor=w.u_zhangsan, pk=s.pk, file=stamped_png())
    act(w.u_zhangsan, s, "withdraw_upload")
    services.stamped_upload(actor=w.u_zhangsan, pk=s.pk, file=SimpleUploadedFile("扫描件.pdf", PDF))
    s.refresh_from_db()
    assert s.status == S.UPLOAD_WAIT_DEPT and s.stamped_content_type == "application/pdf"
    act(w.wang, s, "return", reason="公章不清晰")
    services.stamped_upload(actor=w.u_zhangsan, pk=s.pk, file=stamped_png())
    act(w.wang, s, "approve")
    assert not OutboxEvent.objects.filter(topic="ems.signing_completed").exists()
    act(w.qian, s, "approve")
    s.refresh_from_db()
    assert s.status == S.SIGNED and s.signed_at is not None
    # the agreement was generated when the draft passed; completing does not renumber it
    assert (s.agreement_no, s.agreement_sha256) == (number, sha)
    assert s.stamped_content_type == "image/png" and len(s.stamped_sha256) == 64
    ev = OutboxEvent.objects.get(topic="ems.signing_completed")
    assert ev.idempotency_key == f"signing:{s.pk}:signed" and ev.payload["employer_name"] == "线下某某有限公司"
    events = audit.timeline("offline_signing", s.pk)
    assert [e.action for e in events] == [
        "apply", "withdraw", "resubmit", "approve", "return", "resubmit", "approve", "approve",
        "upload", "withdraw_upload", "upload", "return", "upload", "approve", "approve",
    ]
    assert audit.verify_chain(events) == []
    assert events[2].data["changed"] == {"monthly_salary": "13000"}


# ---- 撤回: only before any review of the stage ------------------------------------------------------------

def test_withdraw_before_department_review_only(world):
    s = signing_in(world, S.DRAFT_WAIT_DEPT)
    act(world.u_zhangsan, s, "withdraw")
    s.refresh_from_db()
    assert s.status == S.DRAFT_WITHDRAWN
    from tests import factories as f

    for state in (S.DRAFT_WAIT_SCHOOL, S.AWAIT_UPLOAD, S.UPLOAD_WAIT_DEPT, S.SIGNED):
        s = signing_in(world, state, online=False, graduate=f.graduate(world.cs, world.cs_major))
        before = state_of(s)
        with pytest.raises(Conflict):
            act(s.graduate.account, s, "withdraw")
        assert state_of(s) == before


def test_withdraw_upload_before_department_review_only(world):
    s = signing_in(world, S.UPLOAD_WAIT_DEPT)
    act(world.u_zhangsan, s, "withdraw_upload")
    s.refresh_from_db()
    assert s.status == S.AWAIT_UPLOAD
    act(world.u_zhangsan, s, "upload")
    act(world.wang, s, "approve")  # the department passed: too late to withdraw
    before = state_of(s)
    for action in ("withdraw_upload", "withdraw"):
        with pytest.raises(Conflict):
            act(world.u_zhangsan, s, action)
    assert state_of(s) == before


def test_resubmit_recaptures_the_graduate_and_keeps_the_edit_in_the_audit(world):
    from gradreg.ems.services import graduate_update

    s = signing_in(world, S.DRAFT_RETURNED)
    graduate_update(actor=world.qian, graduate_id=world.zhangsan.pk, changes={"political_status": "01"})
    s = services.offline_resubmit(actor=world.u_zhangsan, pk=s.pk, data=dict(OFFLINE_TERMS, position="算法工程师"))
    assert s.position == "算法工程师" and s.graduate_snapshot["political_status"] == "01"
    assert audit.timeline("offline_signing", s.pk)[-1].data["changed"] == {"position": "算法工程师"}


def test_resubmit_validates_the_agreement(world):
    s = signing_in(world, S.DRAFT_WITHDRAWN)
    with pytest.raises(DomainError) as exc:
        services.offline_resubmit(actor=world.u_zhangsan, pk=s.pk, data=dict(OFFLINE_TERMS, work_region="999999"))
    assert "work_region" in exc.value.errors
    s.refresh_from_db()
    assert s.status == S.DRAFT_WITHDRAWN


def test_online_agreement_cannot_be_edited_by_the_graduate(world):
    s = signing_in(world, S.AGREED)
    with pytest.raises(Conflict):
        services.offline_resubmit(actor=world.u_zhangsan, pk=s.pk, data=OFFLINE_TERMS)


def test_employer_cannot_see_an_offline_signing(world):
    s = signing_in(world, S.DRAFT_WAIT_DEPT)
    with pytest.raises(NotFound):
        services.signing_act(actor=world.u_employer, pk=s.pk, action="approve")
    from gradreg.signing.selectors import signings_visible_to

    assert not signings_visible_to(world.u_employer).filter(pk=s.pk).exists()


# ---- uploads -----------------------------------------------------------------------------------------------

BAD_FILES = [
    ("text", SimpleUploadedFile("协议.txt", "我已盖章".encode()), "unsupported_type", MSG_TYPE),
    ("fake png", SimpleUploadedFile("协议.png", b"not really an image"), "unsupported_type", MSG_TYPE),
    ("pdf called jpg", SimpleUploadedFile("协议.jpg", PDF), "type_mismatch", "文件扩展名与内容不符"),
    ("truncated", SimpleUploadedFile("协议.png", PNG[:40]), "broken_image", "图片文件已损坏"),
    ("empty", SimpleUploadedFile("协议.png", b""), "empty", "文件为空"),
    ("oversized", SimpleUploadedFile("协议.png", PNG + b"\0" * (5 * 1024 * 1024)), "too_large", "文件过大：最大 5 MB"),
    ("missing", None, "required", "请选择要上传的文件"),
]


def test_stamped_upload_refuses_bad_files(world):
    s = signing_in(world, S.AWAIT_UPLOAD)
    before = state_of(s)
    for case, upload, code, text in BAD_FILES:
        with pytest.raises(DomainError) as exc:
            services.stamped_upload(actor=world.u_zhangsan, pk=s.pk, file=upload)
        assert (exc.value.code, exc.value.field) == (code, "stamped"), case
        assert text in exc.value.message, (case, exc.value.message)
        assert state_of(s) == before, case
    s.refresh_from_db()
    assert s.stamped_file == ""
    services.stamped_upload(actor=world.u_zhangsan, pk=s.pk, file=stamped_png())
    s.refresh_from_db()
    assert s.status == S.UPLOAD_WAIT_DEPT and s.stamped_file.startswith("stamped/")


def test_stamped_upload_of_another_graduate_is_not_found_and_stores_nothing(world):
    from django.core.files.storage import default_storage

    s = signing_in(world, S.AWAIT_UPLOAD)
    before = default_storage.listdir("stamped")[0] if default_storage.exists("stamped") else []
    with pytest.raises(NotFound):
        services.stamped_upload(actor=world.u_lisi, pk=s.pk, file=stamped_png())
    after = default_storage.listdir("stamped")[0] if default_storage.exists("stamped") else []
    assert after == before
