"""POST /api/v1/verification/lookup: the public look-up of a 去向登记信息表 for an agency's own system. No login,
no CSRF token, one 无法核验 answer for every failure, 429 when throttled, a Chinese answer for bad input."""
from __future__ import annotations

import json

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from gradreg.verification import codeformat, lookup
from gradreg.verification.models import LookupMethod, LookupOutcome, SheetLookup
from tests.verification.sheet_helpers import grant, transfer_code

URL = "/api/v1/verification/lookup"


@pytest.fixture
def api():
    return Client(enforce_csrf_checks=True)  # as an agency's system calls it: no session, no token


def post(api, body, **extra):
    return api.post(URL, json.dumps(body) if not isinstance(body, str) else body, content_type="application/json",
                    **extra)


def test_name_and_code_return_the_sheet_without_login_or_csrf(api, reported):
    g = grant(reported)
    r = post(api, {"kind": "archive", "name": "张三", "code": codeformat.grouped(g.code).lower()})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["title"] == "档案登记信息表" and body["report_title"] == "在线核验报告"
    assert body["code_label"] == "核验编号" and body["code"] == codeformat.grouped(g.code)
    assert [row["label"] for row in body["basic"]] == ["姓名", "性别", "生源所在地", "毕业院校", "专业", "学历", "毕业时间"]
    assert {row["label"]: row["value"] for row in body["destination"]}["单位名称"] == "某某科技有限公司"
    assert body["transfer"] == [] and body["qr_url"].endswith(f"/verify/sheet/archive/{g.qr_token}/")
    assert reported.id_number not in r.content.decode()
    assert "张三" in r.content.decode()  # UTF-8, not \u escapes
    log = SheetLookup.objects.get()
    assert (log.method, log.outcome, log.graduate_id) == (LookupMethod.API, LookupOutcome.SHOWN, reported.pk)


def test_every_failure_is_the_same_404(api, reported):
    g = grant(reported)
    tc = transfer_code(reported, "hukou")
    tc.stale_at = timezone.now()
    tc.save()
    answers = set()
    for body in ({"kind": "archive", "name": "王五", "code": g.code},
                 {"kind": "archive", "name": "张三", "code": codeformat.new_code()},
                 {"kind": "archive", "name": "张三", "code": "不是编号"},
                 {"kind": "hukou", "name": "张三", "code": tc.code}):
        r = post(api, body)
        assert r.status_code == 404
        answers.add(r.content)
    assert len(answers) == 1
    body = json.loads(answers.pop())
    assert body["code"] == "unverifiable" and body["detail"].startswith(lookup.UNVERIFIABLE)
    assert SheetLookup.objects.filter(outcome=LookupOutcome.REFUSED).count() == 4


def test_nul_bytes_are_refused_in_chinese_before_any_look_up(api, reported):
    g = grant(reported)
    r = post(api, {"kind": "archive", "name": "张\x00三", "code": g.code + "\x00"})
    assert r.status_code == 400 and "NUL" in r.json()["detail"] and "\u4e00" <= r.json()["detail"][0] <= "\u9fff"
    assert not SheetLookup.objects.exists()


@pytest.mark.parametrize("body,field", [
    ({"kind": "other", "name": "张三", "code": "X"}, "kind"),
    ({"kind": "archive", "name": "张" * 300, "code": "X"}, "name"),
    ({"kind": "archive", "name": "张三", "code": "1" * 300}, "code"),
    ({"kind": "archive", "name": 12, "code": "X"}, "name"),
    ({"kind": "archive", "code": "X"}, "name"),
    ({"kind": ["archive"], "name": "张三", "code": {"a": 1}}, "kind"),
])
def test_bad_input_gets_a_chinese_answer(api, db, body, field):
    r = post(api, body)
    assert r.status_code == 422
    problem = r.json()
    assert problem["code"] == "invalid" and field in problem["errors"]
    assert all("\u4e00" <= ch <= "\u9fff" for m in problem["errors"][field] for ch in m[:1])
    assert not SheetLookup.objects.exists()


def test_not_json_is_refused_in_chinese(api, db):
    r = post(api, "{not json")
    assert r.status_code in (400, 422) and "\u4e00" <= r.json()["detail"][0] <= "\u9fff"


@override_settings(SHEET_LOOKUPS_PER_ADDRESS=3)
def test_the_address_limit_answers_429(api, reported):
    g = grant(reported)
    for _ in range(3):
        assert post(api, {"kind": "archive", "name": "张三", "code": g.code}).status_code == 200
    r = post(api, {"kind": "archive", "name": "张三", "code": g.code})
    assert r.status_code == 429 and r.json() == {"code": "throttled", "detail": lookup.THROTTLED, "field": None}
    assert SheetLookup.objects.filter(outcome=LookupOutcome.THROTTLED).count() == 1


def test_a_logged_in_session_changes_nothing(client, world, reported):
    """A staff session neither unlocks nor is needed: the same answer as anyone's."""
    g = grant(reported)
    client.force_login(world.sun)
    assert post(client, {"kind": "archive", "name": "张三", "code": g.code}).status_code == 200
    assert post(client, {"kind": "archive", "name": "张三", "code": codeformat.new_code()}).status_code == 404


def test_openapi_lists_it_under_verification_without_auth(client, db):
    doc = client.get("/api/v1/openapi.json").json()
    op = doc["paths"][URL]["post"]
    assert op["tags"] == ["verification"] and not op.get("security")
    assert {"200", "404", "429"} <= set(op["responses"])
