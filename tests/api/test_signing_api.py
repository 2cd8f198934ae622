"""在线签约 and 解约 over the API: whole journeys, scope, problem JSON and the OpenAPI document."""
from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from gradreg.common.ids import make_credit_code
from gradreg.organisations.models import Employer
from gradreg.signing import services
from gradreg.signing.models import Signing
from tests import factories as f

pytestmark = pytest.mark.django_db

V1 = "/api/v1"
TERMS = dict(position="软件工程师", job_category="21", work_region="440106", monthly_salary="12000",
             probation_months=3, service_years="2", breach_terms="违约金5000元")
OFFLINE = dict(TERMS, employer_name="某某贸易有限公司", credit_code=make_credit_code(7), employer_nature="10",
               employer_industry="31", employer_region="440106", employer_address="广州市天河路1号",
               contact_name="李经理", contact_phone="13800000000")


class Api:
    """One logged-in API session (session cookie + CSRF header), as a client program holds it."""

    def __init__(self, username: str) -> None:
        self.c = Client(enforce_csrf_checks=True)
        token = self.c.get(f"{V1}/auth/csrf").json()["csrftoken"]
        r = self.c.post(f"{V1}/auth/login", {"username": username, "password": f.PASSWORD},
                        content_type="application/json", HTTP_X_CSRFTOKEN=token)
        assert r.status_code == 200, r.content
        self.token = self.c.cookies["csrftoken"].value

    def get(self, path: str, params: dict | None = None):
        return self.c.get(V1 + path, params or {})

    def post(self, path: str, data: dict | None = None):
        return self.c.post(V1 + path, data or {}, content_type="application/json", HTTP_X_CSRFTOKEN=self.token)

    def put(self, path: str, data: dict):
        return self.c.put(V1 + path, data, content_type="application/json", HTTP_X_CSRFTOKEN=self.token)

    def multipart(self, path: str, data: dict):
        return self.c.post(V1 + path, data, HTTP_X_CSRFTOKEN=self.token)


def ok(r, status: int = 200) -> dict:
    assert r.status_code == status, (r.status_code, r.content.decode())
    return r.json()


def png(name: str = "盖章协议.png") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (16, 16), "white").save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def invite(employer: Api, w) -> dict:
    return ok(employer.post("/signings/invitations",
                            {"name": "张三", "id_number": w.zhangsan.id_number, **TERMS}), 201)


def signed_online(w) -> Signing:
    """A signed online agreement, made through the services (the API journey is tested on its own)."""
    s = services.invitation_create(actor=w.u_employer, name="张三", id_number=w.zhangsan.id_number, terms=TERMS)
    services.signing_act(actor=w.u_zhangsan, pk=s.pk, action="agree")
    services.signing_act(actor=w.wang, pk=s.pk, action="approve")
    return services.signing_act(actor=w.qian, pk=s.pk, action="approve")


def signed_offline(w) -> Signing:
    s = services.offline_apply(actor=w.u_zhangsan, data=OFFLINE)
    for actor in (w.wang, w.qian):
        services.signing_act(actor=actor, pk=s.pk, action="approve")
    services.stamped_upload(actor=w.u_zhangsan, pk=s.pk, file=png())
    for actor in (w.wang, w.qian):
        s = services.signing_act(actor=actor, pk=s.pk, action="approve")
    return s


# ---- journeys -------------------------------------------------------------------------------------------

