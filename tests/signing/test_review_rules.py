"""Review rules (SPEC 3): key fields against EMS, 获取最新学生信息, reasons and whom a result reaches."""
from __future__ import annotations

import datetime as dt

import pytest

from gradreg.common.errors import Conflict, DomainError, NotFound
from gradreg.common.ids import make_id_number
from gradreg.ems.services import graduate_update
from gradreg.notifications.models import Message
from gradreg.signing import services
from gradreg.signing.models import RejectCategory, Signing
from gradreg.signing.models import SigningStatus as S
from gradreg.signing.models import TerminationStatus as TS
from gradreg.workflow import audit
from tests import factories as f
from tests.signing.conftest import act, signing_in, state_of, termination_in

pytestmark = pytest.mark.usefixtures("signing_env")


def key_change(w, field):
    """An EMS correction of one key field of 张三, as the school user makes it."""
    values = {
        "name": lambda: "张叁",
        "education_level": lambda: "11",
        "id_number": lambda: make_id_number("440106", dt.date(2003, 3, 3), 7),
        "major": lambda: f.major(w.cs, "080902", "软件工程"),
    }
    graduate_update(actor=w.qian, graduate_id=w.zhangsan.pk, changes={field: values[field]()})


LABELS = {"name": "姓名", "id_number": "身份证号", "education_level": "学历", "major": "专业"}
KEY_CASES = [(field, S.AGREED) for field in LABELS] + [
    ("name", S.ONLINE_WAIT_SCHOOL), ("id_number", S.DRAFT_WAIT_DEPT), ("major", S.UPLOAD_WAIT_SCHOOL)]


@pytest.mark.parametrize("field, state", KEY_CASES, ids=[f"{f_}-{s_}" for f_, s_ in KEY_CASES])
def test_a_key_field_difference_allows_only_rejection(world, field, state):
    s = signing_in(world, state)
    reviewer = world.wang if state in {S.AGREED, S.DRAFT_WAIT_DEPT} else world.qian
    key_change(world, field)
    before = state_of(s)
    with pytest.raises(DomainError) as exc:
        act(reviewer, s, "approve")
    assert exc.value.code == "key_fields_differ"
    assert LABELS[field] in exc.value.message and "只能审核不通过" in exc.value.message
    assert state_of(s) == before
    # a refresh does not take key fields
    assert field not in services.signing_refresh_info(actor=reviewer, pk=s.pk)
    with pytest.raises(DomainError):
        act(reviewer, s, "approve")
    act(reviewer, s, "reject", reason="姓名与学籍不一致，请更正后重新签约", category=RejectCategory.GRADUATE_INFO)
    s.refresh_from_db()
    assert (s.status, s.reject_category) == (S.REJECTED, "graduate_info")


def test_the_graduate_starts_again_after_ems_is_corrected(world):
    s = signing_in(world, S.AGREED)
    key_change(world, "name")
    act(world.wang, s, "reject", reason="姓名不一致", category="graduate_info")
    again = signing_in(world, S.SIGNED, graduate=type(world.zhangsan).objects.get(pk=world.zhangsan.pk))
    assert again.graduate_snapshot["name"] == "张叁" and again.graduate_name == "张叁"


def test_refresh_takes_non_key_fields_and_the_final_pass_applies_them(world):
    s = signing_in(world, S.AGREED)
    assert services.signing_refresh_info(actor=world.wang, pk=s.pk) == {}
    graduate_update(actor=world.qian, graduate_id=world.zhangsan.pk,
                    changes={"political_status": "01", "student_no": "S2027NEW"})
    got = services.signing_refresh_info(actor=world.wang, pk=s.pk)
    assert got == {"political_status": "01", "student_no": "S2027NEW"}
    ev = audit.timeline("online_signing", s.pk)[-1]
    assert (ev.action, ev.actor_id, ev.from_state, ev.to_state) == ("refresh", world.wang.pk, "", "")
    assert ev.data == {"fields": ["political_status", "student_no"]}
    act(world.wang, s, "approve")
    s.refresh_from_db()
    assert s.graduate_snapshot["political_status"] == "03"  # not yet: it applies when the review passes
    assert s.refreshed_info == got
    act(world.qian, s, "approve")
    s.refresh_from_db()
    assert s.status == S.SIGNED
    assert s.graduate_snapshot["political_status"] == "01" and s.graduate_snapshot["student_no"] == "S2027NEW"
    assert s.refreshed_info == {}
    from gradreg.workflow.models import OutboxEvent

    assert OutboxEvent.objects.get(topic="ems.signing_completed").payload["graduate"]["political_status"] == "01"


def test_a_non_key_difference_does_not_block_without_a_refresh(world):
    s = signing_in(world, S.AGREED)
    graduate_update(actor=world.qian, graduate_id=world.zhangsan.pk, changes={"political_status": "01"})
    act(world.wang, s, "approve")
    act(world.qian, s, "approve")
    s.refresh_from_db()
    assert s.status == S.SIGNED and s.graduate_snapshot["political_status"] == "03"


def test_refresh_only_by_the_reviewer_whose_stage_it_is(world):
    s = signing_in(world, S.AGREED)
    with pytest.raises(Conflict):
        services.signing_refresh_info(actor=world.qian, pk=s.pk)
    with pytest.raises(NotFound):
        services.signing_refresh_info(actor=world.zhao, pk=s.pk)
    with pytest.raises(NotFound):
        services.signing_refresh_info(actor=world.sun, pk=s.pk)
    act(world.wang, s, "approve")
    with pytest.raises(Conflict):
        services.signing_refresh_info(actor=world.wang, pk=s.pk)
    assert services.signing_refresh_info(actor=world.qian, pk=s.pk) == {}
    for state in (S.INVITED, S.AWAIT_UPLOAD, S.DRAFT_RETURNED):
        other = signing_in(world, state, graduate=f.graduate(world.cs, world.cs_major))
        for reviewer in (world.wang, world.qian):
            with pytest.raises(Conflict):
                services.signing_refresh_info(actor=reviewer, pk=other.pk)


