"""The JSON API: session login with CSRF, scoped roster, training-mode actions, UTF-8 Chinese."""
from __future__ import annotations

import json

import pytest
from django.test import Client

from gradreg.ems.models import TrainingModeChange
from tests import factories as f


def api_client() -> Client:
    return Client(enforce_csrf_checks=True)


def login(c: Client, username: str, password: str = f.PASSWORD):
    token = c.get("/api/v1/auth/csrf").json()["csrftoken"]
    r = c.post("/api/v1/auth/login", {"username": username, "password": password},
               content_type="application/json", HTTP_X_CSRFTOKEN=token)
    # login rotates the token (as Django does for every login): clients read the cookie again
    return r, c.cookies["csrftoken"].value


def test_openapi_is_served_with_tags_and_utf8(client, db):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    assert "毕业去向登记与网上签约平台" in r.content.decode()
    doc = r.json()
    tags = {tag for op in doc["paths"].values() for o in op.values() for tag in o.get("tags", [])}
    assert {"auth", "roster", "training-mode"} <= tags


def test_login_me_logout(world):
    c = api_client()
    r, token = login(c, "wang")
    assert r.status_code == 200
    me = c.get("/api/v1/me").json()
    assert me["role"] == "department" and me["department"] == "计算机学院" and me["school"] == "示例大学"
    assert me["province"] == "广东省"
    assert "计算机学院" in c.get("/api/v1/me").content.decode()  # UTF-8, not \u escapes
    assert c.post("/api/v1/auth/logout", HTTP_X_CSRFTOKEN=token).status_code == 204
    assert c.get("/api/v1/me").status_code == 401


def test_login_requires_the_csrf_token(world):
    c = api_client()
    r = c.post("/api/v1/auth/login", {"username": "wang", "password": f.PASSWORD}, content_type="application/json")
    assert r.status_code == 403
    assert c.get("/api/v1/me").status_code == 401


def test_wrong_password_is_a_clear_error(world):
    r, _ = login(api_client(), "wang", "wrong-password")
    assert r.status_code == 400 and r.json()["detail"] == "用户名或密码错误。"


def test_roster_list_paginates_and_masks(world):
    for _ in range(25):
        f.graduate(world.cs, world.cs_major)
    c = api_client()
    login(c, "wang")
    page1 = c.get("/api/v1/roster/graduates", {"page": 1, "page_size": 10}).json()
    assert page1["count"] == 26 and len(page1["items"]) == 10
    page3 = c.get("/api/v1/roster/graduates", {"page": 3, "page_size": 10}).json()
    assert len(page3["items"]) == 6
    ids = {i["id"] for i in page1["items"]} | {i["id"] for i in page3["items"]}
    assert len(ids) == 16
    item = page1["items"][0]
    assert "*" in item["id_number"] and "*" in item["phone"]
    named = c.get("/api/v1/roster/graduates", {"q": "张三"}).json()
    assert [i["name"] for i in named["items"]] == ["张三"]


@pytest.mark.parametrize("who,count", [("wang", 1), ("qian", 2), ("sun", 1), ("zhou", 3)])
def test_roster_list_is_scoped(world, who, count):
    c = api_client()
    login(c, who)
    assert c.get("/api/v1/roster/graduates").json()["count"] == count


def test_roster_detail_scope_and_full_numbers(world):
    c = api_client()
    login(c, "wang")
    d = c.get(f"/api/v1/roster/graduates/{world.zhangsan.pk}").json()
    assert d["id_number"] == world.zhangsan.id_number and d["full_personal_numbers"] is True
    r = c.get(f"/api/v1/roster/graduates/{world.lisi.pk}")
    assert r.status_code == 404 and r.json()["code"] == "not_found"


@pytest.mark.parametrize("who", ["zhangsan", "employer"])
def test_roster_refused_to_graduates_and_employers(world, who):
    c = api_client()
    login(c, who)
    assert c.get("/api/v1/roster/graduates").status_code == 403