def test_online_signing_journey(world):
    w = world
    employer, zhangsan, wang, qian = Api("employer"), Api("zhangsan"), Api("wang"), Api("qian")
    s = invite(employer, w)
    assert s["status"] == "invited" and s["status_label"] == "待学生处理"
    assert s["initiator"] == "employer" and s["initiator_label"] == "单位"
    assert s["actions"] == ["withdraw"] and s["graduate_snapshot"] is None
    sid = s["id"]

    inbox = ok(zhangsan.get("/signings/invitations"))
    assert inbox["count"] == 1 and inbox["items"][0]["id"] == sid
    assert inbox["items"][0]["actions"] == ["decline", "agree"]
    assert ok(zhangsan.post(f"/signings/{sid}/agree"))["status"] == "agreed"
    assert ok(zhangsan.get("/signings/invitations"))["count"] == 0

    listed = ok(wang.get("/signings", {"status": "agreed"}))
    assert [i["id"] for i in listed["items"]] == [sid]
    assert listed["items"][0]["actions"] == ["approve", "reject"]
    assert listed["items"][0]["department"] == "计算机学院"
    detail = ok(wang.get(f"/signings/{sid}"))
    assert detail["graduate_snapshot"]["name"] == "张三" and detail["key_differs"] is False
    assert {r["field"] for r in detail["compare"]} >= {"name", "id_number", "student_no"}

    # 获取最新学生信息: a changed non-key field is taken now and applies when the review passes
    w.zhangsan.student_no = "S2027NEW01"
    w.zhangsan.save(update_fields=["student_no"])
    assert ok(wang.post(f"/signings/{sid}/refresh-student-info")) == {"refreshed_info": {"student_no": "S2027NEW01"}}

    assert ok(wang.post(f"/signings/{sid}/approve"))["status"] == "online_school"
    done = ok(qian.post(f"/signings/{sid}/approve"))
    assert done["status"] == "signed" and done["status_label"] == "签约成功"
    assert done["has_agreement"] and done["agreement_no"].startswith("10001-")
    assert done["graduate_snapshot"]["student_no"] == "S2027NEW01"

    for who in (zhangsan, employer, qian):
        pdf = who.get(f"/signings/{sid}/agreement.pdf")
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    events = ok(employer.get(f"/signings/{sid}/timeline"))
    assert [e["action"] for e in events] == ["invite", "agree", "refresh", "approve", "approve"]
    assert ok(employer.get("/signings"))["items"][0]["status_label"] == "签约成功"


def test_offline_signing_journey_with_return_edit_and_upload(world):
    zhangsan, wang, qian = Api("zhangsan"), Api("wang"), Api("qian")
    s = ok(zhangsan.post("/signings/offline", OFFLINE), 201)
    sid = s["id"]
    assert s["status"] == "draft_dept" and s["initiator"] == "graduate" and s["employer_id"] is None
    assert s["actions"] == ["withdraw"]
    assert {"label": "单位名称", "value": "某某贸易有限公司"} in s["employer_display"]

    # the department's default list is exactly what waits for it
    assert [i["id"] for i in ok(wang.get("/signings"))["items"]] == [sid]
    r = wang.post(f"/signings/{sid}/return")
    assert r.status_code == 400 and r.json()["code"] == "reason_required" and r.json()["field"] == "reason"
    returned = ok(wang.post(f"/signings/{sid}/return", {"reason": "岗位名称请写全称"}))
    assert returned["status"] == "draft_returned" and returned["last_reason"] == "岗位名称请写全称"

    edited = ok(zhangsan.put(f"/signings/{sid}/offline", {**OFFLINE, "position": "后端软件开发工程师"}))
    assert edited["status"] == "draft_dept" and edited["position"] == "后端软件开发工程师" and edited["returned"]

    ok(wang.post(f"/signings/{sid}/approve"))
    issued = ok(qian.post(f"/signings/{sid}/approve"))
    assert issued["status"] == "await_upload" and issued["has_agreement"] and not issued["has_stamped"]
    assert issued["actions"] == []

    missing = zhangsan.multipart(f"/signings/{sid}/stamped", {})
    assert missing.status_code == 400 and missing.json()["field"] == "stamped"
    uploaded = ok(zhangsan.multipart(f"/signings/{sid}/stamped", {"file": png()}))
    assert uploaded["status"] == "upload_dept" and uploaded["has_stamped"]
    assert uploaded["actions"] == ["withdraw_upload"]
    image = wang.get(f"/signings/{sid}/stamped")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert b"".join(image.streaming_content).startswith(b"\x89PNG")

    ok(wang.post(f"/signings/{sid}/approve"))
    done = ok(qian.post(f"/signings/{sid}/approve"))
    assert done["status"] == "signed"
    events = ok(zhangsan.get(f"/signings/{sid}/timeline"))
    assert [e["action"] for e in events] == ["apply", "return", "resubmit", "approve", "approve", "upload",
                                             "approve", "approve"]


