"""Batch moves (批量审核) through the kit's perform_many, the signing and termination pages, and the API."""
from __future__ import annotations

import pytest
from django.test import Client

from gradreg.common.errors import Invalid
from gradreg.signing import services
from gradreg.signing.models import Signing, SigningStatus, TerminationStatus
from gradreg.workflow.batch import MAX_BATCH, BatchResult, perform_many
from tests import factories as f
from tests.api.test_signing_api import TERMS, Api, ok, signed_online
from tests.conftest import login

pytestmark = pytest.mark.django_db
NOT_FOUND = "未找到该签约记录，或您无权查看。"


def agreed(w, graduate) -> Signing:
    s = services.invitation_create(actor=w.u_employer, name=graduate.name, id_number=graduate.id_number, terms=TERMS)
    return services.signing_act(actor=graduate_user(graduate), pk=s.pk, action="agree")


def graduate_user(graduate):
    from gradreg.accounts.models import User

    return User.objects.filter(graduate=graduate).first() or f.user(f"g{graduate.pk}", "graduate", graduate=graduate)


@pytest.fixture
def mixed(world):
    """Two cs signings waiting for the department, one cs invitation not yet answered, one fl signing."""
    ready = [agreed(world, world.zhangsan), agreed(world, f.graduate(world.cs, world.cs_major, name="王二"))]
    g3 = f.graduate(world.cs, world.cs_major, name="陈三")
    invited = services.invitation_create(actor=world.u_employer, name=g3.name, id_number=g3.id_number, terms=TERMS)
    other = agreed(world, world.lisi)  # 外国语学院: outside 王老师's scope
    return ready, invited, other


def approve_as(actor):
    return lambda pk: services.signing_act(actor=actor, pk=pk, action="approve")


def status(pk) -> str:
    return Signing.objects.get(pk=pk).status


# ---- the service --------------------------------------------------------------------------------------

def test_mixed_batch_one_transaction_each(world, mixed):
    (a, b), invited, other = mixed
    results = perform_many(approve_as(world.wang), [a.pk, invited.pk, other.pk, b.pk, a.pk])
    assert [r.pk for r in results] == [a.pk, invited.pk, other.pk, b.pk]  # a duplicate runs once
    by_pk = {r.pk: r for r in results}
    assert by_pk[a.pk] == BatchResult(a.pk, True, "操作成功", "学院审核通过,等待学校审核")
    assert by_pk[b.pk].ok and status(b.pk) == SigningStatus.ONLINE_WAIT_SCHOOL
    assert not by_pk[invited.pk].ok and by_pk[invited.pk].message and by_pk[invited.pk].state_label == ""
    assert status(invited.pk) == SigningStatus.INVITED
    assert by_pk[other.pk] == BatchResult(other.pk, False, NOT_FOUND, "")  # refused, nothing leaked
    assert status(other.pk) == SigningStatus.AGREED


def test_another_departments_reviewer_moves_nothing(world, mixed):
    (a, b), _, _ = mixed
    results = perform_many(approve_as(world.zhao), [a.pk, b.pk])
    assert [(r.ok, r.message) for r in results] == [(False, NOT_FOUND)] * 2
    assert {status(a.pk), status(b.pk)} == {SigningStatus.AGREED}


def test_cap_and_empty_batch_are_refused_before_anything_runs(world, mixed):
    (a, _), _, _ = mixed
    ran = []
    with pytest.raises(Invalid) as e:
        perform_many(lambda pk: ran.append(pk), [a.pk, *range(10_000, 10_000 + MAX_BATCH)])
    assert "一次最多批量处理 200 条" in e.value.message and not ran
    with pytest.raises(Invalid, match="请至少选择一条记录"):
        perform_many(lambda pk: ran.append(pk), [])
    assert len(perform_many(approve_as(world.wang), [a.pk] * (MAX_BATCH + 5))) == 1  # duplicates count once


# ---- the pages --------------------------------------------------------------------------------------------

def test_review_list_offers_checkboxes_on_what_waits_for_the_reviewer(world, mixed):
    (a, b), invited, _ = mixed
    html = login(Client(), world.wang).get("/signing/review/", {"status": ""}).content.decode()
    assert 'id="batch-form"' in html and "审核通过</option>" in html
    for s in (a, b):
        assert f'name="ids" value="{s.pk}"' in html
    assert f'name="ids" value="{invited.pk}"' not in html  # waits for the graduate, not for this reviewer


