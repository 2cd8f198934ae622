"""失效 (seed 3.6): items of an invalid graduate are marked, wait for no one, and EMS follows invalidation and restore."""
from __future__ import annotations

import pytest
from django.test import Client

from gradreg.ems import selectors as ems_selectors
from gradreg.ems import services as ems
from gradreg.ems.models import ReportedDestination
from gradreg.signing.models import SigningStatus as S
from gradreg.signing.models import TerminationStatus as TS
from gradreg.workflow.models import OutboxEvent
from gradreg.workflow.outbox import deliver_pending
from tests.conftest import login
from tests.signing.conftest import signing_in, termination_in

pytestmark = pytest.mark.usefixtures("signing_env")


def client_for(user) -> Client:
    return login(Client(), user)


def invalidate(world, graduate=None):
    return ems.graduate_invalidate(actor=world.qian, graduate_id=(graduate or world.zhangsan).pk, reason="退学")


def body(html: str) -> str:
    return html.split("<tbody", 1)[1].split("</tbody>", 1)[0]


def test_review_list_marks_an_invalid_graduates_signing_and_offers_no_checkbox(world):
    """Guards: the review list showed a frozen signing as plain 等待学院审核, selectable for 批量审核."""
    signing_in(world, S.AGREED)
    invalidate(world)
    rows = body(client_for(world.wang).get("/signing/review/", {"status": S.AGREED}).content.decode())
    assert "张三" in rows
    assert "失效（学生已同意签约,等待学院审核）" in rows
    assert 'name="ids"' not in rows


def test_a_valid_graduates_row_stays_unmarked_and_selectable(world):
    """Guards against over-marking: only the invalid graduate's rows change."""
    signing_in(world, S.AGREED)
    rows = body(client_for(world.wang).get("/signing/review/", {"status": S.AGREED}).content.decode())
    assert "失效" not in rows and 'name="ids"' in rows


def test_employer_list_marks_it_too(world):
    """Guards: the employer's 签约管理 listed the frozen signing without a mark."""
    signing_in(world, S.AGREED)
    invalidate(world)
    rows = body(client_for(world.u_employer).get("/signing/employer/").content.decode())
    assert "失效（学生已同意签约,等待学院审核）" in rows


def test_signing_detail_marks_it(world):
    """Guards: the signing page of an invalid graduate showed its state with no mark."""
    s = signing_in(world, S.AGREED)
    assert 'class="status bad" title="该毕业生已失效' not in client_for(world.wang).get(f"/signing/{s.pk}/").content.decode()
    invalidate(world)
    for user in (world.wang, world.qian, world.u_employer, world.u_zhangsan):
        html = client_for(user).get(f"/signing/{s.pk}/").content.decode()
        assert 'class="status bad" title="该毕业生已失效' in html, user


def test_termination_list_and_detail_mark_it(world):
    """Guards: 解约管理 listed and showed a frozen termination with no mark."""
    t = termination_in(world, TS.AGREED)
    invalidate(world)
    rows = body(client_for(world.wang).get("/signing/terminations/", {"status": TS.AGREED}).content.decode())
    assert "失效（已同意解约,等待学院审核）" in rows and 'name="ids"' not in rows
    html = client_for(world.wang).get(f"/signing/terminations/{t.pk}/").content.decode()
    assert 'class="status bad" title="该毕业生已失效' in html


def test_home_counts_leave_out_an_invalid_graduates_items(world):
    """Guards: the department's home counted frozen signings and terminations as waiting for it."""
    signing_in(world, S.AGREED)
    termination_in(world, TS.AGREED, graduate=world.lisi)
    zhao_before = client_for(world.zhao).get("/roster/").content.decode()
    assert 'id="wait-termination">1<' in zhao_before
    assert 'id="wait-signing">1<' in client_for(world.wang).get("/roster/").content.decode()
    invalidate(world)
    invalidate(world, world.lisi)
    assert 'id="wait-signing">0<' in client_for(world.wang).get("/roster/").content.decode()
    assert 'id="wait-termination">0<' in client_for(world.zhao).get("/roster/").content.decode()


def test_batch_review_refuses_an_invalid_graduates_signing(world):
    """Guards: a frozen signing posted to 批量审核 is not moved (the engine's graduate gate holds)."""
    s = signing_in(world, S.AGREED)
    invalidate(world)
    client_for(world.wang).post("/signing/review/batch/", {"ids": [s.pk], "action": "approve", "reason": ""})
    s.refresh_from_db()
    assert s.status == S.AGREED


# ---- EMS follows: the invalidation is an event, a restore sends the signed agreement again -------------

def test_invalidation_writes_an_event_that_clears_the_platforms_destination_in_ems(world):
    """Guards: EMS never heard of an invalidation and kept the invalid graduate's destination."""
    s = signing_in(world, S.SIGNED)
    deliver_pending()
    assert ems_selectors.reported_destination(world.zhangsan.pk).signing_id == s.pk
    invalidate(world)
    ev = OutboxEvent.objects.get(topic="ems.graduate_invalidated")
    assert ev.payload["graduate_id"] == world.zhangsan.pk and ev.payload["reason"] == "退学"
    deliver_pending()
    ev.refresh_from_db()
    assert ev.status == OutboxEvent.Status.SENT
    assert ems_selectors.reported_destination(world.zhangsan.pk) is None


@pytest.mark.parametrize("how", ["恢复网签数据", "重新上传名单"])
def test_each_restore_sends_the_signed_agreement_again_so_ems_ends_as_it_was(world, how):
    """Guards: after a restore EMS stayed without the destination the platform had reported."""
    s = signing_in(world, S.SIGNED)
    deliver_pending()
    before = ReportedDestination.objects.values("employer_name", "agreement_no", "source_id", "destination").get()
    for _round in range(2):  # a second invalidate + restore needs a key of its own
        invalidate(world)
        deliver_pending()
        assert not ReportedDestination.objects.exists()
        if how == "恢复网签数据":
            ems.graduate_restore(actor=world.qian, graduate_id=world.zhangsan.pk)
        else:  # the importer restores a re-uploaded graduate through the same function
            world.zhangsan.refresh_from_db()
            ems.restore_graduate(world.zhangsan, world.qian, how=how)
        deliver_pending()
        assert ReportedDestination.objects.values("employer_name", "agreement_no", "source_id", "destination").get() \
            == before
    resent = OutboxEvent.objects.filter(topic="ems.signing_completed").exclude(idempotency_key=f"signing:{s.pk}:signed")
    assert resent.count() == 2 and len({e.idempotency_key for e in resent}) == 2
    assert not OutboxEvent.objects.exclude(status=OutboxEvent.Status.SENT).exists()


def test_restore_resends_only_a_signed_agreement(world):
    """Guards against over-sending: a signing still in review has no destination to send."""
    signing_in(world, S.AGREED)
    invalidate(world)
    ems.graduate_restore(actor=world.qian, graduate_id=world.zhangsan.pk)
    assert not OutboxEvent.objects.filter(topic="ems.signing_completed").exists()
