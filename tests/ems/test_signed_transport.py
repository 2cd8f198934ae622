"""The signed transport to EMS: the platform's http transport against EMS's real inbound endpoint (live server).

A request with a wrong key, an old timestamp, a reused nonce or a tampered body is refused (401); the same
idempotency key with other content is refused (409) and changes nothing; the wire format's doc cannot drift.
"""
from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from gradreg.common.signed_http import SIGNATURE, parse_keys, signed_headers
from gradreg.ems import services as ems_services
from gradreg.ems.models import AppliedEvent, ReportedDestination
from gradreg.ems.sync import HANDLERS
from gradreg.workflow import outbox
from gradreg.workflow.models import OutboxEvent

# the live server's thread answers on its own connection: the test's rows must be committed (the code tables
# are loaded again for such tests by tests/conftest.py)
pytestmark = pytest.mark.django_db(transaction=True)

PATH = "/ems/inbound/events"
DOC = Path(__file__).resolve().parents[2] / "docs" / "ems-protocol.md"


@pytest.fixture
def ems(live_server, monkeypatch):
    """EMS's inbound endpoint on a real HTTP server; the http transport points at it."""
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    url = live_server.url + PATH
    with override_settings(EMS_TRANSPORT="http", EMS_URL=url, EMS_TIMEOUT_SECONDS=5):
        yield url


def signed_event(graduate, signing_id=7, **over) -> dict:
    payload = {"graduate_id": graduate.pk, "exam_no": graduate.exam_no, "source": "登记系统",
               "destination": "签就业协议形式就业", "signing_id": signing_id, "employer_name": "某某科技有限公司",
               "position": "软件工程师", **over}
    return {"topic": "ems.signing_completed", "key": f"signing:{signing_id}:signed", "payload": payload}


def send(url: str, body: dict | bytes, *, key: str | None = None, client: str | None = None,
         headers: dict | None = None, now: float | None = None, sign_body: bytes | None = None):
    """POST like the platform does; (status, answer) whatever the status."""
    data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode("utf-8")
    if headers is None:
        headers = signed_headers(client or settings.EMS_CLIENT_ID, key or settings.EMS_CLIENT_KEY, "POST", PATH,
                                 sign_body if sign_body is not None else data, now=now)
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8", **headers})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode("utf-8")


def test_the_transport_signs_and_ems_applies_it(world, ems):
    body = signed_event(world.zhangsan)
    event = OutboxEvent.objects.create(topic=body["topic"], idempotency_key=body["key"], payload=body["payload"])
    outbox.http_transport(event)
    assert ReportedDestination.objects.get(graduate=world.zhangsan).signing_id == 7
    assert AppliedEvent.objects.filter(idempotency_key=body["key"]).count() == 1
    headers = signed_headers("c", "k", "POST", PATH, b"{}")
    assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Gradreg-Nonce"])
    assert re.fullmatch(r"[0-9a-f]{64}", headers[SIGNATURE])
    assert abs(int(headers["X-Gradreg-Timestamp"]) - time.time()) < 5
    assert signed_headers("c", "k", "POST", PATH, b"{}")["X-Gradreg-Nonce"] != headers["X-Gradreg-Nonce"]


def test_wrong_key_or_unknown_client_is_refused(world, ems):
    status, answer = send(ems, signed_event(world.zhangsan), key="not-the-key")
    assert (status, answer["code"], answer["detail"]) == (401, "unauthorized", "签名不正确")
    status, answer = send(ems, signed_event(world.zhangsan), client="someone-else")
    assert (status, answer["detail"]) == (401, "未知的客户端")
    assert not AppliedEvent.objects.exists() and not ReportedDestination.objects.exists()


def test_old_or_future_timestamp_is_refused(world, ems):
    skew = settings.EMS_SIGNATURE_MAX_SKEW_SECONDS
    for when in (time.time() - skew - 5, time.time() + skew + 5):
        status, answer = send(ems, signed_event(world.zhangsan), now=when)
        assert (status, answer["detail"]) == (401, "时间戳已过期或超前，请求被拒绝")
    assert send(ems, signed_event(world.zhangsan), now=time.time() - skew + 30)[0] == 200


def test_reused_nonce_is_refused(world, ems):
    body = signed_event(world.zhangsan)
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    headers = signed_headers(settings.EMS_CLIENT_ID, settings.EMS_CLIENT_KEY, "POST", PATH, data)
    assert send(ems, data, headers=headers)[0] == 200
    status, answer = send(ems, data, headers=headers)
    assert (status, answer["detail"]) == (401, "随机数已使用过，疑似重放请求")
    assert AppliedEvent.objects.count() == 1


def test_a_body_tampered_after_signing_is_refused(world, ems):
    signed = json.dumps(signed_event(world.zhangsan), ensure_ascii=False).encode("utf-8")
    tampered = json.dumps(signed_event(world.zhangsan, position="总经理"), ensure_ascii=False).encode("utf-8")
    status, answer = send(ems, tampered, sign_body=signed)
    assert (status, answer["detail"]) == (401, "签名不正确")
    assert not ReportedDestination.objects.exists()


