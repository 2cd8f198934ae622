"""核验授权's pages and API: the graduate's page (refused until 确认无误, the two steps, the code and the sheets),
the staff's 档案/户口信息核验列表 with 查询 and the export, the 核验编号 seen by the graduate alone (pages, API,
export), scope and roles, and a fixed number of queries per list page."""
from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from gradreg.ems.models import Graduate
from gradreg.verification import codeformat, identity
from gradreg.verification import grants as g
from gradreg.verification.models import VerificationGrant
from tests import factories as f
from tests.verification.test_confirmation import confirmed

from .grant_helpers import _empty_outbox, authorised, last_code  # noqa: F401


def post(client, url: str, data: dict):
    return client.post(url, json.dumps(data), content_type="application/json")


def code_forms(grant: VerificationGrant) -> tuple[str, str]:
    return grant.code, codeformat.grouped(grant.code)


def assert_no_code(content: bytes | str, grant: VerificationGrant) -> None:
    text = content.decode() if isinstance(content, bytes) else content
    for form in code_forms(grant):
        assert form not in text
    assert grant.qr_token not in text


def xlsx_text(content: bytes) -> str:
    """Every XML part of the workbook and every cell value: what a reader of the file could find."""
    parts = zipfile.ZipFile(io.BytesIO(content))
    xml = "".join(parts.read(n).decode("utf-8", "replace") for n in parts.namelist())
    wb = load_workbook(io.BytesIO(content))
    cells = " ".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None)
    return xml + cells


# ---- the graduate's page ---------------------------------------------------------------------------------------

def test_the_page_sends_to_confirmation_until_correct(world, client):
    client.force_login(world.u_zhangsan)
    r = client.get(reverse("handover:mine"))
    body = r.content.decode()
    assert r.status_code == 200 and "未确认" in body and 'id="grant-refusal"' in body
    assert reverse("confirmation:mine") in body and 'id="send-form"' not in body
    r = client.post(reverse("handover:mine"), {"action": "send", "channel": "sms"}, follow=True)
    assert "登记确认" in r.content.decode() and not VerificationGrant.objects.exists()


def test_the_graduate_sends_a_code_authorises_and_sees_the_code_and_sheets(world, client):
    confirmed(world)
    Graduate.objects.filter(pk=world.zhangsan.pk).update(hukou_moved_to_school=False)
    client.force_login(world.u_zhangsan)
    url = reverse("handover:mine")
    body = client.get(url).content.decode()
    assert identity.BUILTIN_NAME in body and 'id="send-form"' in body and "人脸" not in body
    r = client.post(url, {"action": "send", "channel": "sms"})
    assert r.status_code == 302
    body = client.get(url).content.decode()
    assert 'id="code-sent"' in body and world.zhangsan.phone[-4:] in body and world.zhangsan.phone not in body
    r = client.post(url, {"action": "authorise", "id_number": world.zhangsan.id_number, "code": "000000"})
    assert r.status_code == 200 and "身份证号或验证码不正确" in r.content.decode()
    r = client.post(url, {"action": "authorise", "id_number": world.zhangsan.id_number, "code": last_code()})
    assert r.status_code == 302
    grant = VerificationGrant.objects.get(graduate=world.zhangsan)
    body = client.get(url).content.decode()
    assert codeformat.grouped(grant.code) in body and "生效中" in body
    assert 'id="grant-public-until"' in body and "2027-12-30" in body  # graduation 2027-06-30 + 6 months
    assert 'id="sheet-archive"' in body and 'id="sheet-hukou"' not in body and 'id="renew-note"' in body
    assert grant.qr_token in body  # the QR code's address
    Graduate.objects.filter(pk=world.zhangsan.pk).update(hukou_moved_to_school=True)
    assert 'id="sheet-hukou"' in client.get(url).content.decode()


@pytest.mark.parametrize(("id_number", "code"), [("\x00" * 5, "123456"), ("1" * 300, "123456"),
                                                 ("440106", "1" * 300), ("440106200401011234", "\x00"),
                                                 ("44010620040101123X", "12345")])
def test_bad_input_on_the_page_is_a_clear_error(world, client, id_number, code):
    confirmed(world)
    client.force_login(world.u_zhangsan)
    client.post(reverse("handover:mine"), {"action": "send", "channel": "sms"})
    r = client.post(reverse("handover:mine"), {"action": "authorise", "id_number": id_number, "code": code})
    if "\x00" in id_number + code:  # the request guard refuses a NUL anywhere, with its own Chinese page
        assert r.status_code == 400 and "控制字符" in r.content.decode()
    else:
        assert r.status_code == 200 and 'class="errors"' in r.content.decode()
    r = client.post(reverse("handover:mine"), {"action": "send", "channel": "x" * 300})
    assert r.status_code == 200 and 'id="channel-errors"' in r.content.decode()


