"""投递管理（运维）: failed events retried or discarded (with a reason, audited) from the operator's page, a
school's read-only view of its own events, and the operators' alert on a stale backlog or an event failed for good."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gradreg.common.errors import Invalid
from gradreg.notifications.models import Message
from gradreg.workflow import outbox
from gradreg.workflow.models import AuditEvent, OutboxEvent
from tests.conftest import login
from tests.workflow import test_outbox_after_outage as after_outage
from tests.workflow.test_outbox_delivery import signed_event, terminated_event

S = OutboxEvent.Status
ems = after_outage.ems  # the fixture: EMS fails while `down`, then applies through the real receiver


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def at_school(event, school):
    OutboxEvent.objects.filter(pk=event.pk).update(school_id=school.pk)
    event.refresh_from_db()
    return event


def fail_for_good(event, tries=3):
    """Deliver `event` `tries` times (OUTBOX_MAX_ATTEMPTS) while EMS is down, past each backoff."""
    at = timezone.now()
    for _ in range(tries):
        at += dt.timedelta(hours=2)
        outbox.deliver_pending(now=at)
    event.refresh_from_db()
    return event


def failed_at_two_schools(world):
    """Zhangsan's signing (示例大学) and Wangwu's (示例理工学院), both failed for good (OUTBOX_MAX_ATTEMPTS=1)."""
    mine = at_school(fail_for_good(signed_event(world.zhangsan, 7), tries=1), world.school)
    theirs = at_school(fail_for_good(signed_event(world.wangwu, 8), tries=1), world.other_school)
    return mine, theirs


@override_settings(OUTBOX_MAX_ATTEMPTS=3)
def test_failing_event_is_failed_after_n_tries_and_retry_from_the_page_delivers_it(client, world, ems):
    event = signed_event(world.zhangsan, 7)
    at = timezone.now()
    for n in (1, 2):
        at += dt.timedelta(hours=2)
        outbox.deliver_pending(now=at)
        event.refresh_from_db()
        assert event.status == S.PENDING and event.attempts == n
    at += dt.timedelta(hours=2)
    outbox.deliver_pending(now=at)
    event.refresh_from_db()
    assert event.status == S.FAILED and event.attempts == 3 and "就业管理系统无响应" in event.last_error
    login(client, world.operator)
    page = client.get(reverse("ems:outbox")).content.decode()
    assert "就业管理系统无响应" in page and event.idempotency_key in page and "重试" in page and "放弃" in page
    ems["down"] = False
    response = client.post(reverse("ems:outbox_retry", args=[event.pk]), follow=True)
    assert f"事件 {event.pk} 已重新投递成功" in response.content.decode()
    event.refresh_from_db()
    assert event.status == S.SENT and ems["seen"] == [event.idempotency_key]


@override_settings(OUTBOX_MAX_ATTEMPTS=1)
def test_retry_while_ems_is_still_down_says_so_and_retry_of_a_sent_event_is_refused(client, world, ems):
    event = fail_for_good(signed_event(world.zhangsan, 7), tries=1)
    login(client, world.operator)
    text = client.post(reverse("ems:outbox_retry", args=[event.pk]), follow=True).content.decode()
    assert "已重新排队，但尚未投递成功" in text
    ems["down"] = False
    outbox.deliver_now()
    text = client.post(reverse("ems:outbox_retry", args=[event.pk]), follow=True).content.decode()
    assert "只有投递失败的事件可以重试" in text
    assert client.post(reverse("ems:outbox_retry", args=[999999])).status_code == 404


@override_settings(OUTBOX_MAX_ATTEMPTS=1)
@pytest.mark.parametrize("reason, error", [
    ("", "请填写放弃投递的原因"), ("   ", "请填写放弃投递的原因"), ("x" * 501, "原因最多 500 个字符"),
    ("坏\x07原因", "控制字符"), ("坏\x00原因", "NUL"),
])
def test_discard_without_a_good_reason_is_refused_in_chinese(client, world, ems, reason, error):
    event = fail_for_good(signed_event(world.zhangsan, 7), tries=1)
    login(client, world.operator)
    response = client.post(reverse("ems:outbox_discard", args=[event.pk]), {"reason": reason}, follow=True)
    assert response.status_code in (200, 400) and error in response.content.decode()
    event.refresh_from_db()
    assert event.status == S.FAILED
    assert not AuditEvent.objects.filter(item_type="outbox_event").exists()


def test_discard_reason_of_a_wrong_type_is_refused(world):
    event = signed_event(world.zhangsan, 7)
    with pytest.raises(Invalid, match="请填写放弃投递的原因"):
        outbox.discard(event.pk, actor=world.operator, reason=["列表"])
    with pytest.raises(Invalid, match="请填写放弃投递的原因"):
        outbox.discard(event.pk, actor=world.operator, reason=None)


@override_settings(OUTBOX_MAX_ATTEMPTS=1)
def test_discard_records_who_and_why_and_the_event_is_never_delivered(client, world, ems):
    """Discarding lets the graduate's later events go: they no longer wait for it."""
    event = at_school(fail_for_good(signed_event(world.zhangsan, 7), tries=1), world.school)
    later = terminated_event(world.zhangsan, 7)
    login(client, world.operator)
    reason = "就业管理系统已手工录入该签约（" + "很" * 280 + "）"  # about 300 characters
    text = client.post(reverse("ems:outbox_discard", args=[event.pk]), {"reason": reason}, follow=True)
    assert f"事件 {event.pk} 已放弃投递" in text.content.decode()
    event.refresh_from_db()
    assert event.status == S.DISCARDED
    audit = AuditEvent.objects.get(item_type="outbox_event", item_id=event.pk)
    assert (audit.actor_id, audit.actor_name, audit.action, audit.reason) == (world.operator.pk, "管理员", "discard",
                                                                             reason)
    assert (audit.from_state, audit.to_state, audit.school_id) == ("failed", "discarded", world.school.pk)
    ems["down"] = False
    counts = outbox.deliver_now()
    assert counts["requeued"] == 0 and counts["sent"] == 1
    event.refresh_from_db()
    later.refresh_from_db()
    assert event.status == S.DISCARDED and later.status == S.SENT
    assert ems["seen"] == [later.idempotency_key]
    again = client.post(reverse("ems:outbox_discard", args=[event.pk]), {"reason": "再次"}, follow=True)
    assert "不能放弃投递" in again.content.decode()
    assert AuditEvent.objects.filter(item_type="outbox_event", item_id=event.pk).count() == 1


