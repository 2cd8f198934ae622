"""修改去向 (seed 3.5, 7, 8): a reviewer changes the type and fields directly; it is recorded as theirs, the
graduate is reminded ("去向登记信息被修改"), and a change to an approved destination reaches EMS again."""
from __future__ import annotations

import pytest

from gradreg.common.errors import Conflict, DomainError, Forbidden, Invalid
from gradreg.common.ids import make_credit_code
from gradreg.destinations import services
from gradreg.destinations.models import PaperAgreement, Registration
from gradreg.destinations.models import PaperStatus as PS
from gradreg.destinations.models import RegistrationStatus as R
from gradreg.ems.models import ReportedDestination
from gradreg.notifications.models import Message
from gradreg.workflow.models import AuditEvent, OutboxEvent
from gradreg.workflow.outbox import deliver_pending
from tests.destinations.conftest import (
    CONTRACT,
    JOB_SEEKING,
    POSTGRADUATE,
    data_for,
    edited,
    paper_in,
    registration_in,
    submit,
    timeline,
)

CONTRACT_DATA = {"unit_name": "广州某某软件有限公司", "credit_code": make_credit_code(321), "unit_nature": "39",
                 "unit_industry": "39", "unit_region": "440104", "job_category": "13", "position": "测试工程师",
                 "start_date": "2027-07-15", "archive_unit": "广州市人才中心", "archive_address": "广州市越秀区某路2号"}


def _edit(actor, item, key: str = "", data=None, reason: str = "学院核实后更正"):
    return services.reviewer_edit(type(item), actor=actor, pk=item.pk, type_key=key, data=data or edited(item),
                                  reason=reason)


def test_the_department_changes_the_type_of_a_registration_waiting_for_it(world, django_capture_on_commit_callbacks,
                                                                           signals):
    item = registration_in(world, R.WAIT_DEPT)
    assert item.type_key == POSTGRADUATE
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        done = _edit(world.wang, item, CONTRACT, CONTRACT_DATA)
    # the reminder waits for the commit
    assert not Message.objects.filter(recipient=world.u_zhangsan).exists()
    for callback in callbacks:
        callback()
    done.refresh_from_db()
    assert done.status == R.WAIT_DEPT and done.reviewer_edited_at
    assert (done.type_key, done.destination_type, done.subtype, done.destination_code) == (
        CONTRACT, "签劳动合同就业", "", "11")
    assert (done.unit_name, done.credit_code, done.region) == (
        "广州某某软件有限公司", CONTRACT_DATA["credit_code"], "440104")
    assert done.details["position"] == "测试工程师" and "institution" not in done.details
    assert done.archive_unit == "广州市人才中心"
    assert done.proof_file == item.proof_file  # the graduate's proof stays with it
    # recorded as the department's change, with what changed
    ev = timeline(item)[-1]
    assert (ev.action, ev.action_label, ev.from_state, ev.to_state) == ("edit", "修改去向", R.WAIT_DEPT, R.WAIT_DEPT)
    assert (ev.actor_id, ev.actor_role, ev.reason) == (world.wang.pk, "department", "学院核实后更正")
    changed = ev.data["changed"]
    assert changed["type_key"] == CONTRACT and changed["destination_type"] == "签劳动合同就业"
    assert changed["unit_name"] == "广州某某软件有限公司" and changed["destination_code"] == "11"
    assert "details" in changed and "subtype" in changed
    assert set(ev.data["important"]) >= {"destination_type", "unit_name", "credit_code", "institution", "major"}
    # the graduate is reminded, in the seed's words, with a link to the registration
    [msg] = Message.objects.filter(recipient=world.u_zhangsan)
    assert msg.title == "去向登记信息被修改" and msg.body == "学院核实后更正"
    assert (msg.url_name, msg.url_args) == ("destinations:detail", [item.pk])
    # not yet anyone's live destination: EMS hears nothing, no confirmation goes stale
    assert not OutboxEvent.objects.filter(topic__startswith="ems.destination").exists()
    assert signals == []
    # the review goes on from there
    services.act(Registration, actor=world.wang, pk=item.pk, action="approve")
    assert Registration.objects.get(pk=item.pk).status == R.WAIT_SCHOOL


def test_the_school_changes_a_registration_waiting_for_it(world):
    item = registration_in(world, R.WAIT_SCHOOL)
    done = _edit(world.qian, item)
    assert done.status == R.WAIT_SCHOOL and done.reviewer_edited_at
    with pytest.raises(Conflict):  # it no longer waits for the department
        _edit(world.wang, item)


