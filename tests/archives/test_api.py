"""档案信息管理 and 户口信息管理 over the API (/api/v1, tags `archive` and `hukou`): the same selectors, services
and scope as the pages."""
from __future__ import annotations

import pytest

from gradreg.archives.models import ApplicationStatus as S
from gradreg.archives.models import RecordSource, TransferApplication, TransferRecord
from gradreg.workflow.models import OutboxEvent
from tests.api.test_signing_api import Api, ok
from tests.archives.conftest import application_in, info, on_hukou_roster

pytestmark = pytest.mark.django_db

A = "/archives"


def problem(r, status: int) -> dict:
    body = ok(r, status)
    assert {"code", "detail", "field"} <= set(body), body
    return body


# ---- info -----------------------------------------------------------------------------------------------

def test_info_list_in_scope_with_registration_state(world):
    wang = Api("wang")
    page = ok(wang.get(f"{A}/info"))
    assert [r["name"] for r in page["items"]] == ["张三"] and page["count"] == 1
    assert (page["items"][0]["state"], page["items"][0]["state_label"]) == ("none", "未登记")
    qian = Api("qian")
    assert {r["name"] for r in ok(qian.get(f"{A}/info"))["items"]} == {"张三", "李四"}
    assert ok(qian.get(f"{A}/info", {"q": "李四"}))["count"] == 1
    assert ok(qian.get(f"{A}/info", {"state": "registered"}))["count"] == 0
    assert ok(qian.get(f"{A}/info", {"page": 2, "page_size": 1}))["items"][0]["name"] in {"张三", "李四"}
    assert [r["name"] for r in ok(Api("sun").get(f"{A}/info"))["items"]] == ["王五"]  # their own school only
    problem(Api("zhangsan").get(f"{A}/info"), 403)


def test_hukou_info_lists_only_graduates_whose_hukou_moved(world):
    qian = Api("qian")
    assert ok(qian.get("/hukou/info"))["count"] == 0
    on_hukou_roster(world.zhangsan)
    assert [r["name"] for r in ok(qian.get("/hukou/info"))["items"]] == ["张三"]


def test_write_and_read_a_graduates_info(world):
    wang = Api("wang")
    url = f"{A}/info/{world.zhangsan.pk}"
    assert ok(wang.get(url))["state"] == "none"
    out = ok(wang.put(url, {"data": info()}))
    assert (out["state"], out["source"], out["version"], out["unit_name"]) == (
        "registered", RecordSource.DEPARTMENT, 1, info()["unit_name"])
    assert {"label": "所在地", "value": out["shown"][3]["value"]} in out["shown"]
    assert OutboxEvent.objects.filter(topic="ems.archive_reported").count() == 1
    assert ok(wang.get(url))["state_label"] == "已登记"
    body = problem(wang.put(url, {"data": info(region="12", unit_name="")}), 400)
    assert body["code"] == "invalid" and set(body["errors"]) == {"region", "unit_name"}
    assert problem(wang.put(url, {"data": info()}), 400)["code"] == "unchanged"


def test_info_is_refused_outside_the_scope(world):
    url = f"{A}/info/{world.zhangsan.pk}"
    for user in ("zhao", "sun"):  # another department, another school
        api = Api(user)
        problem(api.get(url), 404)
        problem(api.put(url, {"data": info()}), 404)
    problem(Api("zhangsan").get(url), 403)
    problem(Api("zhangsan").put(url, {"data": info()}), 403)
    problem(Api("qian").get(f"/hukou/info/{world.zhangsan.pk}"), 404)  # not on the hukou roster
    assert not TransferRecord.objects.exists()


# ---- applications --------------------------------------------------------------------------------------------