@override_settings(OUTBOX_MAX_ATTEMPTS=1)
def test_school_sees_only_its_own_events_read_only(client, world, ems):
    mine, theirs = failed_at_two_schools(world)
    OutboxEvent.objects.filter(pk=theirs.pk).update(topic="ems.other_topic")
    login(client, world.qian)
    page = client.get(reverse("ems:outbox")).content.decode()
    assert "（本校事件，只读）" in page
    assert mine.idempotency_key in page and theirs.idempotency_key not in page and "ems.other_topic" not in page
    assert "立即投递</button>" not in page and reverse("ems:outbox_retry", args=[mine.pk]) not in page
    login(client, world.sun)
    page = client.get(reverse("ems:outbox")).content.decode()
    assert theirs.idempotency_key in page and mine.idempotency_key not in page
    assert outbox.backlog(school_id=world.school.pk)["failed_count"] == 1
    assert outbox.failed_events(school_id=world.other_school.pk).count == 1


@override_settings(OUTBOX_MAX_ATTEMPTS=1)
@pytest.mark.parametrize("who", ["qian", "sun", "wang", "u_zhangsan", "zhou", "u_employer"])
def test_others_cannot_retry_discard_or_deliver_now(client, world, ems, who):
    event = at_school(fail_for_good(signed_event(world.zhangsan, 7), tries=1), world.school)
    ems["down"] = False
    login(client, getattr(world, who))
    assert client.post(reverse("ems:outbox_retry", args=[event.pk])).status_code == 403
    assert client.post(reverse("ems:outbox_discard", args=[event.pk]), {"reason": "不要了"}).status_code == 403
    assert client.post(reverse("ems:outbox_deliver_now")).status_code == 403
    if who not in ("qian", "sun"):
        assert client.get(reverse("ems:outbox")).status_code == 403
    event.refresh_from_db()
    assert event.status == S.FAILED and ems["seen"] == []
    assert not AuditEvent.objects.filter(item_type="outbox_event").exists()


