"""No input produces a 500: every page, every role, odd query strings and ids."""
from __future__ import annotations

import pytest

from gradreg.destinations import services
from gradreg.destinations.models import Registration

PAGES = [
    "/", "/modules/", "/password/", "/roster/", "/roster/graduates/", "/roster/invalid/", "/roster/me/",
    "/roster/graduates/{g}/", "/roster/graduates/999999/", "/ems/", "/ems/training-mode/",
    "/ems/training-mode/999999/", "/ems/training-mode/new/{g}/", "/ems/graduates/{g}/edit/", "/messages/",
    "/api/v1/me", "/api/v1/roster/graduates", "/api/v1/roster/graduates/{g}", "/api/v1/training-mode-changes",
    "/api/v1/training-mode-changes/999999", "/nope/",
    # 在线签约管理, 解约管理 and the parties' pages, through the list kit (pages, htmx tables, exports)
    "/signing/review/", "/signing/review/export/", "/signing/review/export-returned/", "/signing/terminations/",
    "/signing/terminations/export/", "/signing/terminations/export-returned/", "/signing/terminations/999999/",
    "/signing/my/", "/signing/apply/", "/signing/employer/", "/signing/invite/", "/signing/999999/",
    "/signing/999999/agreement.pdf", "/signing/999999/terminate/", "/organisations/employers/review/",
    "/organisations/employers/999999/", "/organisations/employer/", "/api/v1/signings", "/api/v1/terminations",
    "/api/v1/employers", "/verify/agreement/", "/verify/agreement/not-a-token/",
    # the graduate's 去向登记 and 补登 pages (choose a type, a type's form, 补登, edit, the credit-code notice)
    "/destinations/my/", "/destinations/new/", "/destinations/new/?type=study_domestic.postgraduate",
    "/destinations/new/?type=contract", "/destinations/new/?type=directed", "/destinations/paper/new/",
    "/destinations/999999/edit/", "/destinations/abc/edit/", "/destinations/paper/999999/edit/",
    "/destinations/credit-warning/",
    # 去向登记管理 and 补登管理 (lists, exports, the item pages, 修改去向, the proof) and their API
    "/destinations/", "/destinations/export/", "/destinations/export-returned/", "/destinations/999999/",
    "/destinations/999999/proof/", "/destinations/999999/review-edit/", "/destinations/paper/",
    "/destinations/paper/export/", "/destinations/paper/export-returned/", "/destinations/paper/999999/",
    "/destinations/paper/999999/proof/", "/destinations/paper/999999/review-edit/", "/api/v1/destinations",
    "/api/v1/paper-agreements", "/api/v1/destination-types", "/api/v1/destinations/999999",
    "/api/v1/paper-agreements/999999/timeline",
    # 档案信息管理 and 户口信息管理: every page of both modules, staff and graduate
    *(f"/{ns}/{page}" for ns in ("archives", "hukou") for page in (
        "", "guide/", "roster/", "info/", "info/export/", "info/{g}/", "info/{g}/edit/", "info/999999/",
        "info/abc/edit/", "applications/", "applications/export/", "applications/999999/",
        "applications/999999/edit/", "invalid/", "statistics/", "statistics/?graduation_year=1e9", "me/", "me/apply/",
        "me/applications/999999/", "me/applications/999999/edit/")),
    "/archives/applications/quick/", "/hukou/applications/quick/",
    "/ems/transfers/archive/", "/ems/transfers/hukou/", "/ems/transfers/archive/{g}/", "/ems/transfers/hukou/{g}/",
    "/ems/transfers/archive/999999/", "/api/v1/archives/info", "/api/v1/archives/applications",
    "/api/v1/hukou/info/{g}", "/api/v1/hukou/applications/999999",
    # 档案/户口信息 批量导入 (the upload, the template, the region table, a report and its download)
    *(f"/{m}/import/{tail}" for m in ("archives", "hukou")
      for tail in ("", "template/", "regions/", "999999/", "999999/errors/")),
    # 登记确认信息 (the graduate's page, the list, its export, a detail, the statistics) and its API
    "/confirmation/", "/confirmation/list/", "/confirmation/export/", "/confirmation/mine/", "/confirmation/{g}/",
    "/confirmation/999999/", "/confirmation/statistics/", "/confirmation/statistics/?graduation_year=1e9",
    "/api/v1/confirmation/mine", "/api/v1/confirmations", "/api/v1/confirmations/{g}", "/api/v1/confirmations/999999",
    "/api/v1/confirmations/statistics",
    # 毕业去向上传 (就业管理系统上传): the upload, the template, a report and its download
    "/ems/destinations/upload/", "/ems/destinations/upload/template.xlsx", "/ems/destinations/upload/999999/",
    "/ems/destinations/upload/999999/errors.xlsx",
]
ODD = {"page": "9999999999999999999999", "page_size": "-1", "graduation_year": "二〇二七", "major": "1 OR 1=1",
       "q": "%' --\x00", "status": "<script>", "department": "[]"}


