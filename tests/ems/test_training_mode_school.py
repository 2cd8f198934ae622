"""培养方式修改 (seed 3.9): the school may start a request itself, and only moves into or out of 定向/委培 are asked.

Guards: a school user's request goes straight to the province (no department step), from the service and
from the graduate's page; a change that neither enters nor leaves 定向/委培 is refused with a field message.
"""
from __future__ import annotations

import pytest

from gradreg.common.errors import DomainError, NotFound
from gradreg.ems import services
from gradreg.ems.models import TrainingModeChange

pytestmark = pytest.mark.django_db
S = TrainingModeChange.Status


def test_school_request_goes_to_the_province(world):
    change = services.training_mode_change_request(actor=world.qian, graduate_id=world.zhangsan.pk, to_mode="22",
                                                   directed_unit="广州市某局", reason="录取时为定向")
    assert change.status == S.SUBMITTED and change.created_by == world.qian
    with pytest.raises(DomainError):  # nothing for the department to do on it
        services.training_mode_change_act(actor=world.wang, change_id=change.pk, action="submit")
    services.training_mode_change_act(actor=world.zhou, change_id=change.pk, action="approve")
    world.zhangsan.refresh_from_db()
    assert world.zhangsan.training_mode == "22" and world.zhangsan.directed_unit == "广州市某局"


def test_other_school_cannot_request(world):
    with pytest.raises(NotFound):
        services.training_mode_change_request(actor=world.sun, graduate_id=world.zhangsan.pk, to_mode="22",
                                              directed_unit="某局", reason="x")
    assert TrainingModeChange.objects.count() == 0


def test_school_requests_from_the_graduates_page(client, world):
    client.force_login(world.qian)
    detail = client.get(f"/roster/graduates/{world.zhangsan.pk}/").content.decode()
    assert f"/ems/training-mode/new/{world.zhangsan.pk}/" in detail
    r = client.post(f"/ems/training-mode/new/{world.zhangsan.pk}/",
                    {"to_mode": "41", "directed_unit": "某委培单位", "reason": "委培协议"}, follow=True)
    assert r.status_code == 200 and "等待省级审核" in r.content.decode()
    assert TrainingModeChange.objects.get().status == S.SUBMITTED


@pytest.mark.parametrize(("start", "to_mode"), [("21", "22"), ("22", "41"), ("42", "21")])
def test_only_moves_into_or_out_of_directed_are_accepted(world, start, to_mode):
    world.zhangsan.training_mode, world.zhangsan.directed_unit = start, "某局"
    world.zhangsan.save(update_fields=["training_mode", "directed_unit"])
    with pytest.raises(DomainError) as exc:
        services.training_mode_change_request(actor=world.wang, graduate_id=world.zhangsan.pk, to_mode=to_mode,
                                              directed_unit="某局", reason="x")
    assert exc.value.code == "mode_change_not_allowed" and exc.value.field == "to_mode"
    assert "定向/委培" in exc.value.message
    # out of 定向/委培 is accepted
    change = services.training_mode_change_request(actor=world.wang, graduate_id=world.zhangsan.pk, to_mode="1",
                                                   reason="已解除定向")
    assert change.status == S.REQUESTED and change.directed_unit == ""