# ---- reasons ---------------------------------------------------------------------------------------

REJECT_CASES = [
    ("单位信息有误", "", "category_required"),
    ("单位信息有误", "nonsense", "category_required"),
    ("   ", "employer_info", "reason_required"),
    ("", "", "reason_required"),
]


@pytest.mark.parametrize("state", [S.AGREED, S.ONLINE_WAIT_SCHOOL, S.DRAFT_WAIT_SCHOOL, S.UPLOAD_WAIT_DEPT])
def test_reject_needs_a_category_and_a_reason(world, state):
    s = signing_in(world, state)
    reviewer = world.wang if state in {S.AGREED, S.UPLOAD_WAIT_DEPT} else world.qian
    before = state_of(s)
    for reason, category, code in REJECT_CASES:
        with pytest.raises(DomainError) as exc:
            services.signing_act(actor=reviewer, pk=s.pk, action="reject", reason=reason, category=category)
        assert exc.value.code == code, (reason, category)
        assert state_of(s) == before
    services.signing_act(actor=reviewer, pk=s.pk, action="reject", reason="单位信息有误", category="employer_info")
    s.refresh_from_db()
    assert s.status == S.REJECTED


@pytest.mark.parametrize("state", [TS.AGREED, TS.WAIT_SCHOOL])
def test_termination_reject_needs_a_category_too(world, state):
    t = termination_in(world, state)
    reviewer = world.wang if state == TS.AGREED else world.qian
    with pytest.raises(DomainError) as exc:
        services.termination_act(actor=reviewer, pk=t.pk, action="reject", reason="材料不全")
    assert exc.value.code == "category_required"
    services.termination_act(actor=reviewer, pk=t.pk, action="reject", reason="材料不全", category="material")
    t.refresh_from_db()
    assert (t.status, t.reject_category, t.last_reason) == (TS.FAILED, "material", "材料不全")
    t.signing.refresh_from_db()
    assert t.signing.status == S.SIGNED


@pytest.mark.parametrize("state", [S.DRAFT_WAIT_DEPT, S.UPLOAD_WAIT_SCHOOL])
def test_return_needs_a_reason(world, state):
    s = signing_in(world, state)
    reviewer = world.wang if state == S.DRAFT_WAIT_DEPT else world.qian
    with pytest.raises(DomainError) as exc:
        act(reviewer, s, "return", reason=" ")
    assert exc.value.code == "reason_required"
    s.refresh_from_db()
    assert s.status == state and not s.returned


def test_online_rejection_reaches_the_graduate_and_every_employer_user(world, django_capture_on_commit_callbacks):
    colleague = f.user("hr2", "employer", employer=world.employer, display_name="人事二")
    gone = f.user("hr3", "employer", employer=world.employer, display_name="已离职", is_active=False)
    s = signing_in(world, S.ONLINE_WAIT_SCHOOL)
    before = set(Message.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        services.signing_act(actor=world.qian, pk=s.pk, action="reject", reason="该单位为预警单位，协议不予通过",
                             category="employer_abnormal")
    msgs = Message.objects.exclude(pk__in=before)
    assert {m.recipient for m in msgs} == {world.u_zhangsan, world.u_employer, colleague}
    assert gone not in {m.recipient for m in msgs}
    for m in msgs:
        assert m.body == "该单位为预警单位，协议不予通过" and "审核不通过" in m.title
    s.refresh_from_db()
    assert (s.status, s.last_reason, s.reject_category) == (S.REJECTED, "该单位为预警单位，协议不予通过",
                                                             "employer_abnormal")
    ev = audit.timeline("online_signing", s.pk)[-1]
    assert ev.reason == "该单位为预警单位，协议不予通过" and ev.data == {"category": "employer_abnormal"}


def test_offline_results_reach_only_the_graduate(world, django_capture_on_commit_callbacks):
    s = signing_in(world, S.DRAFT_WAIT_DEPT)
    with django_capture_on_commit_callbacks(execute=True):
        act(world.wang, s, "reject", reason="协议条款不规范", category="terms")
    msgs = list(Message.objects.all())
    assert [m.recipient for m in msgs] == [world.u_zhangsan]
    assert msgs[0].body == "协议条款不规范" and "审核不通过" in msgs[0].title


def test_the_school_label_names_the_review(world, django_capture_on_commit_callbacks):
    """示例理工学院 labels its reviews 鉴证: the audit trail and the messages say so."""
    wangwu = f.user("wangwu", "graduate", graduate=world.wangwu, display_name="王五")
    s = signing_in(world, S.AGREED, graduate=world.wangwu)
    dept = Signing.objects.get(pk=s.pk).department
    reviewer = f.user("me_dept", "department", school=world.other_school, department=dept, display_name="机械学院老师")
    with django_capture_on_commit_callbacks(execute=True):
        act(reviewer, s, "approve")
        act(world.sun, s, "approve")
    assert [e.action_label for e in audit.timeline("online_signing", s.pk)][-2:] == ["鉴证通过", "鉴证通过"]
    assert Message.objects.filter(recipient=wangwu, title__contains="签约成功").exists()