def test_batch_through_the_page(world, mixed):
    (a, b), invited, other = mixed
    r = login(Client(), world.wang).post("/signing/review/batch/", {
        "ids": [a.pk, b.pk, invited.pk, other.pk], "action": "approve"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "成功 2 条，未成功 2 条" in html and NOT_FOUND in html
    assert f'href="/signing/{a.pk}/">张三</a>' in html and f"#{other.pk}" in html and "李四" not in html
    assert status(a.pk) == status(b.pk) == SigningStatus.ONLINE_WAIT_SCHOOL


def test_batch_page_refusals(world, mixed):
    (a, _), _, _ = mixed
    c = login(Client(), world.wang)
    r = c.post("/signing/review/batch/", {"ids": [a.pk, *range(10_000, 10_000 + MAX_BATCH)], "action": "approve"},
               follow=True)
    assert "一次最多批量处理 200 条" in r.content.decode() and status(a.pk) == SigningStatus.AGREED
    r = c.post("/signing/review/batch/", {"ids": [a.pk], "action": "agree"}, follow=True)
    assert "请选择批量审核的操作" in r.content.decode() and status(a.pk) == SigningStatus.AGREED
    html = c.post("/signing/review/batch/", {"ids": [a.pk], "action": "reject", "reason": "信息有误"}).content.decode()
    assert "请选择审核不通过的原因类别" in html and status(a.pk) == SigningStatus.AGREED
    assert c.get("/signing/review/batch/").status_code == 405
    assert login(Client(), world.u_employer).post("/signing/review/batch/", {"ids": [a.pk], "action": "approve"}
                                                  ).status_code == 403


# ---- the API ----------------------------------------------------------------------------------------------

def test_batch_through_the_api(world, mixed):
    (a, b), invited, other = mixed
    out = ok(Api("wang").post("/signings/batch", {"ids": [a.pk, invited.pk, other.pk, b.pk, b.pk],
                                                  "action": "approve"}))
    assert [x["id"] for x in out] == [a.pk, invited.pk, other.pk, b.pk]
    assert [x["ok"] for x in out] == [True, False, False, True]
    assert out[0]["state_label"] == "学院审核通过,等待学校审核" and out[2]["message"] == NOT_FOUND


def test_batch_api_refusals(world, mixed):
    (a, b), _, _ = mixed
    out = ok(Api("zhao").post("/signings/batch", {"ids": [a.pk, b.pk], "action": "approve"}))
    assert [(x["ok"], x["message"]) for x in out] == [(False, NOT_FOUND)] * 2
    r = Api("wang").post("/signings/batch", {"ids": list(range(1, MAX_BATCH + 2)), "action": "approve"})
    assert r.status_code == 400 and "一次最多批量处理 200 条" in r.json()["detail"]
    assert Api("employer").post("/signings/batch", {"ids": [a.pk], "action": "approve"}).status_code == 403
    assert Api("wang").post("/signings/batch", {"ids": [a.pk], "action": "agree"}).status_code in (400, 422)
    assert status(a.pk) == status(b.pk) == SigningStatus.AGREED


def test_termination_batch_page_and_api(world):
    s = signed_online(world)
    t = services.termination_apply(actor=world.u_employer, signing_id=s.pk, reason="岗位调整")
    services.termination_act(actor=world.u_zhangsan, pk=t.pk, action="agree")
    html = login(Client(), world.wang).get("/signing/terminations/", {"status": ""}).content.decode()
    assert f'name="ids" value="{t.pk}"' in html
    out = ok(Api("zhao").post("/terminations/batch", {"ids": [t.pk], "action": "approve"}))
    assert out == [{"id": t.pk, "ok": False, "message": "未找到该解约记录，或您无权查看。", "state_label": ""}]
    out = ok(Api("wang").post("/terminations/batch", {"ids": [t.pk], "action": "approve"}))
    assert out[0]["ok"] and out[0]["state_label"] == TerminationStatus.WAIT_SCHOOL.label
    html = login(Client(), world.qian).post("/signing/terminations/batch/", {"ids": [t.pk], "action": "approve"}
                                            ).content.decode()
    assert "成功 1 条" in html and TerminationStatus.TERMINATED.label in html