@override_settings(OUTBOX_ALERT_AGE_MINUTES=30, OUTBOX_MAX_ATTEMPTS=1)
def test_alert_once_for_an_old_pending_event_and_once_for_a_failed_one(world, ems):
    event = signed_event(world.zhangsan, 7)
    assert outbox.alert_operators() == []  # young
    OutboxEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - dt.timedelta(minutes=31))
    assert outbox.alert_operators() == ["stale"]
    assert outbox.alert_operators() == []  # not again within the hour
    stale = Message.objects.get(recipient=world.operator)
    assert stale.title == "EMS 投递积压" and "31 分钟" in stale.body and stale.url_name == "ems:outbox"
    failing = signed_event(world.lisi, 8)
    OutboxEvent.objects.filter(pk=failing.pk).update(status=S.FAILED, attempts=1, last_error="ConnectionError")
    assert outbox.alert_operators() == ["failed"]
    assert outbox.alert_operators() == []
    assert list(Message.objects.filter(recipient=world.operator).order_by("id").values_list("title", flat=True)) == [
        "EMS 投递积压", "EMS 投递失败"]
    assert not Message.objects.exclude(recipient=world.operator).exists()  # operators only
    # an hour later: the stale backlog is reported again; the failed event already reported is not
    cache.delete("outbox-alert:stale")
    cache.delete("outbox-alert:failed")
    assert outbox.alert_operators() == ["stale"]


@override_settings(OUTBOX_MAX_ATTEMPTS=1)
def test_operator_page_queries_are_fixed_whatever_the_number_of_events(client, world, ems):
    login(client, world.operator)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("ems:outbox")).status_code == 200
        return len(ctx.captured_queries)

    for i in range(2):
        signed_event(world.zhangsan, 100 + i)
    outbox.deliver_pending()
    queries()  # the first request reads the session and the user; later ones find them cached
    few = queries()
    for i in range(30):
        e = signed_event(world.lisi, 200 + i)
        OutboxEvent.objects.filter(pk=e.pk).update(topic=f"ems.topic_{i % 5}", school_id=world.school.pk,
                                                   status=S.FAILED, attempts=1, last_error=f"错误 {i}")
    signed_event(world.wangwu, 999)
    assert OutboxEvent.objects.filter(status=S.FAILED).count() > 20
    assert queries() == few <= 4  # the backlog by topic, the failed events' COUNT and page, the unread count


def api_post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


@override_settings(OUTBOX_MAX_ATTEMPTS=1)
def test_api_lists_retries_and_discards_like_the_page(client, world, ems):
    first, second = failed_at_two_schools(world)
    login(client, world.operator)
    body = client.get("/api/v1/outbox").json()
    assert body["failed_count"] == body["count"] == 2 and body["topics"][0]["topic"] == "ems.signing_completed"
    assert {e["idempotency_key"] for e in body["failed"]} == {first.idempotency_key, second.idempotency_key}
    assert "就业管理系统无响应" in body["failed"][0]["last_error"]
    refused = api_post(client, f"/api/v1/outbox/{second.pk}/discard", {"reason": ""})
    assert refused.status_code == 400 and "请填写放弃投递的原因" in refused.json()["detail"]
    wrong = api_post(client, f"/api/v1/outbox/{second.pk}/discard", {"reason": ["x"]})
    assert wrong.status_code == 422 and "应为文本" in wrong.json()["detail"]
    nul = api_post(client, f"/api/v1/outbox/{second.pk}/discard", {"reason": "坏\x00原因"})
    assert nul.status_code == 400 and "控制字符" in nul.json()["detail"]
    assert api_post(client, f"/api/v1/outbox/{second.pk}/discard", {"reason": "EMS 已手工录入"}).json()["status"] == \
        "discarded"
    assert AuditEvent.objects.get(item_type="outbox_event", item_id=second.pk).reason == "EMS 已手工录入"
    ems["down"] = False
    retried = api_post(client, f"/api/v1/outbox/{first.pk}/retry", {})
    assert retried.status_code == 200 and retried.json()["status"] == "pending"
    assert outbox.deliver_pending()["sent"] == 1 and ems["seen"] == [first.idempotency_key]
    assert api_post(client, f"/api/v1/outbox/{first.pk}/retry", {}).status_code == 409
    assert api_post(client, "/api/v1/outbox/999999/retry", {}).status_code == 404


@override_settings(OUTBOX_MAX_ATTEMPTS=1)
def test_api_school_reads_its_own_events_only_and_others_are_refused(client, world, ems):
    mine, theirs = failed_at_two_schools(world)
    login(client, world.qian)
    body = client.get("/api/v1/outbox").json()
    assert [e["id"] for e in body["failed"]] == [mine.pk] and body["failed_count"] == 1
    assert api_post(client, f"/api/v1/outbox/{mine.pk}/retry", {}).status_code == 403
    assert api_post(client, f"/api/v1/outbox/{mine.pk}/discard", {"reason": "不要了"}).status_code == 403
    for who in ("wang", "u_zhangsan", "zhou", "u_employer"):
        login(client, getattr(world, who))
        assert client.get("/api/v1/outbox").status_code == 403
    mine.refresh_from_db()
    assert mine.status == S.FAILED
