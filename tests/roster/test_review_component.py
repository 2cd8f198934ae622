"""The shared student-info review (gradreg.roster.review) on a signing: what every review page relies on.

The signing tests (test_review_rules, test_id_reveal, test_access) are the full proof; these pin the
component's own contract: who may refresh and when, the panel a page renders, the logged reveal.
"""
from __future__ import annotations

import pytest
from django.db import transaction

from gradreg.accounts.models import SensitiveView
from gradreg.common.errors import Conflict, DomainError, Forbidden, ReadOnly
from gradreg.common.masking import mask_id_number
from gradreg.ems.services import graduate_invalidate, graduate_update
from gradreg.roster.review import refresh_info, review_panel
from gradreg.signing import services
from gradreg.signing.flows import signing_workflow
from gradreg.signing.models import SigningStatus as S
from gradreg.signing.selectors import signing_get_for
from gradreg.workflow import audit
from tests.signing.conftest import act, signing_in

pytestmark = pytest.mark.django_db


def panel(item, user, **kw):
    return review_panel(item, user, workflow=signing_workflow(item), refresh_url="/refresh-here/", **kw)


def test_refresh_is_for_the_reviewer_the_item_waits_for(world):
    s = signing_in(world, S.AGREED)
    for party in (world.u_zhangsan, world.u_employer):
        with pytest.raises(Forbidden):
            services.signing_refresh_info(actor=party, pk=s.pk)
    with pytest.raises(Conflict):  # it waits for the department, not the school
        services.signing_refresh_info(actor=world.qian, pk=s.pk)
    graduate_update(actor=world.qian, graduate_id=world.zhangsan.pk, changes={"student_no": "S2027NEW"})
    with transaction.atomic():
        item = signing_get_for(world.wang, s.pk, for_update=True)
        got = refresh_info(workflow=signing_workflow(item), item=item, actor=world.wang, ip="10.0.0.1")
    assert got == {"student_no": "S2027NEW"}
    ev = audit.timeline("online_signing", s.pk)[-1]
    assert (ev.action, ev.actor_id, ev.data) == ("refresh", world.wang.pk, {"fields": ["student_no"]})
    graduate_invalidate(actor=world.qian, graduate_id=world.zhangsan.pk, reason="删除")
    with pytest.raises(ReadOnly):
        services.signing_refresh_info(actor=world.wang, pk=s.pk)


def test_the_panel_masks_until_a_logged_reveal_and_a_key_difference_is_refused(world):
    s = signing_in(world, S.AGREED)
    full = world.zhangsan.id_number
    assert panel(s, world.u_zhangsan) == {"reviewer": False}
    with pytest.raises(Forbidden):
        panel(s, world.u_employer, reveal=True)
    shown = panel(s, world.wang)
    assert (shown["snapshot"]["id_number"], shown["id_revealed"]) == (mask_id_number(full), False)
    assert (shown["may_refresh"], shown["refresh_url"], shown["review_label"]) == (True, "/refresh-here/", "审核")
    assert panel(s, world.qian)["may_refresh"] is False
    assert not SensitiveView.objects.exists()
    assert panel(s, world.wang, reveal=True, ip="10.0.0.1")["snapshot"]["id_number"] == full
    assert list(SensitiveView.objects.values_list("viewer_id", "fields", "ip")) == [
        (world.wang.pk, "id_number", "10.0.0.1")]

    assert shown["key_differs"] is False
    graduate_update(actor=world.qian, graduate_id=world.zhangsan.pk, changes={"name": "张叁"})
    assert panel(signing_get_for(world.wang, s.pk), world.wang)["key_differs"] is True
    with pytest.raises(DomainError) as exc:
        act(world.wang, s, "approve")
    assert exc.value.code == "key_fields_differ" and "由学生重新签约或登记" in exc.value.message