def test_an_expired_grant_reads_expired_and_offers_re_authorising(world, client):
    grant = authorised(world)
    VerificationGrant.objects.filter(pk=grant.pk).update(expires_at=grant.granted_at)
    client.force_login(world.u_zhangsan)
    body = client.get(reverse("handover:mine")).content.decode()
    assert 'id="grant-expired"' in body and "已过期" in body and 'id="send-form"' in body
    assert_no_code(body, grant)


def test_the_module_entry_and_the_home_panel(world, client):
    client.force_login(world.u_zhangsan)
    assert client.get(reverse("handover:home"))["Location"] == reverse("handover:mine")
    body = client.get(reverse("roster:self")).content.decode()
    assert 'id="grant-panel"' in body and "未确认" in body
    authorised(world)
    assert "生效中" in client.get(reverse("roster:self")).content.decode()
    client.force_login(world.wang)
    assert client.get(reverse("handover:home"))["Location"] == reverse("handover:grants", args=["archive"])
    assert reverse("handover:home") in client.get("/modules/").content.decode()
    body = client.get(reverse("handover:grants", args=["archive"])).content.decode()
    assert "档案信息核验列表" in body and "户口信息核验列表" in body and "核验授权" not in body.split("<h1>")[0]
    client.force_login(world.u_employer)
    assert client.get(reverse("handover:home")).status_code == 403


# ---- the staff list, 查询 and the export: never the code -------------------------------------------------------

def test_the_code_is_in_no_staff_page_export_or_api_answer(world, client):
    grant = authorised(world)
    for who in (world.wang, world.qian):
        client.force_login(who)
        r = client.get(reverse("handover:grants", args=["archive"]), {"status": ""})
        assert r.status_code == 200 and world.zhangsan.name in r.content.decode() and "生效中" in r.content.decode()
        assert_no_code(r.content, grant)
        r = client.get(reverse("handover:grant_preview", args=["archive", world.zhangsan.pk]))
        body = r.content.decode()
        assert r.status_code == 200 and g.NO_CODE_NOTE in body and "基本信息" in body and world.zhangsan.name in body
        assert_no_code(body, grant)
        r = client.get(reverse("handover:grants_export", args=["archive"]), {"status": ""})
        assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
        text = xlsx_text(b"".join(r.streaming_content))
        assert world.zhangsan.name in text and "生效中" in text and "核验编号" not in text
        assert_no_code(text, grant)
        r = client.get("/api/v1/verification/grants/archive", {"status": ""})
        assert r.status_code == 200 and r.json()["items"][0]["status"] == "active"
        assert_no_code(r.content, grant)
        r = client.get(f"/api/v1/verification/grants/archive/{world.zhangsan.pk}")
        assert r.status_code == 200 and r.json()["sheet"]["code"] == "" and r.json()["note"] == g.NO_CODE_NOTE
        assert_no_code(r.content, grant)
    # ... and the graduate has it in both
    client.force_login(world.u_zhangsan)
    body = client.get("/api/v1/verification/grant").json()
    assert body["code"] == codeformat.grouped(grant.code) and body["status"] == "active"
    assert body["sheets"][0]["code"] == codeformat.grouped(grant.code)


def test_the_list_filters_by_status_name_and_year_and_the_hukou_roster(world, client):
    authorised(world)
    other = f.graduate(world.cs, world.cs_major, name="王小明", hukou_moved_to_school=True)
    old = f.graduate(world.cs, world.cs_major, name="往届生", graduation_year=2026)
    client.force_login(world.wang)
    url = reverse("handover:grants", args=["archive"])
    body = client.get(url, {"status": "active"}).content.decode()
    assert world.zhangsan.name in body and other.name not in body
    body = client.get(url, {"status": "unconfirmed"}).content.decode()
    assert world.zhangsan.name not in body and other.name in body
    body = client.get(url, {"q": "王小"}).content.decode()
    assert other.name in body and world.zhangsan.name not in body
    body = client.get(url, {"graduation_year": "2026"}).content.decode()
    assert old.name in body and other.name not in body
    assert client.get(url, {"status": "bad", "graduation_year": "x" * 300, "q": "王" * 300}).status_code == 200
    assert client.get(url, {"q": "\x00"}).status_code == 400
    Graduate.objects.filter(pk=world.zhangsan.pk).update(hukou_moved_to_school=False)
    body = client.get(reverse("handover:grants", args=["hukou"])).content.decode()
    assert other.name in body and world.zhangsan.name not in body
    assert client.get(reverse("handover:grant_preview", args=["hukou", world.zhangsan.pk])).status_code == 404
    assert client.get(reverse("handover:grants", args=["nope"])).status_code == 404
    assert client.get("/api/v1/verification/grants/nope").status_code == 404


