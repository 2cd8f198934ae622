"""培养方式修改 through the pages, the message centre and its badge."""
from __future__ import annotations

from gradreg.ems.models import TrainingModeChange
from gradreg.notifications.models import Message


def test_journey_through_the_pages(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.wang)
    r = client.post(f"/ems/training-mode/new/{world.zhangsan.pk}/",
                    {"to_mode": "22", "directed_unit": "广州市某局", "reason": "定向录取"})
    change = TrainingModeChange.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/ems/training-mode/{change.pk}/"
    page = client.get(r["Location"]).content.decode()
    assert "院系已申请,等待学校提交" in page and "申请修改" in page  # status label and timeline

    client.force_login(world.qian)
    assert "1</strong></a> 条待处理" in client.get("/roster/").content.decode()
    page = client.get(f"/ems/training-mode/{change.pk}/").content.decode()
    assert "提交省级审核" in page and "退回院系" in page
    client.post(f"/ems/training-mode/{change.pk}/submit/")

    client.force_login(world.zhou)
    assert "等待省级审核" in client.get("/ems/training-mode/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/ems/training-mode/{change.pk}/approve/", {"reason": "同意"})
    change.refresh_from_db()
    assert change.status == "approved"

    client.force_login(world.wang)
    body = client.get("/roster/").content.decode()
    assert 'aria-label="未读消息">1<' in body
    msg = Message.objects.get(recipient=world.wang)
    r = client.post(f"/messages/{msg.pk}/read/")
    assert r.status_code == 302 and r["Location"] == f"/ems/training-mode/{change.pk}/"
    assert 'aria-label="未读消息"' not in client.get("/roster/").content.decode()


def test_missing_reason_is_shown_not_a_500(client, world):
    change = TrainingModeChange.objects.create(
        graduate=world.zhangsan, school=world.school, department=world.cs, from_mode="1", to_mode="22",
        directed_unit="某局", reason="x", status="requested", created_by=world.wang,
    )
    client.force_login(world.qian)
    r = client.post(f"/ems/training-mode/{change.pk}/return/", {"reason": ""}, follow=True)
    assert r.status_code == 200 and "请填写原因" in r.content.decode()
    change.refresh_from_db()
    assert change.status == "requested"


def test_form_errors_by_field(client, world):
    client.force_login(world.wang)
    r = client.post(f"/ems/training-mode/new/{world.zhangsan.pk}/", {"to_mode": "21", "reason": "x"})
    assert r.status_code == 200
    assert "须填写定向/委培单位" in r.content.decode()
    assert TrainingModeChange.objects.count() == 0


def test_lists_are_scoped(client, world):
    TrainingModeChange.objects.create(
        graduate=world.zhangsan, school=world.school, department=world.cs, from_mode="1", to_mode="22",
        directed_unit="某局", reason="x", status="requested", created_by=world.wang,
    )
    for who, sees in [("wang", True), ("zhao", False), ("qian", True), ("sun", False), ("zhou", True),
                      ("beijing_official", False)]:
        client.force_login(getattr(world, who))
        assert ("张三" in client.get("/ems/training-mode/").content.decode()) is sees, who
    client.force_login(world.u_employer)
    assert client.get("/ems/training-mode/").status_code == 403


def test_messages_are_private(client, world):
    Message.objects.create(recipient=world.wang, title="给王老师的消息")
    msg = Message.objects.get()
    client.force_login(world.zhao)
    assert "给王老师的消息" not in client.get("/messages/").content.decode()
    client.post(f"/messages/{msg.pk}/read/")
    msg.refresh_from_db()
    assert msg.read_at is None
