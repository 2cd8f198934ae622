"""Training mode (SPEC 3, seed 3.5): 21/41 file only 定向/委培毕业去向补充登记, whose unit is EMS's; 22/42 may
file it and any other destination; a graduate of no directed training may not file it."""
from __future__ import annotations

import pytest
import time_machine

from gradreg.common.errors import Invalid, ReadOnly
from gradreg.destinations import services
from gradreg.destinations.models import PaperAgreement, Registration
from gradreg.destinations.models import RegistrationStatus as R
from gradreg.ems.services import graduate_update
from tests import factories as f
from tests.destinations.conftest import (
    CONTRACT,
    DIRECTED,
    DIRECTED_UNIT,
    JOB_SEEKING,
    PAPER_KEY,
    act,
    data_for,
    directed_graduate,
    registration_in,
    stored_files,
    submit,
)
from tests.workflow.harness import graduate_user

SUPPLEMENT_ONLY = "只能填报“定向/委培毕业去向补充登记”"


@pytest.mark.parametrize("mode", ["21", "41"])
def test_supplement_only_graduates_file_the_supplement_with_emss_unit(world, mode):
    me = graduate_user(directed_graduate(world, mode))
    item = submit(me, DIRECTED, data=data_for(DIRECTED, unit_name="我自己填的另一家单位"))
    assert item.status == R.WAIT_DEPT
    assert item.unit_name == item.details["unit_name"] == DIRECTED_UNIT
    assert item.destination_type == "定向/委培毕业去向补充登记"


@pytest.mark.parametrize("mode", ["21", "41"])
@pytest.mark.parametrize("key", [CONTRACT, "study_domestic.postgraduate", JOB_SEEKING, "freelance", PAPER_KEY])
def test_supplement_only_graduates_may_file_nothing_else(world, mode, key):
    me = graduate_user(directed_graduate(world, mode))
    before = stored_files()
    with pytest.raises(ReadOnly) as exc:
        submit(me, key)
    assert SUPPLEMENT_ONLY in exc.value.message
    assert Registration.objects.count() == PaperAgreement.objects.count() == 0
    assert stored_files() == before


def test_a_supplement_only_graduate_cannot_turn_the_supplement_into_another_type(world):
    me = graduate_user(directed_graduate(world, "21"))
    item = submit(me, DIRECTED)
    act(me, item, "withdraw")
    with pytest.raises(ReadOnly):
        services.resubmit(Registration, actor=me, pk=item.pk, type_key=CONTRACT, data=data_for(CONTRACT))
    # nor can a reviewer's 修改去向
    with pytest.raises(ReadOnly):
        services.resubmit(Registration, actor=me, pk=item.pk, type_key=JOB_SEEKING, data={})
    item.refresh_from_db()
    assert (item.status, item.type_key) == (R.WITHDRAWN, DIRECTED)
    services.resubmit(Registration, actor=me, pk=item.pk, data=data_for(DIRECTED))
    with pytest.raises(ReadOnly):
        services.reviewer_edit(Registration, actor=world.wang, pk=item.pk, type_key=CONTRACT, data=data_for(CONTRACT))
    item.refresh_from_db()
    assert (item.status, item.type_key) == (R.WAIT_DEPT, DIRECTED)


def test_the_unit_follows_ems_on_resubmission_and_edit(world):
    g = directed_graduate(world, "41")
    me = graduate_user(g)
    item = submit(me, DIRECTED)
    act(world.wang, item, "return", reason="到岗时间有误")
    graduate_update(actor=world.qian, graduate_id=g.pk, changes={"directed_unit": "某县人民医院"})
    item = services.resubmit(Registration, actor=me, pk=item.pk, data=data_for(DIRECTED, unit_name="别的单位"))
    assert item.unit_name == item.details["unit_name"] == "某县人民医院"
    item = services.reviewer_edit(Registration, actor=world.wang, pk=item.pk,
                                  data=data_for(DIRECTED, unit_name="审核人员也改不了", unit_region="440104"))
    assert item.unit_name == "某县人民医院" and item.region == "440104"


def test_without_a_directed_unit_in_ems_the_supplement_says_so(world):
    me = graduate_user(directed_graduate(world, "21", unit=""))
    with pytest.raises(Invalid) as exc:
        submit(me, DIRECTED)
    assert list(exc.value.errors) == ["unit_name"]
    assert "就业管理系统中没有您的定向/委培单位" in exc.value.errors["unit_name"][0]


@pytest.mark.parametrize("mode", ["22", "42"])
@pytest.mark.parametrize("key", [DIRECTED, CONTRACT, JOB_SEEKING, PAPER_KEY])
def test_signable_directed_graduates_file_the_supplement_or_any_other(world, mode, key):
    me = graduate_user(directed_graduate(world, mode))
    item = submit(me, key, data=data_for(key, unit_name="自填单位"))
    assert item.status == R.WAIT_DEPT
    if key == DIRECTED:
        assert item.unit_name == DIRECTED_UNIT
    elif key != JOB_SEEKING:
        assert item.unit_name == "自填单位"


def test_others_may_not_file_the_supplement(world):
    me = world.u_zhangsan  # 1 非定向, no directed unit in EMS (the roster allows none)
    with pytest.raises(ReadOnly) as exc:
        submit(me, DIRECTED, data=data_for(DIRECTED))
    assert "只有培养方式为定向或委培（21、22、41、42）的毕业生" in exc.value.message
    assert Registration.objects.count() == 0
    assert submit(me, CONTRACT).status == R.WAIT_DEPT


def test_a_reviewer_cannot_turn_another_graduates_registration_into_the_supplement(world):
    item = submit(world.u_zhangsan, CONTRACT)
    with pytest.raises(ReadOnly):
        services.reviewer_edit(Registration, actor=world.wang, pk=item.pk, type_key=DIRECTED,
                               data=data_for(DIRECTED))
    item.refresh_from_db()
    assert item.type_key == CONTRACT


# ---- the cohort gate --------------------------------------------------------------------------------------

def test_an_older_cohort_registers_nothing(world):
    g = f.graduate(world.cs, world.cs_major, name="往届生", graduation_year=2025)
    with pytest.raises(ReadOnly) as exc:
        submit(graduate_user(g), CONTRACT)
    assert "往届毕业生" in exc.value.message
    assert Registration.objects.count() == 0


def test_last_years_cohort_acts_until_31_january_then_is_frozen(world):
    g = f.graduate(world.cs, world.cs_major, name="去年届", graduation_year=2026)
    me = graduate_user(g)
    item = registration_in(world, R.WAIT_DEPT, graduate=g)
    with time_machine.travel("2027-01-31 20:00 +0800", tick=False):
        act(world.wang, item, "approve")
    with time_machine.travel("2027-02-01 09:00 +0800", tick=False):
        for attempt in (lambda: act(world.qian, item, "approve"), lambda: act(world.qian, item, "edit"),
                        lambda: services.refresh(Registration, actor=world.qian, pk=item.pk),
                        lambda: submit(me, JOB_SEEKING)):
            with pytest.raises(ReadOnly) as exc:
                attempt()
            assert "2027年1月31日截止" in exc.value.message
    item.refresh_from_db()
    assert item.status == R.WAIT_SCHOOL