def test_online_termination_journey(world):
    s = signed_online(world)
    employer, zhangsan, wang, qian = Api("employer"), Api("zhangsan"), Api("wang"), Api("qian")
    t = ok(employer.multipart(f"/signings/{s.pk}/terminations", {"reason": "岗位调整，双方协商解约"}), 201)
    tid = t["id"]
    assert t["status"] == "pending_other" and t["online"] and t["applicant"] == "employer"
    assert t["actions"] == ["cancel"] and t["signing_id"] == s.pk

    # only the applicant cancels; only the other party answers
    r = zhangsan.post(f"/terminations/{tid}/cancel")
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    mine = ok(zhangsan.get("/terminations"))
    assert mine["count"] == 1 and mine["items"][0]["actions"] == ["agree", "decline"]
    assert ok(zhangsan.post(f"/terminations/{tid}/agree"))["status"] == "agreed"

    waiting = ok(wang.get("/terminations", {"status": "agreed", "online": True}))
    assert [i["id"] for i in waiting["items"]] == [tid] and waiting["items"][0]["kind_label"] == "线上解约"
    assert ok(wang.get("/terminations", {"status": "agreed", "online": False}))["count"] == 0
    assert ok(wang.post(f"/terminations/{tid}/approve"))["status"] == "school"
    done = ok(qian.post(f"/terminations/{tid}/approve"))
    assert done["status"] == "terminated" and done["status_label"] == "已解约"

    signing = ok(zhangsan.get(f"/signings/{s.pk}"))
    assert signing["status"] == "terminated" and signing["status_label"] == "已解约"
    events = ok(qian.get(f"/terminations/{tid}/timeline"))
    assert [e["action"] for e in events] == ["apply", "agree", "approve", "approve"]


def test_offline_termination_needs_material_and_can_be_resubmitted(world):
    s = signed_offline(world)
    zhangsan, wang, employer = Api("zhangsan"), Api("wang"), Api("employer")
    # an offline signing has no registered employer: the employer cannot even see it
    assert employer.multipart(f"/signings/{s.pk}/terminations", {"reason": "x"}).status_code == 404
    r = zhangsan.multipart(f"/signings/{s.pk}/terminations", {"reason": "已与单位协商一致"})
    assert r.status_code == 400 and r.json()["field"] == "material"
    t = ok(zhangsan.multipart(f"/signings/{s.pk}/terminations",
                              {"reason": "已与单位协商一致", "material": png("解约函.png")}), 201)
    assert t["status"] == "offline_dept" and t["has_material"] and not t["online"]
    tid = t["id"]
    r = zhangsan.multipart(f"/signings/{s.pk}/terminations", {"reason": "再来一次", "material": png()})
    assert r.status_code == 409 and r.json()["code"] == "termination_open"

    assert ok(wang.post(f"/terminations/{tid}/return", {"reason": "解约函缺少单位盖章"}))["status"] == "returned"
    again = ok(zhangsan.multipart(f"/terminations/{tid}/resubmit",
                                  {"reason": "补充了盖章的解约函", "material": png("解约函2.png")}))
    assert again["status"] == "offline_dept" and again["reason"] == "补充了盖章的解约函"
    material = wang.get(f"/terminations/{tid}/material")
    assert material.status_code == 200 and material["Content-Type"] == "image/png"
    r = wang.post(f"/terminations/{tid}/reject", {"reason": "材料不实"})
    assert r.status_code == 400 and r.json()["field"] == "category"
    failed = ok(wang.post(f"/terminations/{tid}/reject", {"reason": "材料不实", "category": "not_genuine"}))
    assert failed["status"] == "failed" and failed["reject_category_label"] == "签约信息不真实"


# ---- lists ------------------------------------------------------------------------------------------------