def test_training_mode_change_through_the_api(world):
    dept, school, prov = api_client(), api_client(), api_client()
    _, t_dept = login(dept, "wang")
    _, t_school = login(school, "qian")
    _, t_prov = login(prov, "zhou")
    r = dept.post("/api/v1/training-mode-changes", {"graduate_id": world.zhangsan.pk, "to_mode": "22",
                  "directed_unit": "广州市某局", "reason": "定向录取"}, content_type="application/json",
                  HTTP_X_CSRFTOKEN=t_dept)
    assert r.status_code == 201, r.content
    change = r.json()
    assert change["status"] == "requested" and change["actions"] == ["withdraw"]
    r = school.get(f"/api/v1/training-mode-changes/{change['id']}").json()
    assert r["actions"] == ["submit", "return"]
    r = school.post(f"/api/v1/training-mode-changes/{change['id']}/submit", {}, content_type="application/json",
                    HTTP_X_CSRFTOKEN=t_school)
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    # the school cannot approve: that is the province's move
    r = school.post(f"/api/v1/training-mode-changes/{change['id']}/approve", {}, content_type="application/json",
                    HTTP_X_CSRFTOKEN=t_school)
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    r = prov.post(f"/api/v1/training-mode-changes/{change['id']}/approve", {}, content_type="application/json",
                  HTTP_X_CSRFTOKEN=t_prov)
    assert r.status_code == 200 and r.json()["status_label"] == "省级审核通过,已修改"
    # a second approval is a conflict, not a 500
    r = prov.post(f"/api/v1/training-mode-changes/{change['id']}/approve", {}, content_type="application/json",
                  HTTP_X_CSRFTOKEN=t_prov)
    assert r.status_code == 409 and "当前状态" in r.json()["detail"]
    timeline = prov.get(f"/api/v1/training-mode-changes/{change['id']}/timeline").json()
    assert [e["action"] for e in timeline] == ["request", "submit", "approve"]
    world.zhangsan.refresh_from_db()
    assert world.zhangsan.training_mode == "22"


def test_session_writes_need_csrf(world):
    c = api_client()
    login(c, "wang")
    r = c.post("/api/v1/training-mode-changes", {"graduate_id": world.zhangsan.pk, "to_mode": "22",
               "directed_unit": "某局", "reason": "x"}, content_type="application/json")
    assert r.status_code == 403
    assert TrainingModeChange.objects.count() == 0


def test_validation_errors_are_json_not_500(world):
    c = api_client()
    _, token = login(c, "wang")
    r = c.post("/api/v1/training-mode-changes", data="not json", content_type="application/json",
               HTTP_X_CSRFTOKEN=token)
    assert r.status_code in (400, 422)
    r = c.post("/api/v1/training-mode-changes", {"graduate_id": world.zhangsan.pk, "to_mode": "21", "reason": "x"},
               content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert r.status_code == 400 and r.json()["field"] == "directed_unit"
    assert c.get("/api/v1/roster/graduates", {"page": "abc"}).status_code == 422


def test_other_school_cannot_act_through_the_api(world):
    change = TrainingModeChange.objects.create(
        graduate=world.zhangsan, school=world.school, department=world.cs, from_mode="1", to_mode="22",
        directed_unit="某局", reason="x", status="requested", created_by=world.wang,
    )
    c = api_client()
    _, token = login(c, "sun")
    r = c.post(f"/api/v1/training-mode-changes/{change.pk}/submit", {}, content_type="application/json",
               HTTP_X_CSRFTOKEN=token)
    assert r.status_code == 404
    assert c.get("/api/v1/training-mode-changes").json()["count"] == 0
    change.refresh_from_db()
    assert change.status == "requested"
    assert json.loads(c.get(f"/api/v1/training-mode-changes/{change.pk}").content)["code"] == "not_found"


def test_a_locked_account_is_answered_in_the_api_format(world):
    """Guards the API login's lockout answer: `{code, detail, field}` in Chinese (it was axes' HTML page)."""
    c = api_client()
    for i in range(5):
        login(c, "wang", f"wrong-{i}")
    r, _ = login(c, "wang")
    assert r.status_code == 429
    assert r.json() == {"code": "locked_out", "field": None,
                        "detail": "登录失败次数过多，已暂停登录30分钟。请稍后再试，或联系上级管理员。"}


def test_nul_or_overlong_username_at_api_login_is_a_400(world):
    """Guards the edge rule at API login (PostgreSQL answered a NUL or a 300-character username with a 500)."""
    for username in ("wa\x00ng", "w" * 300):
        r, _ = login(api_client(), username, "x")
        assert r.status_code == 400 and r.json()["code"] == "invalid_input" and r.json()["field"] == "username"