def test_the_school_changes_an_approved_registration_and_ems_receives_it_again(world, signals,
                                                                              django_capture_on_commit_callbacks):
    item = registration_in(world, R.APPROVED)
    deliver_pending()
    assert ReportedDestination.objects.get(graduate=world.zhangsan).employer_name == "中山大学"
    signals.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = _edit(world.qian, item, CONTRACT, CONTRACT_DATA, reason="院系申请更正去向")
    assert done.status == R.APPROVED and done.reviewer_edited_at
    [event] = OutboxEvent.objects.filter(topic="ems.destination_reported", idempotency_key__contains=":edit:")
    assert event.idempotency_key.startswith(f"registration:{item.pk}:edit:")
    assert event.payload["employer_name"] == "广州某某软件有限公司" and event.payload["destination_code"] == "11"
    deliver_pending()
    held = ReportedDestination.objects.get(graduate=world.zhangsan)
    assert (held.source_id, held.destination_code, held.employer_name, held.credit_code, held.position) == (
        item.pk, "11", "广州某某软件有限公司", CONTRACT_DATA["credit_code"], "测试工程师")
    assert held.read_only
    # the important-fields signal: the confirmation goes back to 未确认, the transfer code turns stale
    # (the live destination's changed 档案 receiving info also re-registers the 档案 record: its own signal)
    [signal] = [s for s in signals if s["kind"] == "destination"]
    assert [s["kind"] for s in signals if s is not signal] == ["archive"]
    assert signal["sender"] is Registration and signal["item"].pk == item.pk and signal["kind"] == "destination"
    assert signal["graduate"].pk == world.zhangsan.pk
    # (the archive unit was 广州市人才中心 before and after: only its address changed)
    assert signal["fields"] == ["archive_address", "credit_code", "destination_code", "destination_type",
                                "institution", "major", "region", "study_level", "subtype", "unit_name"]
    [msg] = Message.objects.filter(recipient=world.u_zhangsan, title="去向登记信息被修改")
    assert msg.body == "院系申请更正去向"


def test_each_school_edit_reaches_ems(world, signals):
    """Two edits of an approved registration are two events (a key per edit), applied in turn."""
    item = registration_in(world, R.APPROVED)
    _edit(world.qian, item, data=edited(item, major="人工智能"))
    item.refresh_from_db()
    _edit(world.qian, item, data=edited(item, major="数据科学"))
    assert OutboxEvent.objects.filter(topic="ems.destination_reported").count() == 3
    deliver_pending()
    assert ReportedDestination.objects.get(graduate=world.zhangsan).details["major"] == "数据科学"
    assert [s["fields"] for s in signals][-2:] == [["major"], ["major"]]


def test_a_change_of_an_unimportant_field_sends_no_signal(world, signals):
    item = paper_in(world, PS.APPROVED)
    signals.clear()
    _edit(world.qian, item, data=edited(item, position="高级工程师"))  # 岗位名称 is no important field
    assert signals == []
    assert OutboxEvent.objects.filter(topic="ems.destination_reported").count() == 2


def test_the_department_does_not_change_an_approved_registration(world):
    item = registration_in(world, R.APPROVED)
    with pytest.raises(Conflict):
        _edit(world.wang, item)


@pytest.mark.parametrize("state", [R.RETURNED, R.WITHDRAWN, R.REJECTED, R.VOIDED])
def test_nobody_changes_a_registration_that_waits_for_no_reviewer(world, state):
    item = registration_in(world, state)
    for reviewer in (world.wang, world.qian):
        with pytest.raises(Conflict):
            _edit(reviewer, item)
    assert not AuditEvent.objects.filter(item_id=item.pk, action="edit").exists()


def test_an_edit_that_changes_nothing_is_refused(world):
    item = registration_in(world, R.WAIT_DEPT)
    same = edited(item)  # the values as they are…
    same["major"] = item.details["major"]  # …without the one change
    with pytest.raises(DomainError) as exc:
        _edit(world.wang, item, data=same)
    assert exc.value.code == "unchanged" and exc.value.message == "去向信息没有变化。"
    item.refresh_from_db()
    assert item.reviewer_edited_at is None
    assert [e.action for e in timeline(item)] == ["submit"]


def test_a_bad_edit_is_refused_by_field_and_changes_nothing(world):
    item = registration_in(world, R.WAIT_DEPT)
    with pytest.raises(Invalid) as exc:
        _edit(world.wang, item, CONTRACT, {**CONTRACT_DATA, "credit_code": "123", "unit_region": "999999"})
    assert set(exc.value.errors) == {"credit_code", "unit_region"}
    item.refresh_from_db()
    assert item.type_key == POSTGRADUATE and item.reviewer_edited_at is None


def test_a_type_asking_for_proof_the_graduate_never_sent_is_returned_instead(world):
    item = submit(world.u_zhangsan, JOB_SEEKING)
    assert not item.proof_file
    with pytest.raises(DomainError) as exc:
        _edit(world.wang, item, CONTRACT, CONTRACT_DATA)
    assert (exc.value.code, exc.value.field) == ("proof_required", "type_key")
    assert "劳动合同" in exc.value.message
    # a type asking none is fine
    done = _edit(world.wang, item, "unemployed.signing", {})
    assert (done.type_key, done.subtype, done.unemployed) == ("unemployed.signing", "签约中", True)


def test_the_graduate_and_others_do_not_edit(world):
    item = registration_in(world, R.WAIT_DEPT)
    with pytest.raises(Forbidden):
        _edit(world.u_zhangsan, item)
    with pytest.raises(Forbidden):
        _edit(world.zhou, item)


def test_a_paper_agreement_edit_reminds_in_its_own_words(world, django_capture_on_commit_callbacks):
    paper = paper_in(world, PS.WAIT_DEPT)
    with django_capture_on_commit_callbacks(execute=True):
        services.reviewer_edit(PaperAgreement, actor=world.wang, pk=paper.pk,
                               data=data_for("paper_agreement", paper_no="2027440199999"))
    paper.refresh_from_db()
    assert paper.details["paper_no"] == "2027440199999"
    assert Message.objects.get(recipient=world.u_zhangsan).title == "补登信息被修改"
