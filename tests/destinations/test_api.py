"""去向登记 and 补登 over the API (/api/v1, tags `destination` and `paper-agreement`): the same lists, services
and scope as the pages."""
from __future__ import annotations

import json

import pytest

from gradreg.destinations.models import PaperAgreement, PaperStatus, Registration, RegistrationStatus
from tests.api.test_signing_api import Api, ok
from tests.destinations.test_review_pages import CONTRACT, PAPER, POSTGRADUATE, graduate_user, register
from tests.signing.conftest import material_pdf

pytestmark = pytest.mark.django_db

R, P = RegistrationStatus, PaperStatus


def test_submit_list_detail_and_review(world):
    zhangsan = Api("zhangsan")
    item = ok(zhangsan.multipart("/destinations", {"type_key": "study_domestic.postgraduate",
                                                   "data": json.dumps(POSTGRADUATE), "proof": material_pdf()}), 201)
    assert (item["status"], item["type_label"], item["unit_name"]) == (R.WAIT_DEPT, "境内升学（考研）", "中山大学")
    assert item["has_proof"] and item["actions"] == ["withdraw"] and item["compare"] is None
    mine = ok(zhangsan.get("/destinations"))
    assert mine["count"] == 1 and mine["items"][0]["id"] == item["id"]

    wang = Api("wang")
    page = ok(wang.get("/destinations"))  # no status: what waits for the department
    assert page["count"] == 1
    row = page["items"][0]
    assert (row["status_label"], row["type_label"], row["department"], row["invalid"]) == (
        "去向登记审核中,等待学院审核", "境内升学（考研）", "计算机学院", False)
    assert ok(wang.get("/destinations", {"status": "wait_school"}))["count"] == 0
    assert ok(wang.get("/destinations", {"type": "境内升学", "q": "张三", "unit": "中山"}))["count"] == 1
    assert ok(wang.get("/destinations", {"type": "签劳动合同就业"}))["count"] == 0
    detail = ok(wang.get(f"/destinations/{item['id']}"))
    assert {r["label"] for r in detail["details_display"]} >= {"升学院校（机构）", "录取专业", "升学层次"}
    assert detail["compare"] and detail["key_differs"] is False and set(detail["actions"]) >= {"approve", "edit"}
    assert wang.get(f"/destinations/{item['id']}/proof").status_code == 200

    edited = ok(wang.post(f"/destinations/{item['id']}/edit", {"data": {**POSTGRADUATE, "major": "软件工程"},
                                                               "reason": "按录取通知书更正专业"}))
    assert edited["details"]["major"] == "软件工程" and edited["reviewer_edited_at"]
    moved = ok(wang.post(f"/destinations/{item['id']}/approve", {}))
    assert moved["status"] == R.WAIT_SCHOOL
    ok(Api("qian").post(f"/destinations/{item['id']}/approve", {}))
    timeline = ok(zhangsan.get(f"/destinations/{item['id']}/timeline"))
    assert [e["action"] for e in timeline] == ["submit", "edit", "approve", "approve"]
    assert Registration.objects.get().status == R.APPROVED


def test_submit_refusals_name_the_field(world):
    zhangsan = Api("zhangsan")
    r = zhangsan.multipart("/destinations", {"type_key": "contract", "data": json.dumps({"unit_name": "某公司"}),
                                             "proof": material_pdf()})
    assert r.status_code == 400 and r.json()["code"] == "invalid"
    r = zhangsan.multipart("/destinations", {"type_key": "study_domestic.postgraduate", "data": "[1]"})
    assert r.status_code == 400 and r.json()["field"] == "data"
    r = zhangsan.multipart("/destinations", {"type_key": "study_domestic.postgraduate",
                                             "data": json.dumps(POSTGRADUATE)})  # no proof
    assert r.status_code == 400 and r.json()["field"] == "proof"
    assert not Registration.objects.exists()


def test_paper_agreement_over_the_api(world):
    zhangsan = Api("zhangsan")
    item = ok(zhangsan.multipart("/paper-agreements", {"data": json.dumps(PAPER), "proof": material_pdf()}), 201)
    assert item["status"] == P.WAIT_DEPT and item["details"]["paper_no"] == "GD2027-000123"
    wang = Api("wang")
    assert ok(wang.get("/paper-agreements"))["count"] == 1
    r = wang.post(f"/paper-agreements/{item['id']}/reject", {"reason": "扫描件不清"})
    assert r.status_code == 400  # 不通过 needs its category
    out = ok(wang.post(f"/paper-agreements/{item['id']}/return", {"reason": "扫描件不清"}))
    assert out["status"] == P.RETURNED and out["last_reason"] == "扫描件不清"
    assert PaperAgreement.objects.get().status == P.RETURNED


def test_batch_review(world):
    a = register(world.u_zhangsan)
    _, user = graduate_user(world, "王小明")
    b = register(user, "contract", CONTRACT)
    c = register(world.u_lisi, "unemployed.job_seeking", {}, file=None)
    results = ok(Api("wang").post("/destinations/batch", {"ids": [a.pk, b.pk, c.pk], "action": "approve"}))
    assert [(x["id"], x["ok"]) for x in results] == [(a.pk, True), (b.pk, True), (c.pk, False)]
    assert Registration.objects.get(pk=c.pk).status == R.WAIT_DEPT
    r = Api("wang").post("/destinations/batch", {"ids": [a.pk], "action": "void"})  # not a review action
    assert r.status_code in (400, 422) and Registration.objects.get(pk=a.pk).status == R.WAIT_SCHOOL


def test_scope_refusals(world):
    item = register(world.u_zhangsan)
    for username in ("zhao", "sun", "lisi"):
        api = Api(username)
        assert api.get(f"/destinations/{item.pk}").status_code == 404, username
        assert api.get(f"/destinations/{item.pk}/proof").status_code == 404, username
        assert api.post(f"/destinations/{item.pk}/approve", {}).status_code == 404, username
        assert api.get(f"/destinations/{item.pk}/timeline").status_code == 404, username
    assert ok(Api("zhao").get("/destinations", {"status": ""}))["count"] == 0
    # another department's batch: refused per item as not found
    results = ok(Api("zhao").post("/destinations/batch", {"ids": [item.pk], "action": "approve"}))
    assert results[0]["ok"] is False
    # an employer sees nothing; a graduate may not review
    assert Api("employer").get(f"/destinations/{item.pk}").status_code == 404
    assert Api("employer").get("/destinations").status_code == 403
    assert Api("zhangsan").post(f"/destinations/{item.pk}/approve", {}).status_code in (403, 409)
    assert Api("zhangsan").post("/destinations/batch", {"ids": [item.pk], "action": "approve"}).status_code == 403
    assert Registration.objects.get().status == R.WAIT_DEPT


def test_the_openapi_document_tags_both_modules(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    tags = {op["tags"][0] for path in schema["paths"].values() for op in path.values()}
    assert {"destination", "paper-agreement"} <= tags
    ids = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert {"destination_list", "destination_submit", "destination_batch", "destination_approve", "destination_edit",
            "paper_agreement_list", "paper_agreement_return", "destination_types"} <= ids