def test_submit_review_and_register(world):
    zhangsan = Api("zhangsan")
    item = ok(zhangsan.post(f"{A}/applications", {"data": info()}), 201)
    assert (item["status"], item["apply_type"], item["actions"]) == (S.WAIT_DEPT, "register", ["amend", "cancel"])
    assert ok(zhangsan.get(f"{A}/applications"))["count"] == 1
    one = f"{A}/applications/{item['id']}"
    amended = ok(zhangsan.put(one, {"data": info(address="广州市天河区另一地址9号")}))
    assert amended["address"] == "广州市天河区另一地址9号"

    wang = Api("wang")
    page = ok(wang.get(f"{A}/applications"))  # opens on what waits for the department
    assert page["count"] == 1 and page["items"][0]["status_label"] == "待院系审核"
    assert ok(wang.get(f"{A}/applications", {"status": "wait_school"}))["count"] == 0
    detail = ok(wang.get(one))
    assert set(detail["actions"]) >= {"approve", "reject", "edit"}
    edited = ok(wang.put(one, {"data": info(unit_name="广州市人才服务中心"), "reason": "按接收函更正"}))
    assert edited["unit_name"] == "广州市人才服务中心" and edited["reviewer_edited_at"]
    assert ok(wang.post(f"{one}/approve", {}))["status"] == S.WAIT_SCHOOL

    qian = Api("qian")
    assert ok(qian.get(f"{A}/applications"))["count"] == 1  # the school's default: waiting for the school
    assert ok(qian.post(f"{one}/approve", {}))["status"] == S.APPROVED
    record = TransferRecord.objects.get(graduate=world.zhangsan, kind="archive")
    assert (record.state, record.unit_name) == ("registered", "广州市人才服务中心")


def test_reject_needs_a_reason_and_cancel(world):
    item = application_in(world, S.WAIT_DEPT)
    one = f"{A}/applications/{item.pk}"
    wang = Api("wang")
    body = problem(wang.post(f"{one}/reject", {}), 400)
    assert body["field"] == "reason"
    assert ok(wang.post(f"{one}/reject", {"reason": "接收单位不符"}))["status"] == S.REJECTED
    other = application_in(world, S.WAIT_DEPT, graduate=world.lisi)
    assert ok(Api("lisi").post(f"{A}/applications/{other.pk}/cancel", {}))["status"] == S.CANCELLED


def test_applications_are_refused_outside_the_scope(world):
    item = application_in(world, S.WAIT_DEPT)
    one = f"{A}/applications/{item.pk}"
    for user in ("zhao", "sun", "lisi"):  # another department, another school, another graduate
        api = Api(user)
        problem(api.get(one), 404)
        problem(api.post(f"{one}/approve", {}), 404)
        problem(api.put(one, {"data": info()}), 404)
    problem(Api("qian").get(f"/hukou/applications/{item.pk}"), 404)  # the other module's id
    problem(Api("wang").post(f"{A}/applications", {"data": info()}), 403)
    assert ok(Api("zhao").get(f"{A}/applications", {"status": ""}))["count"] == 0
    item.refresh_from_db()
    assert item.status == S.WAIT_DEPT


def test_submit_refusals_name_the_field(world):
    zhangsan = Api("zhangsan")
    body = problem(zhangsan.post(f"{A}/applications", {"data": info(transfer_type="99", phone="123")}), 400)
    assert set(body["errors"]) == {"transfer_type", "phone"}
    problem(zhangsan.post(f"{A}/applications", {"data": {"unit_name": "某\x00单位"}}), 400)
    problem(zhangsan.post("/hukou/applications", {"data": info()}), 409)  # 户口 not at the school
    assert not TransferApplication.objects.exists()


def test_batch_review(world):
    mine = application_in(world, S.WAIT_DEPT)
    foreign = application_in(world, S.WAIT_DEPT, graduate=world.lisi)
    results = ok(Api("wang").post(f"{A}/applications/batch", {"ids": [mine.pk, foreign.pk, 10 ** 9],
                                                                "action": "approve"}))
    assert [(r["id"], r["ok"]) for r in results] == [(mine.pk, True), (foreign.pk, False), (10 ** 9, False)]
    assert results[0]["state_label"] == "院系审核通过,待学校审核"
    assert results[1]["message"] == results[2]["message"]  # out of scope answers as missing
    problem(Api("wang").post(f"{A}/applications/batch", {"ids": [mine.pk], "action": "return"}), 400)
    problem(Api("zhangsan").post(f"{A}/applications/batch", {"ids": [mine.pk], "action": "approve"}), 403)
    rejected = ok(Api("qian").post(f"{A}/applications/batch", {"ids": [mine.pk], "action": "reject",
                                                               "reason": "信息有误"}))
    assert rejected[0]["ok"] and rejected[0]["state_label"] == "审核不通过"


def test_openapi_lists_both_tags(world, client):
    doc = client.get("/api/v1/openapi.json").json()
    tags = {tag for op in doc["paths"].values() for o in op.values() for tag in o.get("tags", [])}
    assert {"archive", "hukou"} <= tags
    ids = [o["operationId"] for op in doc["paths"].values() for o in op.values()]
    assert len(ids) == len(set(ids))
    assert "/api/v1/archives/applications/{item_id}/approve" in doc["paths"]
    assert "/api/v1/hukou/info/{graduate_id}" in doc["paths"]
