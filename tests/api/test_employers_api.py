"""用人单位 over the API: registration (multipart), the employer's own record, the operator's review."""
from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gradreg.accounts.models import User
from gradreg.common.ids import make_credit_code
from gradreg.employers import services
from gradreg.organisations.models import Employer
from gradreg.organisations.selectors import PENDING_MESSAGE
from gradreg.workflow.models import AuditEvent
from tests import factories as f
from tests.organisations.helpers import STRONG, registration, stored_licences


def api_client() -> tuple[Client, str]:
    c = Client(enforce_csrf_checks=True)
    return c, c.get("/api/v1/auth/csrf").json()["csrftoken"]


def login(username: str, password: str = f.PASSWORD) -> tuple[Client, str]:
    c, token = api_client()
    r = c.post("/api/v1/auth/login", {"username": username, "password": password},
               content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert r.status_code == 200, r.content
    return c, c.cookies["csrftoken"].value


def registered(n: int = 301) -> Employer:
    return services.employer_register(**registration(n)).employer


def test_openapi_lists_the_employer_operations(client, db):
    doc = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/employers/register" in doc["paths"]
    tags = {t for op in doc["paths"].values() for o in op.values() for t in o.get("tags", [])}
    assert "employers" in tags


def test_register_then_log_in_and_read_own_record(db):
    c, token = api_client()
    r = c.post("/api/v1/employers/register", registration(), HTTP_X_CSRFTOKEN=token)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "pending" and body["status_label"] == "待审核"
    assert body["may_invite"] is False and body["why_not"] == PENDING_MESSAGE
    assert body["username"] == "gzreg201"  # the answer names no record: it must read the same for a taken name

    c2, _ = login("gzreg201", STRONG)
    me = c2.get("/api/v1/employers/me")
    assert me.status_code == 200
    assert me.json()["credit_code"] == make_credit_code(201) and me.json()["may_invite"] is False
    assert me.json()["nature"] == "其他企业" and me.json()["region"] == "440106 广东省天河区" and me.json()["has_licence"]
    assert "待审核" in me.content.decode()  # UTF-8, not escapes


def test_register_reports_every_field_and_writes_nothing(db):
    c, token = api_client()
    files = len(stored_licences())
    r = c.post("/api/v1/employers/register", {"name": "只有名称", "password": "1", "password_confirm": "2"},
               HTTP_X_CSRFTOKEN=token)
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "invalid" and body["field"] == "credit_code"
    assert {"credit_code", "nature_code", "industry_code", "region_code", "address", "contact_name",
            "contact_phone", "licence", "username", "password", "password_confirm"} <= set(body["errors"])
    assert "name" not in body["errors"]
    assert Employer.objects.count() == 0 and User.objects.count() == 0 and len(stored_licences()) == files


def test_register_refuses_a_bad_upload(db):
    c, token = api_client()
    bad = SimpleUploadedFile("营业执照.jpg", b"GIF89a not allowed", content_type="image/jpeg")
    r = c.post("/api/v1/employers/register", registration(licence=bad), HTTP_X_CSRFTOKEN=token)
    assert r.status_code == 400 and list(r.json()["errors"]) == ["licence"]
    assert r.json()["detail"].startswith("文件类型不支持")
    assert Employer.objects.count() == 0


def test_register_needs_the_csrf_token(db):
    c, _ = api_client()
    r = c.post("/api/v1/employers/register", registration())
    assert r.status_code == 403 and Employer.objects.count() == 0


@pytest.mark.parametrize("who", ["wang", "qian", "zhangsan", "admin"])
def test_me_is_for_employer_users_only(world, who):
    c, _ = login(who)
    assert c.get("/api/v1/employers/me").status_code == 403


def test_me_of_the_world_employer(world):
    c, _ = login("employer")
    body = c.get("/api/v1/employers/me").json()
    assert body["status"] == "approved" and body["may_invite"] is True and body["why_not"] == ""


def test_operator_list_paginates_and_filters(world):
    for n in range(22):
        services.employer_register(**registration(620 + n, username=f"api{n:02d}"))
    c, _ = login("admin")
    page1 = c.get("/api/v1/employers", {"page": 1, "page_size": 10}).json()
    assert set(page1) == {"items", "count"} and page1["count"] == 23 and len(page1["items"]) == 10
    assert {"id", "name", "credit_code", "credit_code_needs_review", "status", "status_label"} <= set(page1["items"][0])
    assert all(i["status"] == "pending" for i in page1["items"])
    page3 = c.get("/api/v1/employers", {"page": 3, "page_size": 10}).json()
    assert len(page3["items"]) == 3 and page3["items"][-1]["name"] == "某某科技有限公司"
    approved = c.get("/api/v1/employers", {"status": "approved"}).json()
    assert approved["count"] == 1
    assert c.get("/api/v1/employers", {"status": "rejected"}).json()["count"] == 0


@pytest.mark.parametrize("who", ["wang", "qian", "zhangsan", "employer", "zhou"])
def test_non_operators_get_403(world, who):
    employer = registered()
    c, token = login(who)
    assert c.get("/api/v1/employers").status_code == 403
    assert c.get(f"/api/v1/employers/{employer.pk}").status_code == 403
    assert c.post(f"/api/v1/employers/{employer.pk}/approve", HTTP_X_CSRFTOKEN=token).status_code == 403
    r = c.post(f"/api/v1/employers/{employer.pk}/reject", {"reason": "x"}, content_type="application/json",
               HTTP_X_CSRFTOKEN=token)
    assert r.status_code == 403
    assert c.get(f"/api/v1/employers/{employer.pk}/licence").status_code == 404
    employer.refresh_from_db()
    assert employer.review_status == "pending"


def test_anonymous_gets_401(world):
    c, token = api_client()
    assert c.get("/api/v1/employers").status_code == 401
    assert c.get("/api/v1/employers/me").status_code == 401
    assert c.post(f"/api/v1/employers/{world.employer.pk}/approve", HTTP_X_CSRFTOKEN=token).status_code == 401


def test_operator_approves_and_rejects(world, django_capture_on_commit_callbacks):
    a, b = registered(301), registered(302)
    c, token = login("admin")
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(f"/api/v1/employers/{a.pk}/approve", HTTP_X_CSRFTOKEN=token)
    assert r.status_code == 200 and r.json()["status"] == "approved" and r.json()["may_invite"] is True
    again = c.post(f"/api/v1/employers/{a.pk}/approve", HTTP_X_CSRFTOKEN=token)
    assert again.status_code == 409 and again.json()["code"] == "conflict"

    empty = c.post(f"/api/v1/employers/{b.pk}/reject", {"reason": ""}, content_type="application/json",
                   HTTP_X_CSRFTOKEN=token)
    assert empty.status_code == 400 and empty.json()["field"] == "reason"
    r = c.post(f"/api/v1/employers/{b.pk}/reject", {"reason": "单位名称与营业执照不符"},
               content_type="application/json", HTTP_X_CSRFTOKEN=token)
    body = r.json()
    assert body["status"] == "rejected" and body["review_note"] == "单位名称与营业执照不符"
    assert "单位名称与营业执照不符" in body["why_not"] and body["may_invite"] is False
    assert AuditEvent.objects.filter(item_type="employer", item_id=b.pk, action="reject").exists()
    assert c.post("/api/v1/employers/999999/approve", HTTP_X_CSRFTOKEN=token).status_code == 404

    own, _ = login("gzreg302", STRONG)
    me = own.get("/api/v1/employers/me").json()
    assert me["status"] == "rejected" and "请修改后重新提交" in me["why_not"]


def test_licence_download(world):
    employer = registered()
    c, _ = login("admin")
    r = c.get(f"/api/v1/employers/{employer.pk}/licence")
    assert r.status_code == 200 and r["Content-Type"] == "image/png" and "attachment" in r["Content-Disposition"]
    own, _ = login("gzreg301", STRONG)
    assert own.get(f"/api/v1/employers/{employer.pk}/licence").status_code == 200
    other, _ = login("employer")
    assert other.get(f"/api/v1/employers/{employer.pk}/licence").status_code == 404


def test_register_answers_the_same_whether_the_username_is_free_or_taken(world):
    """Guards against username enumeration over the API: a taken login name gets the very answer a free one
    gets (201, same body), the account is not touched and no unit is stored."""
    answers = []
    for n, username in ((421, world.u_employer.username), (422, "freshname422")):
        c, token = api_client()
        r = c.post("/api/v1/employers/register", registration(n, username=username), HTTP_X_CSRFTOKEN=token)
        body = r.json()
        assert body.pop("username") == username
        answers.append((r.status_code, body))
    assert answers[0] == answers[1] and answers[0][0] == 201
    assert not Employer.objects.filter(credit_code=make_credit_code(421)).exists()
    assert User.objects.get(username=world.u_employer.username).employer_id == world.employer.pk