def test_the_list_is_a_fixed_number_of_queries(world, client):
    authorised(world)
    client.force_login(world.wang)
    url = reverse("handover:grants", args=["archive"])
    client.get(url, {"status": ""})  # the session and the user are cached from here on
    with CaptureQueriesContext(connection) as small:
        client.get(url, {"status": ""})
    for _ in range(6):
        authorised(world, f.graduate(world.cs, world.cs_major))
    for _ in range(6):
        f.graduate(world.cs, world.cs_major)
    client.get(url, {"status": ""})
    with CaptureQueriesContext(connection) as large:
        r = client.get(url, {"status": ""})
    assert len(large) == len(small) and r.content.decode().count("查询</a>") == 13
    with CaptureQueriesContext(connection) as api:
        client.get("/api/v1/verification/grants/archive", {"status": "", "page_size": 100})
    assert len(api) <= len(small)


@pytest.mark.parametrize(("who", "code"), [("zhao", 404), ("sun", 404), ("u_zhangsan", 403), ("u_lisi", 403),
                                           ("u_employer", 403), ("zhou", 403)])
def test_other_scopes_and_roles_are_refused(world, client, who, code):
    authorised(world)
    client.force_login(getattr(world, who))
    assert client.get(reverse("handover:grant_preview", args=["archive", world.zhangsan.pk])).status_code == code
    assert client.get(f"/api/v1/verification/grants/archive/{world.zhangsan.pk}").status_code == code
    if code == 403:
        for url in (reverse("handover:grants", args=["archive"]), reverse("handover:grants_export", args=["archive"]),
                    "/api/v1/verification/grants/archive"):
            assert client.get(url).status_code == 403
    else:
        r = client.get(reverse("handover:grants", args=["archive"]), {"status": ""})
        assert r.status_code == 200 and world.zhangsan.name not in r.content.decode()
        assert world.zhangsan.name not in client.get("/api/v1/verification/grants/archive").content.decode()


# ---- the graduate's API ----------------------------------------------------------------------------------------

def test_the_graduate_api_start_authorise_and_read(world, client):
    client.force_login(world.u_zhangsan)
    r = client.get("/api/v1/verification/grant")
    assert r.status_code == 200 and r.json()["status"] == "unconfirmed" and r.json()["code"] is None
    assert not r.json()["may_authorise"] and "登记确认" in r.json()["refusal"]
    assert post(client, "/api/v1/verification/identity-check", {"channel": "sms"}).status_code == 409
    confirmed(world)
    r = post(client, "/api/v1/verification/identity-check", {"channel": "email"})
    assert r.status_code == 200 and r.json()["channel"] == "email" and world.zhangsan.email not in r.content.decode()
    for bad in ({"id_number": "\x00", "code": "123456"}, {"id_number": 12, "code": "1"}, {"code": "1"},
                {"id_number": "1" * 300, "code": "123456"}):
        r = post(client, "/api/v1/verification/grant", bad)  # 422: the schema refused it; 400: the service
        assert r.status_code in (400, 422) and re.search("[\u4e00-\u9fff]", r.json()["detail"]), (bad, r.json())
    r = post(client, "/api/v1/verification/grant", {"id_number": world.zhangsan.id_number, "code": last_code()})
    assert r.status_code == 200, r.content
    grant = VerificationGrant.objects.get(graduate=world.zhangsan)
    assert r.json()["code"] == codeformat.grouped(grant.code) and r.json()["status_label"] == "生效中"
    assert r.json()["expires_at"] and r.json()["public_until"] == "2027-12-30"


@pytest.mark.parametrize("who", ["wang", "qian", "u_employer"])
def test_the_graduate_api_refuses_others(world, client, who):
    client.force_login(getattr(world, who))
    assert client.get("/api/v1/verification/grant").status_code == 403
    assert post(client, "/api/v1/verification/identity-check", {"channel": "sms"}).status_code == 403
    assert post(client, "/api/v1/verification/grant", {"id_number": "1", "code": "1"}).status_code == 403


def test_openapi_lists_the_verification_operations(client, db):
    doc = client.get("/api/v1/openapi.json").json()
    ops = {o["operationId"]: o for p in doc["paths"].values() for o in p.values()}
    for op in ("verification_identity_start", "verification_authorise", "verification_mine",
               "verification_grant_list", "verification_grant_preview"):
        assert ops[op]["tags"] == ["verification"]
