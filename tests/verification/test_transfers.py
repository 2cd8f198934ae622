"""转递编号 (seed 6.2): 批量生成/重新生成 (new, renewed, kept), scope and refusals, staleness by each kind of
important change (one graduate, a batch, a cleared destination), the public look-up of renewed codes."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gradreg.archives.services import write_record
from gradreg.common.errors import Forbidden, Invalid, NotFound
from gradreg.ems import sync
from gradreg.ems.models import Graduate, ReportedDestination
from gradreg.ems.services import graduate_update
from gradreg.ems.transfer_modules import ARCHIVE, HUKOU
from gradreg.roster.changes import tell, tell_many
from gradreg.verification import lookup, transfers
from gradreg.verification.models import LookupMethod, TransferCode, TransferCodeRun
from gradreg.workflow.audit import timeline, verify_all
from tests import factories as f
from tests.archives.conftest import info, on_hukou_roster
from tests.archives.test_import import row_of, run
from tests.verification.test_confirmation import report


def codes(kind: str = "archive") -> dict[int, TransferCode]:
    return {tc.graduate_id: tc for tc in TransferCode.objects.filter(kind=kind)}


@pytest.fixture
def cs_reported(world):
    """张三 and two more graduates of 计算机学院 with a destination, one without; 李四 (外国语学院) with one."""
    more = [f.graduate(world.cs, world.cs_major) for _ in range(3)]
    for g in (world.zhangsan, *more[:2], world.lisi):
        report(g)
    return [world.zhangsan, *more[:2]], more[2]


# ---- 批量生成/重新生成 --------------------------------------------------------------------------------------

def test_the_department_generates_for_its_graduates_with_a_destination(world, cs_reported):
    reported, unreported = cs_reported
    run_ = transfers.generate(world.wang, "archive")
    assert (run_.created, run_.renewed, run_.kind, run_.school_id, run_.department_id) == (
        3, 0, "archive", world.school.pk, world.cs.pk)
    got = codes()
    assert set(got) == {g.pk for g in reported}  # not the one without a destination, not 外国语学院
    for tc in got.values():
        assert len(tc.code) == 16 and tc.stale_at is None and tc.department_id == world.cs.pk
        assert tc.generated_at == tc.updated_at
    assert not codes("hukou")
    # one audit event per run, with the counts and never a code
    events = timeline(transfers.ITEM_TYPE, run_.pk, run_.school_id)
    assert len(events) == 1 and events[0].data == {"kind": "archive", "department": world.cs.pk, "created": 3,
                                                   "renewed": 0}
    assert not any(tc.code in repr(events[0].__dict__) for tc in got.values())
    assert verify_all()[1] == []


def test_generating_again_keeps_current_codes_and_renews_only_stale_ones(world, cs_reported):
    transfers.generate(world.wang, "archive")
    before = codes()
    again = transfers.generate(world.wang, "archive")
    assert (again.created, again.renewed) == (0, 0)
    assert transfers.run_message(again).startswith("没有需要生成的转递编号")
    assert {k: v.code for k, v in codes().items()} == {k: v.code for k, v in before.items()}
    stale = world.zhangsan.pk
    transfers.mark_stale("archive", [(stale, ["unit_name"])])
    newcomer = f.graduate(world.cs, world.cs_major)
    report(newcomer)
    r = transfers.generate(world.wang, "archive")
    assert (r.created, r.renewed) == (1, 1)
    assert transfers.run_message(r) == "已生成档案转递编号：新生成 1 个，重新生成 1 个。"
    after = codes()
    assert after[stale].code != before[stale].code and after[stale].qr_token != before[stale].qr_token
    assert after[stale].stale_at is None and after[stale].stale_reason == {}
    assert after[stale].generated_at == before[stale].generated_at and after[stale].updated_at > before[stale].updated_at
    for pk, tc in before.items():
        if pk != stale:
            assert after[pk].code == tc.code and after[pk].updated_at == tc.updated_at
    assert newcomer.pk in after
    assert TransferCodeRun.objects.count() == 3


def test_unemployed_graduates_count_and_invalid_ones_do_not(world):
    report(world.zhangsan, destination="未就业", employer_name="")
    g = f.graduate(world.cs, world.cs_major)
    report(g)
    Graduate.objects.filter(pk=g.pk).update(is_valid=False)
    assert transfers.generate(world.wang, "archive").created == 1
    assert set(codes()) == {world.zhangsan.pk}


def test_hukou_codes_only_for_the_hukou_roster(world, cs_reported):
    assert transfers.generate(world.wang, "hukou").created == 0
    on_hukou_roster(world.zhangsan)
    run_ = transfers.generate(world.wang, HUKOU.kind)
    assert run_.created == 1 and set(codes("hukou")) == {world.zhangsan.pk}


def test_the_school_generates_for_every_department_or_one(world, cs_reported):
    r = transfers.generate(world.qian, "archive", department=world.fl.pk)
    assert (r.created, r.department_id) == (1, world.fl.pk) and set(codes()) == {world.lisi.pk}
    r = transfers.generate(world.qian, "archive")
    assert (r.created, r.department_id) == (3, None) and len(codes()) == 4


@pytest.mark.parametrize("who", ["u_zhangsan", "u_employer", "zhou", "operator"])
def test_other_roles_are_refused(world, cs_reported, who):
    with pytest.raises(Forbidden):
        transfers.generate(getattr(world, who), "archive")
    assert not TransferCode.objects.exists() and not TransferCodeRun.objects.exists()


def test_other_departments_schools_and_bad_input_are_refused(world, cs_reported):
    with pytest.raises(NotFound):
        transfers.generate(world.wang, "archive", department=world.fl.pk)
    with pytest.raises(NotFound):
        transfers.generate(world.qian, "archive", department=world.me.pk)  # another school's department
    for bad in ("x" * 300, "arch\x00ive", None, 3):
        with pytest.raises(Invalid):
            transfers.generate(world.wang, bad)
    with pytest.raises(Invalid):
        transfers.generate(world.qian, "archive", department="1\x00")
    # 孙老师 (another school) finds nothing of 示例大学
    assert transfers.generate(world.sun, "archive").created == 0
    assert not TransferCode.objects.exists()


def test_a_unique_clash_is_retried_once(world, cs_reported, monkeypatch):
    taken = transfers.generate(world.wang, "archive")
    assert taken.created == 3
    clash = next(iter(codes().values())).code
    g = f.graduate(world.cs, world.cs_major)
    report(g)
    drawn = iter([clash])
    real = transfers.codeformat.new_code
    monkeypatch.setattr(transfers.codeformat, "new_code", lambda: next(drawn, None) or real())
    r = transfers.generate(world.wang, "archive")
    assert r.created == 1 and codes()[g.pk].code != clash
    assert TransferCodeRun.objects.count() == 2  # the failed attempt left nothing behind


# ---- staleness ---------------------------------------------------------------------------------------------

@pytest.fixture
def generated(world, cs_reported):
    on_hukou_roster(world.zhangsan)
    transfers.generate(world.wang, "archive")
    transfers.generate(world.wang, "hukou")
    return world.zhangsan


def test_a_destination_change_makes_both_sheets_stale(world, generated):
    tell(Graduate, graduate=generated, item=None, kind="destination", fields=["unit_name"])
    for kind in ("archive", "hukou"):
        tc = codes(kind)[generated.pk]
        assert tc.stale_at is not None and tc.stale_reason == {"kind": "destination", "fields": ["unit_name"]}
    others = [tc for pk, tc in codes().items() if pk != generated.pk]
    assert others and all(tc.stale_at is None for tc in others)


def test_archive_info_makes_only_the_archive_code_stale_and_regenerating_renews_it(world, generated):
    old = codes()[generated.pk]
    write_record(actor=world.wang, module=ARCHIVE, graduate_id=generated.pk, data=info(ARCHIVE))
    tc = codes()[generated.pk]
    assert tc.stale_at is not None and tc.stale_reason["kind"] == "archive"
    assert "unit_name" in tc.stale_reason["fields"]
    assert transfers.stale_text(tc.stale_reason) == "档案信息的重要字段已变更"
    assert codes("hukou")[generated.pk].stale_at is None
    # a second change keeps the first time it went stale
    write_record(actor=world.wang, module=ARCHIVE, graduate_id=generated.pk,
                 data=info(ARCHIVE, unit_name="广州市人才服务中心"))
    assert codes()[generated.pk].stale_at == tc.stale_at
    r = transfers.generate(world.wang, "archive")
    assert (r.created, r.renewed) == (0, 1)
    new = codes()[generated.pk]
    assert new.stale_at is None and new.code != old.code


def test_hukou_info_makes_only_the_hukou_code_stale(world, generated):
    write_record(actor=world.wang, module=HUKOU, graduate_id=generated.pk, data=info(HUKOU))
    assert codes("hukou")[generated.pk].stale_at is not None
    assert codes()[generated.pk].stale_at is None


def test_a_batch_import_makes_stale_in_one_update(world, generated):
    gs = [g for g in Graduate.objects.filter(pk__in=codes()).order_by("pk")]
    with CaptureQueriesContext(connection) as q:
        imp = run(world.wang, ARCHIVE, [row_of(g, ARCHIVE) for g in gs])
    assert imp.status == "done", imp.errors
    assert all(tc.stale_at is not None for tc in codes().values())
    assert all(tc.stale_at is None for tc in codes("hukou").values())
    updates = [x for x in q.captured_queries
               if "verification_transfercode" in x["sql"] and x["sql"].lstrip().upper().startswith("UPDATE")]
    assert len(updates) == 1


def test_the_bulk_signal_of_destinations_groups_by_fields(world, generated):
    ids = list(codes())
    tell_many(Graduate, kind="destination", changes=[(ids[0], 1, ["unit_name"]), (ids[1], 2, ["unit_name"]),
                                                     (ids[2], 3, ["region"])])
    got = codes()
    assert got[ids[0]].stale_reason == got[ids[1]].stale_reason == {"kind": "destination", "fields": ["unit_name"]}
    assert got[ids[2]].stale_reason == {"kind": "destination", "fields": ["region"]}
    assert codes("hukou")[generated.pk].stale_at is not None


def test_a_cleared_destination_makes_the_codes_stale(world, generated):
    ReportedDestination.objects.filter(graduate=generated).update(source_type="signing", source_id=77)
    sync.clear_destination({"graduate_id": generated.pk, "signing_id": 77})
    assert not ReportedDestination.objects.filter(graduate=generated).exists()
    for kind in ("archive", "hukou"):
        tc = codes(kind)[generated.pk]
        assert tc.stale_at is not None and transfers.stale_text(tc.stale_reason).startswith("就业管理系统中的毕业去向已清除")
    # no longer a target: regenerating leaves the stale code alone
    assert transfers.generate(world.wang, "archive").renewed == 0


def test_a_move_to_another_department_takes_the_codes_along(world, generated):
    graduate_update(actor=world.qian, graduate_id=generated.pk, changes={"department": world.fl, "major": world.fl_major})
    assert codes()[generated.pk].department_id == world.fl.pk


# ---- the public look-up ------------------------------------------------------------------------------------

def test_a_renewed_code_verifies_and_the_replaced_one_does_not(world, generated):
    old = codes()[generated.pk]
    ok = lookup.by_name_and_code("archive", name=generated.name, code=old.code, ip="10.0.0.9",
                                 method=LookupMethod.NAME_CODE)
    assert ok is not None and ok.code_type == "transfer"
    # the archive code does not open the hukou sheet
    assert lookup.by_name_and_code("hukou", name=generated.name, code=old.code, ip="10.0.0.9",
                                   method=LookupMethod.NAME_CODE) is None
    transfers.mark_stale("archive", [(generated.pk, ["unit_name"])])
    assert lookup.by_name_and_code("archive", name=generated.name, code=old.code, ip="10.0.0.9",
                                   method=LookupMethod.NAME_CODE) is None
    transfers.generate(world.wang, "archive")
    new = codes()[generated.pk]
    assert lookup.by_name_and_code("archive", name=generated.name, code=new.code, ip="10.0.0.9",
                                   method=LookupMethod.NAME_CODE) is not None
    assert lookup.by_name_and_code("archive", name=generated.name, code=old.code, ip="10.0.0.9",
                                   method=LookupMethod.NAME_CODE) is None
    assert lookup.by_qr("archive", old.qr_token, ip="10.0.0.9", method=LookupMethod.QR) is None
    assert lookup.by_qr("archive", new.qr_token, ip="10.0.0.9", method=LookupMethod.QR) is not None
