"""EMS 投递管理 in Chromium: the operator finds a failed event with its last error and discards it with a reason;
the school sees its own events without the actions."""
from __future__ import annotations

import pytest

from gradreg.workflow.models import AuditEvent, OutboxEvent
from tests import factories as f

from .conftest import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_operator_discards_a_failed_event_and_the_school_only_looks(page, world):
    event = OutboxEvent.objects.create(
        topic="ems.signing_completed", idempotency_key="signing:77:v1", payload={"graduate_id": world.zhangsan.pk},
        status=OutboxEvent.Status.FAILED, attempts=10, last_error="就业管理系统返回 HTTP 503",
        school_id=world.school.pk)
    login(page, "admin", f.PASSWORD)
    page.wait_for_url("**/modules/")
    page.goto("/ems/outbox/")
    row = page.locator("tr", has_text="signing:77:v1")
    assert row.get_by_text("就业管理系统返回 HTTP 503").is_visible()
    shot(page, "130-operator-outbox-failed")
    row.get_by_label("放弃原因").fill("该签约已在就业管理系统中人工补录")
    row.get_by_role("button", name="放弃").click()
    page.wait_for_url("**/ems/outbox/")
    shot(page, "131-operator-outbox-discarded")
    event.refresh_from_db()
    assert event.status == OutboxEvent.Status.DISCARDED
    audit = AuditEvent.objects.get(item_type="outbox_event", item_id=event.pk)
    assert audit.reason == "该签约已在就业管理系统中人工补录" and audit.actor_id == world.operator.pk
    assert page.get_by_text("没有投递失败的事件。").is_visible()

    page.context.clear_cookies()
    OutboxEvent.objects.filter(pk=event.pk).update(status=OutboxEvent.Status.FAILED)
    login(page, "qian", f.PASSWORD)
    page.wait_for_url("**/modules/")
    page.goto("/ems/outbox/")
    assert page.locator("tr", has_text="signing:77:v1").is_visible()
    assert page.get_by_role("button", name="放弃").count() == 0 and page.get_by_role("button", name="重试").count() == 0
    shot(page, "132-school-outbox-readonly")