@pytest.mark.parametrize("who", [None, "u_zhangsan", "u_employer", "wang", "qian", "zhou", "operator"])
def test_every_page_answers_without_a_server_error(client, world, who):
    if who:
        client.force_login(getattr(world, who))
    for url in PAGES:
        url = url.format(g=world.zhangsan.pk)
        for params in ({}, ODD):
            r = client.get(url, params)
            assert r.status_code < 500, (who, url, params, r.status_code)


@pytest.mark.parametrize("who", ["u_zhangsan", "wang", "qian", "zhao", "u_employer"])
def test_a_registration_s_pages_with_odd_input(client, world, who):
    """The item page, 修改去向 (any ?type=) and the moves of a real registration, with odd input."""
    item = services.submit(Registration, actor=world.u_zhangsan, type_key="unemployed.job_seeking", data={})
    client.force_login(getattr(world, who))
    for url in (f"/destinations/{item.pk}/", f"/destinations/{item.pk}/review-edit/", f"/destinations/{item.pk}/proof/"):
        for params in ({}, ODD, {"type": "<script>"}, {"type": "contract"}, {"reveal": "x"}):
            r = client.get(url, params)
            assert r.status_code < 500, (who, url, params, r.status_code)
    for url in (f"/destinations/{item.pk}/act/", f"/destinations/{item.pk}/refresh/",
                f"/destinations/{item.pk}/review-edit/"):
        for data in ({}, {"action": "<script>", "reason": "x" * 5000, "category": "[]"},
                     {"action": "edit", "type_key": "\x00", "unit_name": "x" * 5000}, {"action": "supersede"}):
            r = client.post(url, data)
            assert r.status_code < 500, (who, url, data.get("action"), r.status_code)


@pytest.mark.parametrize("who", ["u_zhangsan", "wang", "qian", "zhao", "u_employer"])
def test_an_archive_application_s_pages_with_odd_input(client, world, who):
    """The review page, 修改信息, the moves, the graduate's 修改申请 and 撤销 of a real application, odd input."""
    from gradreg.archives import services as archive_services
    from gradreg.ems.transfer_modules import ARCHIVE

    item = archive_services.submit(actor=world.u_zhangsan, module=ARCHIVE, data={
        "transfer_type": "1", "unit_name": "广州市人才服务中心", "address": "广州市天河区1号", "region": "440106"})
    client.force_login(getattr(world, who))
    for url in (f"/archives/applications/{item.pk}/", f"/archives/applications/{item.pk}/edit/",
                f"/archives/me/applications/{item.pk}/", f"/archives/me/applications/{item.pk}/edit/",
                f"/hukou/applications/{item.pk}/"):
        for params in ({}, ODD):
            assert client.get(url, params).status_code < 500, (who, url)
    for url in (f"/archives/applications/{item.pk}/act/", f"/archives/applications/{item.pk}/edit/",
                f"/archives/me/applications/{item.pk}/edit/", f"/archives/me/applications/{item.pk}/cancel/",
                f"/archives/info/{world.zhangsan.pk}/edit/", "/archives/me/apply/", "/archives/applications/batch/"):
        for data in ({}, {"action": "<script>", "reason": "x" * 5000, "ids": ["abc", "-1"]},
                     {"action": "invalidate", "transfer_type": "=1+1", "region": "x" * 300, "unit_name": "x" * 5000}):
            r = client.post(url, data)
            assert r.status_code < 500, (who, url, data.get("action"), r.status_code)


