"""登记确认 (seed 5): the status read from EMS and the graduate's confirmations, its refusals, the resets on
important changes (one item, a registration, direct 档案 registration, a batch import), history and scope."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gradreg.archives.services import write_record
from gradreg.common.errors import Conflict, Forbidden, Invalid, ReadOnly
from gradreg.ems.models import DestinationSource, Graduate, ReportedDestination
from gradreg.ems.services import graduate_update
from gradreg.ems.transfer_modules import ARCHIVE
from gradreg.verification import confirmation as c
from gradreg.verification.models import Confirmation, ConfirmationAction, ConfirmationRecord
from gradreg.verification.models import ConfirmationStatus as CS
from gradreg.workflow.audit import timeline, verify_all
from gradreg.workflow.outbox import deliver_pending
from tests import factories as f
from tests.archives.conftest import info
from tests.archives.test_import import row_of, run
from tests.destinations.conftest import approve, registration_in
from tests.workflow.harness import graduate_user


def report(graduate: Graduate, source: str = DestinationSource.PLATFORM, **over) -> ReportedDestination:
    """EMS holds a destination for the graduate."""
    return ReportedDestination.objects.create(
        graduate=graduate, school_id=graduate.school_id, source=source,
        destination=over.pop("destination", "签就业协议形式就业"), destination_code="10",
        employer_name=over.pop("employer_name", "某某科技有限公司"), reported_at=timezone.now(), **over)


def status(graduate: Graduate) -> str:
    graduate = Graduate.objects.get(pk=graduate.pk)
    return c.overview(graduate).status


def confirmed(world, graduate: Graduate | None = None, *, correct: bool = True) -> Confirmation:
    graduate = graduate or world.zhangsan
    report(graduate)
    return c.confirm(actor=graduate_user(graduate), correct=correct, description="" if correct else "单位名称有误")


# ---- the status and the graduate's moves -------------------------------------------------------------------

def test_not_reported_until_ems_holds_a_destination_and_no_confirmation_then(world):
    assert status(world.zhangsan) == CS.NOT_REPORTED
    with pytest.raises(Conflict):
        c.confirm(actor=world.u_zhangsan, correct=True)
    assert not Confirmation.objects.exists()
    report(world.zhangsan)
    assert status(world.zhangsan) == CS.UNCONFIRMED


def test_confirm_correct_then_wrong_keeps_each_in_the_history_and_the_audit(world):
    report(world.zhangsan)
    conf = c.confirm(actor=world.u_zhangsan, correct=True)
    assert (conf.status, conf.description, conf.school_id, conf.department_id) == (
        CS.CORRECT, "", world.school.pk, world.cs.pk)
    assert conf.confirmed_at is not None and status(world.zhangsan) == CS.CORRECT
    with pytest.raises(Conflict):
        c.confirm(actor=world.u_zhangsan, correct=True)
    conf = c.confirm(actor=world.u_zhangsan, correct=False, description="单位名称应为某某集团\n请核实")
    assert conf.status == CS.WRONG and conf.description == "单位名称应为某某集团\n请核实"
    o = c.overview(Graduate.objects.get(pk=world.zhangsan.pk))
    assert o.status == CS.WRONG and o.description == conf.description
    records = o.records()
    assert [(r.action, r.status) for r in records] == [(ConfirmationAction.CONFIRM_WRONG, CS.WRONG),
                                                       (ConfirmationAction.CONFIRM_OK, CS.CORRECT)]
    assert ["毕业去向", "签就业协议形式就业"] in records[1].snapshot["destination"]
    assert ["单位（院校）名称", "某某科技有限公司"] in records[1].snapshot["destination"]
    events = timeline(c.ITEM_TYPE, conf.pk, conf.school_id)
    assert [(e.action, e.from_state, e.to_state, e.actor_id) for e in events] == [
        ("confirm_ok", CS.UNCONFIRMED, CS.CORRECT, world.u_zhangsan.pk),
        ("confirm_wrong", CS.CORRECT, CS.WRONG, world.u_zhangsan.pk)]
    assert events[1].reason == conf.description
    assert verify_all()[1] == []


@pytest.mark.parametrize(("text", "field"), [
    ("", "description"), ("   ", "description"), ("x" * 501, "description"), ("有误\x00", "description"),
    ("有误\x1b[31m", "description"), (None, "description"),
])
def test_a_wrong_confirmation_needs_a_clean_description(world, text, field):
    report(world.zhangsan)
    with pytest.raises(Invalid) as e:
        c.confirm(actor=world.u_zhangsan, correct=False, description=text)
    assert field in e.value.errors
    assert not Confirmation.objects.exists() and not ConfirmationRecord.objects.exists()


def test_500_characters_are_accepted(world):
    report(world.zhangsan)
    assert c.confirm(actor=world.u_zhangsan, correct=False, description="错" * 500).description == "错" * 500


@pytest.mark.parametrize("who", ["wang", "qian", "u_employer", "operator"])
def test_only_the_graduate_confirms(world, who):
    report(world.zhangsan)
    with pytest.raises(Forbidden):
        c.confirm(actor=getattr(world, who), correct=True)


def test_an_invalid_graduate_or_a_closed_cohort_cannot_confirm(world):
    report(world.zhangsan)
    Graduate.objects.filter(pk=world.zhangsan.pk).update(is_valid=False)
    with pytest.raises(ReadOnly):
        c.confirm(actor=world.u_zhangsan, correct=True)
    old = f.graduate(world.cs, world.cs_major, graduation_year=2020)
    report(old)
    with pytest.raises(ReadOnly):
        c.confirm(actor=graduate_user(old), correct=True)
    assert not Confirmation.objects.exists()
    assert not c.may_confirm(c.overview(old))


def test_a_cleared_destination_reads_not_reported_whatever_was_confirmed(world):
    confirmed(world)
    ReportedDestination.objects.filter(graduate=world.zhangsan).delete()  # a void or a termination in EMS
    assert status(world.zhangsan) == CS.NOT_REPORTED
    assert c.search(world.wang, c.Filters(status=CS.NOT_REPORTED)).filter(pk=world.zhangsan.pk).exists()
    assert not c.search(world.wang, c.Filters(status=CS.CORRECT)).exists()


# ---- resets on important changes ---------------------------------------------------------------------------

def test_an_approved_destination_sends_a_confirmed_graduate_back_to_unconfirmed(world):
    conf = confirmed(world, correct=False)
    item = registration_in(world, "wait_dept")
    approve(world, item)
    conf.refresh_from_db()
    assert (conf.status, conf.description) == (CS.UNCONFIRMED, "")
    deliver_pending()
    assert status(world.zhangsan) == CS.UNCONFIRMED
    # the destination's 档案 receiving info flows into 档案信息 in the same transaction: whichever change is
    # told first resets, the second finds the graduate 未确认 already
    resets = list(conf.records.filter(action=ConfirmationAction.RESET))
    assert len(resets) == 1 and resets[0].changed["kind"] in ("destination", "archive")
    assert timeline(c.ITEM_TYPE, conf.pk, conf.school_id)[-1].action == "reset"
    assert verify_all()[1] == []


def test_archive_info_registered_by_the_department_resets(world):
    conf = confirmed(world)
    write_record(actor=world.wang, module=ARCHIVE, graduate_id=world.zhangsan.pk, data=info(ARCHIVE))
    conf.refresh_from_db()
    assert conf.status == CS.UNCONFIRMED
    reset = conf.records.first()
    assert reset.changed == {"kind": "archive", "fields": ["address", "region", "transfer_type", "unit_name"]}
    # a later change of a 未确认 graduate adds no record
    write_record(actor=world.wang, module=ARCHIVE, graduate_id=world.zhangsan.pk,
                 data=info(ARCHIVE, unit_name="广州市人才服务中心"))
    assert conf.records.count() == 2


def test_a_batch_import_resets_through_the_bulk_signal(world):
    gs = [f.graduate(world.cs, world.cs_major) for _ in range(3)]
    confs = [confirmed(world, g) for g in gs[:2]]
    report(gs[2])
    with CaptureQueriesContext(connection) as q:
        imp = run(world.wang, ARCHIVE, [row_of(g, ARCHIVE) for g in gs])
    assert imp.status == "done", imp.errors
    for conf in confs:
        conf.refresh_from_db()
        assert conf.status == CS.UNCONFIRMED
        assert conf.records.first().changed["kind"] == "archive"
    assert not Confirmation.objects.filter(graduate=gs[2]).exists()
    assert sum("verification_confirmation" in x["sql"] for x in q.captured_queries) <= 6
    assert verify_all()[1] == []


def test_a_graduate_never_confirmed_is_left_alone(world):
    report(world.zhangsan)
    write_record(actor=world.wang, module=ARCHIVE, graduate_id=world.zhangsan.pk, data=info(ARCHIVE))
    assert not Confirmation.objects.exists() and status(world.zhangsan) == CS.UNCONFIRMED


# ---- staff: list, detail, statistics -----------------------------------------------------------------------

def test_the_list_filters_and_stays_a_fixed_number_of_queries(world, client):
    confirmed(world, correct=False)
    for _ in range(5):
        confirmed(world, f.graduate(world.cs, world.cs_major))
    client.force_login(world.wang)
    url = reverse("confirmation:list")
    r = client.get(url, {"status": CS.WRONG})
    assert r.status_code == 200
    body = r.content.decode()
    assert world.zhangsan.name in body and "确认有误" in body
    assert world.lisi.name not in body  # another department
    with CaptureQueriesContext(connection) as small:
        client.get(url, {"status": ""})
    for _ in range(10):
        confirmed(world, f.graduate(world.cs, world.cs_major))
    with CaptureQueriesContext(connection) as large:
        client.get(url, {"status": ""})
    assert len(large) == len(small)
    r = client.get(url, {"q": world.zhangsan.exam_no, "status": ""})
    assert world.zhangsan.name in r.content.decode()
    r = client.get(reverse("confirmation:export"), {"status": CS.WRONG})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_detail_shows_what_the_graduate_wrote_basic_info_and_the_history(world, client):
    confirmed(world, correct=False)
    client.force_login(world.wang)
    r = client.get(reverse("confirmation:detail", args=[world.zhangsan.pk]))
    body = r.content.decode()
    assert r.status_code == 200
    assert "单位名称有误" in body and "基本信息" in body and "登记确认记录" in body and world.zhangsan.exam_no in body


@pytest.mark.parametrize(("who", "code"), [("zhao", 404), ("sun", 404), ("u_zhangsan", 403), ("u_employer", 403)])
def test_the_staff_pages_refuse_other_scopes_and_roles(world, client, who, code):
    confirmed(world)
    client.force_login(getattr(world, who))
    assert client.get(reverse("confirmation:detail", args=[world.zhangsan.pk])).status_code == code
    if code == 403:
        for name in ("confirmation:list", "confirmation:export", "confirmation:statistics"):
            assert client.get(reverse(name)).status_code == 403
    else:
        r = client.get(reverse("confirmation:list"), {"status": ""})
        assert world.zhangsan.name not in r.content.decode()


def test_statistics_by_source_and_department(world):
    gs = [f.graduate(world.cs, world.cs_major) for _ in range(4)]
    report(gs[0], DestinationSource.PLATFORM)
    report(gs[1], DestinationSource.EMS_UPLOAD)
    report(gs[2], DestinationSource.EMS_API)
    c.confirm(actor=graduate_user(gs[0]), correct=True)
    c.confirm(actor=graduate_user(gs[1]), correct=False, description="有误")
    report(world.lisi, DestinationSource.EMS_API)  # 外国语学院: the school sees it, 王老师 does not
    with CaptureQueriesContext(connection) as q:
        s = c.statistics(world.qian)
    assert len(q) == 1
    by_source = {r["source"]: r["counts"] for r in s["by_source"]}
    # order: 未上报, 未确认, 确认无误, 确认有误
    assert by_source == {"platform": [0, 0, 1, 0], "ems_upload": [0, 0, 0, 1], "ems_api": [0, 2, 0, 0]}
    depts = {r["name"]: r["counts"] for r in s["by_department"]}
    assert depts["计算机学院"] == [2, 1, 1, 1]  # 张三 and gs[3] 未上报
    assert depts["外国语学院"] == [0, 1, 0, 0]
    assert s["total"] == 6
    dept = c.statistics(world.wang)
    assert [r["name"] for r in dept["by_department"]] == ["计算机学院"]
    assert {r["source"]: r["counts"] for r in dept["by_source"]}["ems_api"] == [0, 1, 0, 0]


# ---- the graduate's page and home panel --------------------------------------------------------------------

def test_the_graduate_page_confirms_wrong_with_a_description(world, client):
    client.force_login(world.u_zhangsan)
    r = client.get(reverse("confirmation:mine"))
    assert r.status_code == 200 and "未上报" in r.content.decode() and 'id="confirm-ok"' not in r.content.decode()
    report(world.zhangsan)
    r = client.get(reverse("confirmation:mine"))
    assert 'id="confirm-ok"' in r.content.decode()
    r = client.post(reverse("confirmation:mine"), {"action": "confirm_wrong", "description": ""})
    assert r.status_code == 200 and "请填写有误的具体内容" in r.content.decode()
    r = client.post(reverse("confirmation:mine"), {"action": "confirm_wrong", "description": "x\x1b"})
    assert r.status_code == 200 and "控制字符" in r.content.decode() and not Confirmation.objects.exists()
    r = client.post(reverse("confirmation:mine"), {"action": "confirm_wrong", "description": "x" * 501})
    assert r.status_code == 200 and "最多500" in r.content.decode() and not Confirmation.objects.exists()
    r = client.post(reverse("confirmation:mine"), {"action": "confirm_wrong", "description": "专业名称有误"})
    assert r.status_code == 302
    assert Confirmation.objects.get(graduate=world.zhangsan).status == CS.WRONG
    home = client.get("/roster/me/")
    assert "confirmation-panel" in home.content.decode() and "确认有误" in home.content.decode()
    r = client.post(reverse("confirmation:mine"), {"action": "confirm_ok"})
    assert Confirmation.objects.get(graduate=world.zhangsan).status == CS.CORRECT


def test_the_module_entry_leads_each_role_to_its_page(world, client):
    client.force_login(world.u_zhangsan)
    assert client.get(reverse("confirmation:home"))["Location"] == reverse("confirmation:mine")
    client.force_login(world.wang)
    assert client.get(reverse("confirmation:home"))["Location"] == reverse("confirmation:list")
    r = client.get("/modules/")
    assert reverse("confirmation:home") in r.content.decode()


def test_a_graduate_moved_to_another_department_is_listed_and_copied_there(world):
    conf = confirmed(world, correct=False)
    graduate_update(actor=world.qian, graduate_id=world.zhangsan.pk,
                    changes={"department": world.fl, "major": world.fl_major})
    conf.refresh_from_db()
    assert conf.department_id == world.fl.pk and conf.status == CS.WRONG
    assert c.search(world.zhao, c.Filters(status=CS.WRONG)).filter(pk=world.zhangsan.pk).exists()
    assert not c.search(world.wang, c.Filters()).filter(pk=world.zhangsan.pk).exists()