def test_missing_or_malformed_signature_headers_are_refused(world, ems, client):
    body = signed_event(world.zhangsan)
    assert send(ems, body, headers={})[0] == 401
    good = signed_headers(settings.EMS_CLIENT_ID, settings.EMS_CLIENT_KEY, "POST", PATH, b"")
    for name, value in (("X-Gradreg-Timestamp", "yesterday"), ("X-Gradreg-Nonce", "n" * 300)):
        status, answer = send(ems, body, headers={**good, name: value})
        assert status == 401 and answer["code"] == "unauthorized"
    # a signed-in session is no credential here: the operator's browser is refused like anyone unsigned
    client.force_login(world.operator)
    response = client.post(PATH, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 401 and response.json()["code"] == "unauthorized"
    assert client.get(PATH).status_code == 405
    assert not AppliedEvent.objects.exists()


def test_same_key_same_content_is_applied_once(world, ems):
    body = signed_event(world.zhangsan)
    assert send(ems, body) == (200, {"status": "applied", "key": body["key"]})
    ReportedDestination.objects.filter(graduate=world.zhangsan).update(position="EMS 已有的数据")
    assert send(ems, body) == (200, {"status": "already_applied", "key": body["key"]})
    assert AppliedEvent.objects.filter(idempotency_key=body["key"]).count() == 1
    assert ReportedDestination.objects.get(graduate=world.zhangsan).position == "EMS 已有的数据"


def test_same_key_other_content_is_a_conflict(world, ems, caplog):
    body = signed_event(world.zhangsan)
    assert send(ems, body)[0] == 200
    status, answer = send(ems, signed_event(world.zhangsan, position="总经理"))
    assert (status, answer["code"], answer["key"]) == (409, "conflict", body["key"])
    assert "幂等键 signing:7:signed 已用于内容不同的事件" in answer["detail"]
    assert ReportedDestination.objects.get(graduate=world.zhangsan).position == "软件工程师"
    assert AppliedEvent.objects.filter(idempotency_key=body["key"]).count() == 1
    assert any("other content" in r.getMessage() for r in caplog.records if r.name == "gradreg.ems.sync")
    other_topic = {**body, "topic": "ems.signing_terminated"}
    assert send(ems, other_topic)[0] == 409


def test_unknown_topic_or_bad_event_is_422(world, ems):
    base = signed_event(world.zhangsan)
    for topic in ("ems.no_such_topic", "nowhere.signing_completed"):
        status, answer = send(ems, {**base, "topic": topic})
        assert (status, answer["code"]) == (422, "unknown_topic")
        assert topic in answer["detail"]
    cases = [
        (b"not json", "请求体不是有效的 UTF-8 JSON"),
        (b"[1, 2]", "请求体应为 JSON 对象"),
        ({**base, "key": "k" * 300}, "key 应为 1–120 个字符的文本"),
        ({**base, "key": 7}, "key 应为 1–120 个字符的文本"),
        ({**base, "topic": None}, "topic 应为 1–60 个字符的文本"),
        ({**base, "payload": "x"}, "payload 应为 JSON 对象"),
        ({**base, "payload": {**base["payload"], "graduate_id": 10**9}}, "就业管理系统名单中没有该毕业生"),
        ({**base, "payload": {"graduate_id": world.zhangsan.pk}}, "事件内容不完整或类型不正确"),
    ]
    for body, message in cases:
        status, answer = send(ems, body)
        assert status == 422 and message in answer["detail"], (body, answer)
    status, answer = send(ems, {**base, "payload": {**base["payload"], "position": "软件\x00工程师"}})
    assert status == 400 and "NUL" in answer
    assert not AppliedEvent.objects.exists()


def test_an_approval_reaches_ems_over_http_exactly_once(world, ems):
    """End to end: an approval's outbox event, first undeliverable, goes by `deliver_pending` to EMS once."""
    with override_settings(EMS_URL="http://127.0.0.1:9/ems/inbound/events"):  # EMS down when it commits
        change = ems_services.training_mode_change_request(
            actor=world.wang, graduate_id=world.zhangsan.pk, to_mode="22", directed_unit="广州市某局",
            reason="定向录取")
        ems_services.training_mode_change_act(actor=world.qian, change_id=change.pk, action="submit")
        ems_services.training_mode_change_act(actor=world.zhou, change_id=change.pk, action="approve")
    event = OutboxEvent.objects.get(topic="ems.training_mode_changed")
    assert event.status == OutboxEvent.Status.PENDING and not AppliedEvent.objects.exists()
    later = timezone.now() + timedelta(hours=2)
    assert outbox.deliver_pending(now=later) == {"sent": 1, "failed": 0, "held": 0}
    event.refresh_from_db()
    assert (event.status, event.last_error) == (OutboxEvent.Status.SENT, "")
    applied = AppliedEvent.objects.get(idempotency_key=f"training_mode_change:{change.pk}:approved")
    assert applied.school_id == world.zhangsan.school_id and len(applied.payload_hash) == 64
    # a redelivery (the row was not marked sent) is answered 200 and applied no second time
    OutboxEvent.objects.filter(pk=event.pk).update(status=OutboxEvent.Status.PENDING)
    assert outbox.deliver_pending(now=later)["sent"] == 1
    assert AppliedEvent.objects.filter(idempotency_key=applied.idempotency_key).count() == 1


def test_the_protocol_doc_example_is_what_the_code_computes():
    text = DOC.read_text(encoding="utf-8")
    body = re.search(r"```json\n(\{\"topic\".*?)\n```", text, re.S).group(1).encode("utf-8")
    key = re.search(r"示例密钥：`([^`]+)`", text).group(1)
    values = dict(re.findall(r"^(X-Gradreg-[A-Za-z]+): (\S+)$", text, re.M))
    expected = signed_headers(values["X-Gradreg-Client"], key, "POST", PATH, body,
                              now=int(values["X-Gradreg-Timestamp"]), nonce=values["X-Gradreg-Nonce"])
    assert values == expected
    for topic in HANDLERS:
        assert f"`{topic}`" in text, topic


def test_client_keys_from_the_environment():
    assert parse_keys("a:1, b:2") == {"a": "1", "b": "2"}
    assert parse_keys("") == {}
    with pytest.raises(ValueError, match="expected id:key"):
        parse_keys("a:1,b")