def test_list_pagination_shape_and_page_size_cap(world):
    first = services.invitation_create(actor=world.u_employer, name="张三", id_number=world.zhangsan.id_number,
                                       terms=TERMS)
    copy = {fld.attname: getattr(first, fld.attname) for fld in Signing._meta.concrete_fields
            if fld.name not in {"id", "verify_token"}}
    Signing.objects.bulk_create([Signing(**copy) for _ in range(104)])
    employer = Api("employer")
    page = ok(employer.get("/signings", {"page_size": 500}))
    assert set(page) == {"items", "count"} and page["count"] == 105 and len(page["items"]) == 100
    assert set(page["items"][0]) == {
        "id", "initiator", "initiator_label", "status", "status_label", "graduate_name", "exam_no", "department",
        "employer_name", "position", "graduation_year", "submitted_at", "updated_at", "expires_at", "last_reason",
        "warned", "warning_categories", "actions",
    }
    assert len(ok(employer.get("/signings", {"page": 3, "page_size": 50}))["items"]) == 5
    assert len(ok(employer.get("/signings", {"page": 99, "page_size": 50}))["items"]) == 5  # last page
    assert ok(employer.get("/signings", {"status": "signed"}))["count"] == 0
    wang = Api("wang")
    assert ok(wang.get("/signings"))["count"] == 0  # opens on 就业协议审核中,等待学院审核
    assert ok(wang.get("/signings", {"status": ""}))["count"] == 105
    assert ok(wang.get("/signings", {"status": "", "initiator": "graduate"}))["count"] == 0
    assert ok(wang.get("/signings", {"status": "", "q": "张三", "employer": "某某"}))["count"] == 105
    assert ok(wang.get("/signings", {"status": "", "date_from": "2027-01-01"}))["count"] == 0


