"""The graduate-item kit: every registered item's open rows follow the graduate to another department."""
from __future__ import annotations

import pytest

from gradreg.ems import services as ems
from gradreg.ems.models import TrainingModeChange
from gradreg.signing import services
from gradreg.signing.models import Signing, Termination
from gradreg.signing.models import SigningStatus as S
from gradreg.signing.models import TerminationStatus as TS
from gradreg.workflow.items import ITEMS, GraduateItem, Reviewed, graduate_scope
from tests.signing.conftest import signing_env, signing_in, termination_in  # noqa: F401  (signing_env: a fixture)

pytestmark = pytest.mark.usefixtures("signing_env")


def test_signing_termination_and_training_mode_change_are_registered_items():
    assert {Signing, Termination, TrainingModeChange} <= {kind.model for kind in ITEMS.values()}
    for kind in ITEMS.values():
        assert issubclass(kind.model, GraduateItem) and kind.open_states
        assert kind.open_states < set(dict(kind.model._meta.get_field("status").choices))
    for model in (Signing, Termination, TrainingModeChange):
        assert issubclass(model, Reviewed)


def _training_mode_change(world, *, withdrawn: bool) -> TrainingModeChange:
    change = ems.training_mode_change_request(actor=world.wang, graduate_id=world.zhangsan.pk, to_mode="22",
                                              directed_unit="广州市某局", reason="定向录取")
    if withdrawn:
        change = ems.training_mode_change_act(actor=world.wang, change_id=change.pk, action="withdraw")
    return change


@pytest.fixture
def items_of_zhangsan(world):
    """Open and closed items of each registered kind, all in 计算机学院."""
    declined = signing_in(world, S.DECLINED)
    signed = signing_in(world, S.SIGNED)
    cancelled = termination_in(world, TS.CANCELLED, signing=signed)
    pending = termination_in(world, TS.PENDING_OTHER, signing=signed)
    withdrawn = _training_mode_change(world, withdrawn=True)
    requested = _training_mode_change(world, withdrawn=False)
    return {"open": [signed, pending, requested], "closed": [declined, cancelled, withdrawn]}


def test_moving_the_graduate_moves_open_items_and_leaves_closed_ones(world, items_of_zhangsan):
    ems.graduate_update(actor=world.qian, graduate_id=world.zhangsan.pk,
                        changes={"department": world.fl, "major": world.fl_major})
    for item in items_of_zhangsan["open"]:
        item.refresh_from_db()
        assert (item.school_id, item.department_id) == (world.school.pk, world.fl.pk), item
    for item in items_of_zhangsan["closed"]:
        item.refresh_from_db()
        assert (item.school_id, item.department_id) == (world.school.pk, world.cs.pk), item
    # the new department's reviewer takes over the termination in flight
    done = services.termination_act(actor=world.u_employer, pk=items_of_zhangsan["open"][1].pk, action="agree")
    assert services.termination_act(actor=world.zhao, pk=done.pk, action="approve").status == TS.WAIT_SCHOOL


def test_other_edits_move_nothing(world, items_of_zhangsan):
    ems.graduate_update(actor=world.qian, graduate_id=world.zhangsan.pk, changes={"phone": "13900000000"})
    for item in items_of_zhangsan["open"] + items_of_zhangsan["closed"]:
        item.refresh_from_db()
        assert item.department_id == world.cs.pk


def test_other_graduates_items_stay(world):
    lisi_signing = signing_in(world, S.AGREED, graduate=world.lisi)
    ems.graduate_update(actor=world.qian, graduate_id=world.zhangsan.pk,
                        changes={"department": world.fl, "major": world.fl_major})
    lisi_signing.refresh_from_db()
    assert lisi_signing.department_id == world.fl.pk  # 李四 was in 外国语学院 all along


def test_a_new_item_copies_its_scope_from_the_graduate(world):
    change = _training_mode_change(world, withdrawn=False)
    assert (change.graduate_name, change.exam_no, change.graduation_year) == (
        "张三", world.zhangsan.exam_no, world.zhangsan.graduation_year)
    assert graduate_scope(world.zhangsan)["department_id"] == world.cs.pk
    # a row created with the graduate alone gets the list columns too
    bare = TrainingModeChange.objects.create(graduate=world.lisi, school=world.school, department=world.fl,
                                             from_mode="1", to_mode="22", reason="x", status="requested",
                                             created_by=world.zhao)
    assert (bare.graduate_name, bare.exam_no) == ("李四", world.lisi.exam_no)


def test_an_item_named_with_the_graduate_alone_passes_validation(world):
    """The engine validates a new item before saving it: the list columns are copied by then."""
    change = TrainingModeChange(graduate=world.zhangsan, school=world.school, department=world.cs, from_mode="1",
                                to_mode="22", reason="理由", status="requested", created_by=world.wang)
    change.full_clean(validate_constraints=False)
    assert (change.graduate_name, change.graduation_year) == ("张三", world.zhangsan.graduation_year)
