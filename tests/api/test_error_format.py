"""Every API error is the documented `{code, detail, field}` with a Chinese detail, whoever produced it."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def problem(r, status: int) -> dict:
    assert r.status_code == status, r.content[:200]
    assert r["Content-Type"].startswith("application/json")
    body = r.json()
    assert {"code", "detail", "field"} <= set(body) and set(body) <= {"code", "detail", "field", "errors"}
    assert isinstance(body["code"], str) and CHINESE.search(body["detail"]), body
    return body


def test_ninja_validation_errors_are_chinese_and_name_the_field(client, world):
    """Guards ninja's English 422 list: now the one format, the first field named, each field's message."""
    client.force_login(world.qian)
    body = problem(client.get("/api/v1/roster/graduates", {"page": "abc"}), 422)
    assert body["code"] == "invalid" and body["field"] == "page" and body["errors"] == {"page": ["应为整数。"]}
    body = problem(client.post("/api/v1/training-mode-changes", {}, content_type="application/json"), 422)
    assert body["field"] == "graduate_id" and body["errors"]["reason"] == ["此项为必填项。"]
    assert problem(client.get("/api/v1/roster/graduates/abc"), 422)["field"] == "graduate_id"


def test_unauthenticated_is_not_a_bare_detail(client, world):
    """Guards the bare `{"detail": "Unauthorized"}` 401."""
    assert problem(client.get("/api/v1/me"), 401)["code"] == "not_authenticated"


def test_wrong_method_and_unknown_address_are_json(client, world):
    """Guards the text 405 and the HTML 404 of an address the API does not have."""
    client.force_login(world.qian)
    r = client.delete("/api/v1/me")
    assert problem(r, 405)["code"] == "method_not_allowed" and "GET" in r["Allow"]
    assert problem(client.get("/api/v1/no-such-thing"), 404)["code"] == "not_found"


def test_unreadable_and_oversized_json_bodies(client, world):
    """Guards "Cannot parse request body" and the HTML 400 Django gave a JSON body over its memory limit."""
    client.force_login(world.qian)
    assert problem(client.post("/api/v1/training-mode-changes", "{bad", content_type="application/json"), 400)
    big = '{"reason": "' + "x" * (6 * 1024 * 1024) + '"}'
    body = problem(client.post("/api/v1/training-mode-changes", big, content_type="application/json"), 413)
    assert body["code"] == "too_large"


def test_session_rules_answer_in_the_format(client, world, settings):
    """Guards the session-expired and password-change answers, which lacked `field`."""
    world.wang.must_change_password = True
    world.wang.save(update_fields=["must_change_password"])
    client.force_login(world.wang)
    assert problem(client.get("/api/v1/roster/graduates"), 403)["code"] == "password_change_required"