def test_list_query_count_does_not_grow_with_the_page(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = services.invitation_create(actor=world.u_employer, name="张三", id_number=world.zhangsan.id_number,
                                       terms=TERMS)
    wang = Api("wang")

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert ok(wang.get("/signings", {"status": ""}))["items"]
        return len(ctx.captured_queries)

    queries()  # the first request reads the signed-in user, later ones find it in the cache
    one = queries()
    copy = {fld.attname: getattr(first, fld.attname) for fld in Signing._meta.concrete_fields
            if fld.name not in {"id", "verify_token"}}
    Signing.objects.bulk_create([Signing(**copy) for _ in range(29)])
    assert queries() == one


# ---- scope and roles --------------------------------------------------------------------------------------

@pytest.fixture
def other_employer(world):
    e = Employer.objects.create(name="另一家科技有限公司", credit_code=make_credit_code(2), approved=True)
    return f.user("other_employer", "employer", employer=e)


@pytest.mark.parametrize("who", ["zhao", "sun", "other_employer", "lisi", "bjgov"])
def test_out_of_scope_is_404_everywhere(world, other_employer, who):
    s = signed_online(world)
    t = services.termination_apply(actor=world.u_employer, signing_id=s.pk, reason="协商解约")
    c = Api(who)
    for path in (f"/signings/{s.pk}", f"/signings/{s.pk}/timeline", f"/signings/{s.pk}/agreement.pdf",
                 f"/terminations/{t.pk}", f"/terminations/{t.pk}/timeline"):
        r = c.get(path)
        assert r.status_code == 404 and r.json()["code"] == "not_found", (who, path)
    for path in (f"/signings/{s.pk}/approve", f"/terminations/{t.pk}/agree", f"/terminations/{t.pk}/approve"):
        r = c.post(path, {"reason": "x"})
        assert r.status_code == 404, (who, path, r.content)
    assert c.multipart(f"/signings/{s.pk}/terminations", {"reason": "x"}).status_code == 404
    if who in {"zhao", "sun"}:
        assert ok(c.get("/signings", {"status": ""}))["count"] == 0
        assert ok(c.get("/terminations", {"status": ""}))["count"] == 0


def test_wrong_roles_are_403(world):
    s = invite(Api("employer"), world)
    zhangsan, employer, wang, zhou = Api("zhangsan"), Api("employer"), Api("wang"), Api("zhou")
    r = zhangsan.post("/signings/invitations", {"name": "张三", "id_number": world.zhangsan.id_number, **TERMS})
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert employer.post("/signings/offline", OFFLINE).status_code == 403
    assert employer.get("/signings/invitations").status_code == 403
    assert employer.post(f"/signings/{s['id']}/agree").status_code == 403
    assert wang.post(f"/signings/{s['id']}/agree").status_code == 403
    ok(zhangsan.post(f"/signings/{s['id']}/agree"))
    assert employer.post(f"/signings/{s['id']}/approve").status_code == 403
    assert employer.post(f"/signings/{s['id']}/refresh-student-info").status_code == 403
    assert zhangsan.post(f"/signings/{s['id']}/refresh-student-info").status_code == 403
    assert zhou.get("/signings").status_code == 403  # 在线签约管理 is for departments and schools
    assert zhou.get("/terminations").status_code == 403
    assert Client().get(f"{V1}/signings").status_code == 401


# ---- problem JSON -----------------------------------------------------------------------------------------

def test_conflict_problem_shape(world):
    s = invite(Api("employer"), world)
    zhangsan, qian = Api("zhangsan"), Api("qian")
    ok(zhangsan.post(f"/signings/{s['id']}/agree"))
    r = zhangsan.post(f"/signings/{s['id']}/agree")
    assert r.status_code == 409
    assert r.json() == {"code": "conflict", "field": None, "detail": r.json()["detail"]}
    assert "当前状态" in r.json()["detail"]
    # the school's turn has not come yet
    assert qian.post(f"/signings/{s['id']}/approve").status_code == 409


def test_invalid_problem_names_every_field(world):
    employer = Api("employer")
    r = employer.post("/signings/invitations", {"name": "张三", "id_number": world.zhangsan.id_number,
                                                **TERMS, "monthly_salary": "一万", "job_category": "99x"})
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "invalid" and set(body) == {"code", "detail", "field", "errors"}
    assert set(body["errors"]) == {"monthly_salary", "job_category"} and body["field"] in body["errors"]
    assert "月薪" in body["detail"]
    assert Signing.objects.count() == 0


def test_schema_errors_are_json_not_500(world):
    s = invite(Api("employer"), world)
    wang, zhangsan = Api("wang"), Api("zhangsan")
    assert wang.get("/signings", {"status": "<script>"}).status_code == 422
    assert wang.get("/signings", {"date_from": "昨天"}).status_code == 422
    assert wang.get("/signings", {"q": "张\x00三"}).status_code == 400  # a NUL is refused at the edge
    assert wang.get("/signings/abc").status_code == 422
    assert wang.get("/signings/99999999").status_code == 404
    assert zhangsan.post(f"/signings/{s['id']}/decline", {"reason": "x", "category": "bogus"}).status_code == 422
    bad = zhangsan.c.post(f"{V1}/signings/{s['id']}/decline", "not json", content_type="application/json",
                          HTTP_X_CSRFTOKEN=zhangsan.token)
    assert bad.status_code in (400, 422)
    # a form body where JSON is expected: the CSRF check has read it as a form already
    form = zhangsan.c.post(f"{V1}/signings/{s['id']}/agree", {"reason": "x"}, HTTP_X_CSRFTOKEN=zhangsan.token)
    assert form.status_code == 415 and form.json()["code"] == "unsupported_media_type"
    # and a write without the CSRF header is refused, changing nothing
    r = zhangsan.c.post(f"{V1}/signings/{s['id']}/agree", {}, content_type="application/json")
    assert r.status_code == 403
    assert Signing.objects.get(pk=s["id"]).status == "invited"


# ---- the OpenAPI document ---------------------------------------------------------------------------------

def test_openapi_lists_every_signing_and_termination_operation(client, db):
    doc = client.get(f"{V1}/openapi.json").json()
    ops = {o["operationId"]: o for path in doc["paths"].values() for o in path.values()}
    expected = {
        "signing_list", "signing_invitations", "signing_invite", "signing_offline_apply", "signing_detail",
        "signing_timeline", "signing_offline_resubmit", "signing_stamped_upload", "signing_stamped_file",
        "signing_agreement_pdf", "signing_refresh_student_info", "signing_agree", "signing_decline",
        "signing_withdraw", "signing_approve", "signing_reject", "signing_return", "signing_withdraw_upload",
        "termination_list", "termination_apply", "termination_detail", "termination_timeline",
        "termination_material", "termination_cancel", "termination_agree", "termination_decline",
        "termination_approve", "termination_reject", "termination_return", "termination_resubmit",
    }
    assert expected <= set(ops)
    assert not {"signing_expire", "signing_terminate", "signing_upload", "signing_resubmit"} & set(ops)
    assert ops["signing_approve"]["tags"] == ["signing"] and ops["termination_apply"]["tags"] == ["termination"]
    assert "multipart/form-data" in ops["signing_stamped_upload"]["requestBody"]["content"]
    assert "multipart/form-data" in ops["termination_resubmit"]["requestBody"]["content"]