def test_posts_with_garbage(client, world):
    client.force_login(world.qian)
    for url in [f"/ems/training-mode/{1}/approve/", f"/ems/graduates/{world.zhangsan.pk}/edit/",
                f"/ems/graduates/{world.lisi.pk}/restore/", "/messages/abc/read/"]:
        r = client.post(url, {"reason": "x" * 5000, "phone": "\x00"})
        assert r.status_code < 500, (url, r.status_code)


@pytest.mark.parametrize("who", ["u_zhangsan", "u_employer", "wang", "qian", "operator"])
def test_batch_review_posts_with_garbage(client, world, who):
    """批量审核 with odd ids, actions and lengths: refused in Chinese, never a 500."""
    client.force_login(getattr(world, who))
    bodies = [{}, {"ids": ["abc", "\x00", "-1", "9" * 30], "action": "approve"},
              {"ids": [str(world.zhangsan.pk)] * 300, "action": "<script>", "reason": "x" * 5000, "category": "[]"}]
    for url in ("/signing/review/batch/", "/signing/terminations/batch/", "/destinations/batch/",
                "/destinations/paper/batch/"):
        for body in bodies:
            r = client.post(url, body)
            assert r.status_code < 500, (who, url, body.get("action"), r.status_code)
    for url in ("/api/v1/signings/batch", "/api/v1/terminations/batch", "/api/v1/destinations/batch",
                "/api/v1/paper-agreements/batch"):
        for body in ({"ids": [], "action": "approve"}, {"ids": [-1, 10**20], "action": "x" * 300},
                     {"ids": "abc", "action": None}):
            r = client.post(url, body, content_type="application/json")
            assert r.status_code < 500, (who, url, body, r.status_code)


# --- NUL bytes and over-long values are refused at the edge (PostgreSQL answered them with a 500) ---

def test_nul_in_a_page_filter_is_a_chinese_400_page(client, world):
    """Guards the edge rule: `?q=%00` on any list page is refused before a query reaches the database."""
    client.force_login(world.qian)
    for url in ("/roster/graduates/", "/signing/review/", "/organisations/employers/review/"):
        r = client.get(url, {"q": "张\x00三"})
        assert r.status_code == 400, url
        assert "NUL" in r.content.decode() and "提示" in r.content.decode()
    assert client.get("/roster/graduates/", {"q": "x" * 10_001}).status_code == 400
    assert client.get("/roster/graduates/", {"q": "张三"}).status_code == 200


def test_nul_in_an_api_filter_is_a_400_in_the_api_format(client, world):
    """Guards the edge rule under /api/: the refusal is `{code, detail, field}` naming the parameter."""
    client.force_login(world.qian)
    r = client.get("/api/v1/roster/graduates", {"q": "\x00"})
    assert r.status_code == 400
    assert r.json() == {"code": "invalid_input", "detail": "输入内容含有不可见的控制字符（NUL），请删除后重试。",
                        "field": "q"}


def test_nul_in_a_training_mode_body_is_refused_for_form_and_json(client, world):
    """Guards the edge rule for bodies: a NUL in a 培养方式修改 reason (form or JSON) never reaches the database."""
    client.force_login(world.u_zhangsan)
    r = client.post(f"/ems/training-mode/new/{world.zhangsan.pk}/", {"reason": "因\x00故", "new_mode": "定向"})
    assert r.status_code == 400
    r = client.post("/api/v1/training-mode-changes", {"graduate_id": world.zhangsan.pk, "reason": "因\x00故"},
                    content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "reason"
    r = client.post("/api/v1/training-mode-changes", {"items": [{"\x00": "x"}]}, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "invalid_input"

