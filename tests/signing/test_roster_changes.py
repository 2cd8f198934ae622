"""What EMS roster changes do to signings in flight."""
from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from gradreg.common.errors import NotFound
from gradreg.ems import services as ems
from gradreg.signing import services
from gradreg.signing.models import SigningStatus as S
from gradreg.signing.selectors import signing_get_for
from tests.signing.test_pages import TERMS, agreed

pytestmark = pytest.mark.django_db


def test_department_move_hands_the_signing_to_the_new_department(world):
    s = agreed(world)
    ems.graduate_update(actor=world.qian, graduate_id=world.zhangsan.pk,
                        changes={"department": world.fl, "major": world.fl_major})
    assert signing_get_for(world.zhao, s.pk).department_id == world.fl.pk
    with pytest.raises(NotFound):
        signing_get_for(world.wang, s.pk)


def test_expiry_leaves_frozen_graduates_alone(world):
    frozen = services.invitation_create(actor=world.u_employer, name="张三", id_number=world.zhangsan.id_number,
                                        terms=TERMS)
    live = services.invitation_create(actor=world.u_employer, name="李四", id_number=world.lisi.id_number,
                                      terms=TERMS)
    ems.graduate_invalidate(actor=world.qian, graduate_id=world.zhangsan.pk, reason="退学")
    with time_machine.travel(dt.timedelta(days=8)):
        assert services.expire_invitations() == 1
    frozen.refresh_from_db()
    live.refresh_from_db()
    assert frozen.status == S.INVITED and live.status == S.EXPIRED


def test_graduate_can_abandon_a_returned_application(world):
    from tests.signing.test_pages import OFFLINE

    s = services.offline_apply(actor=world.u_zhangsan, data=dict(OFFLINE, employer_name="某设计工作室"))
    services.signing_act(actor=world.wang, pk=s.pk, action="return", reason="请补充")
    s = services.signing_act(actor=world.u_zhangsan, pk=s.pk, action="abandon")
    assert s.status == S.CANCELLED
    # no longer holding: a new invitation may be agreed
    new = services.invitation_create(actor=world.u_employer, name="张三", id_number=world.zhangsan.id_number,
                                     terms=TERMS)
    assert services.signing_act(actor=world.u_zhangsan, pk=new.pk, action="agree").status == S.AGREED
