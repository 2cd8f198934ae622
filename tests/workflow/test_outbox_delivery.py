"""Outbox delivery to EMS: sent once, retried with backoff when EMS fails, in order per graduate."""
from __future__ import annotations

import datetime as dt
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from gradreg.ems import services as ems_services
from gradreg.ems.models import AppliedEvent, ReportedDestination, TrainingModeChange
from gradreg.workflow import outbox, tasks
from gradreg.workflow.models import OutboxEvent

S = OutboxEvent.Status
T0 = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def signed_event(graduate, signing_id=7) -> OutboxEvent:
    return OutboxEvent.objects.create(
        topic="ems.signing_completed", idempotency_key=f"signing:{signing_id}:signed",
        payload={"graduate_id": graduate.pk, "exam_no": graduate.exam_no, "source": "登记系统",
                 "destination": "签就业协议形式就业", "signing_id": signing_id, "agreement_no": "10001-2026-00007",
                 "employer_name": "某某科技有限公司", "credit_code": "91440101MA00000001", "employer_region": "440106",
                 "position": "软件工程师", "work_region": "440106", "graduate": {}},
    )


def terminated_event(graduate, signing_id=7, termination_id=1) -> OutboxEvent:
    return OutboxEvent.objects.create(
        topic="ems.signing_terminated", idempotency_key=f"termination:{termination_id}:terminated",
        payload={"graduate_id": graduate.pk, "exam_no": graduate.exam_no, "signing_id": signing_id,
                 "agreement_no": "10001-2026-00007", "source": "登记系统", "clear_employment": True},
    )


@pytest.fixture
def flaky(monkeypatch):
    """EMS refuses the events whose key is in `down`; the others go through the real local transport."""
    down: set[str] = set()
    real = outbox.local_transport

    def transport(event):
        if event.idempotency_key in down:
            raise ConnectionError("就业管理系统无响应")
        real(event)

    monkeypatch.setattr(outbox, "local_transport", transport)
    return down


def test_delivery_marks_sent_and_applies(world):
    event = signed_event(world.zhangsan)
    assert outbox.deliver_pending() == {"sent": 1, "failed": 0, "held": 0}
    event.refresh_from_db()
    assert (event.status, event.attempts, event.last_error) == (S.SENT, 1, "")
    assert event.sent_at is not None
    assert ReportedDestination.objects.get(graduate=world.zhangsan).signing_id == 7
    assert outbox.deliver_pending() == {"sent": 0, "failed": 0, "held": 0}


def test_delivering_twice_applies_once(world):
    """A crash after EMS applied the event but before the row was marked sent: it goes again, harmlessly."""
    event = signed_event(world.zhangsan)
    outbox.deliver_pending()
    ReportedDestination.objects.filter(graduate=world.zhangsan).update(position="EMS 已有的数据")
    OutboxEvent.objects.filter(pk=event.pk).update(status=S.PENDING, sent_at=None)
    assert outbox.deliver_pending()["sent"] == 1
    assert AppliedEvent.objects.filter(idempotency_key=event.idempotency_key).count() == 1
    assert ReportedDestination.objects.get(graduate=world.zhangsan).position == "EMS 已有的数据"
    event.refresh_from_db()
    assert event.status == S.SENT


def test_a_failure_is_kept_for_retry_and_others_still_go(world, flaky):
    flaky.add("signing:7:signed")
    with time_machine.travel(T0, tick=False):
        bad = signed_event(world.zhangsan, 7)
        good = signed_event(world.lisi, 8)
        assert outbox.deliver_pending() == {"sent": 1, "failed": 1, "held": 0}
    bad.refresh_from_db()
    good.refresh_from_db()
    assert (bad.status, bad.attempts, bad.sent_at) == (S.PENDING, 1, None)
    assert "ConnectionError" in bad.last_error and "就业管理系统无响应" in bad.last_error
    assert bad.available_at == T0 + dt.timedelta(seconds=30)
    assert good.status == S.SENT
    assert not AppliedEvent.objects.filter(idempotency_key=bad.idempotency_key).exists()


def test_backoff_doubles_up_to_an_hour(world, flaky):
    with time_machine.travel(T0, tick=False):
        event = signed_event(world.zhangsan)
    flaky.add(event.idempotency_key)
    now = T0
    waits = []
    for _ in range(9):
        with time_machine.travel(now, tick=False):
            assert outbox.deliver_pending()["failed"] == 1
            # not due again before its time
            with time_machine.travel(now + dt.timedelta(seconds=29), tick=False):
                assert outbox.deliver_pending() == {"sent": 0, "failed": 0, "held": 0}
        event.refresh_from_db()
        waits.append(int((event.available_at - now).total_seconds()))
        now = event.available_at
    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert event.attempts == 9 and event.status == S.PENDING
    # EMS is back: the next due pass delivers it
    flaky.clear()
    with time_machine.travel(now, tick=False):
        assert outbox.deliver_pending()["sent"] == 1
    event.refresh_from_db()
    assert (event.status, event.attempts) == (S.SENT, 10)


@override_settings(OUTBOX_MAX_ATTEMPTS=3)
def test_after_max_attempts_it_is_failed_and_can_be_requeued(world, flaky):
    event = signed_event(world.zhangsan)
    flaky.add(event.idempotency_key)
    for hours in range(3):
        outbox.deliver_pending(now=timezone.now() + dt.timedelta(hours=hours + 1))
    event.refresh_from_db()
    assert (event.status, event.attempts) == (S.FAILED, 3)
    assert outbox.deliver_pending(now=timezone.now() + dt.timedelta(days=1))["failed"] == 0
    flaky.clear()
    assert outbox.retry_failed() == 1
    assert outbox.deliver_pending()["sent"] == 1
    event.refresh_from_db()
    assert event.status == S.SENT


def test_a_graduates_events_keep_their_order(world, flaky):
    """A termination must not overtake the signing it ends, or EMS would keep a terminated job."""
    first = signed_event(world.zhangsan, 7)
    then = terminated_event(world.zhangsan, 7)
    other = signed_event(world.lisi, 9)
    flaky.add(first.idempotency_key)
    assert outbox.deliver_pending() == {"sent": 1, "failed": 1, "held": 1}
    then.refresh_from_db()
    assert (then.status, then.attempts) == (S.PENDING, 0)
    flaky.clear()
    later = timezone.now() + dt.timedelta(minutes=1)
    assert outbox.deliver_pending(now=later) == {"sent": 2, "failed": 0, "held": 0}
    assert not ReportedDestination.objects.filter(graduate=world.zhangsan).exists()
    other.refresh_from_db()
    assert other.status == S.SENT


def test_held_rows_do_not_starve_the_others(world, flaky):
    stuck = signed_event(world.zhangsan, 1)
    OutboxEvent.objects.filter(pk=stuck.pk).update(status=S.FAILED)
    for n in range(3):
        terminated_event(world.zhangsan, 1, termination_id=n)
    signed_event(world.lisi, 2)
    assert outbox.deliver_pending(limit=2) == {"sent": 1, "failed": 0, "held": 3}


def test_limit_bounds_one_pass(world):
    for n in range(3):
        OutboxEvent.objects.create(topic="ems.graduate_restored", idempotency_key=f"r:{n}", payload={"n": n})
    assert outbox.deliver_pending(limit=2)["sent"] == 2
    assert outbox.deliver_pending(limit=2)["sent"] == 1


def test_unknown_topic_fails_visibly(world):
    event = OutboxEvent.objects.create(topic="ems.nope", idempotency_key="nope:1", payload={})
    assert outbox.deliver_pending()["failed"] == 1
    event.refresh_from_db()
    assert event.status == S.PENDING and "UnknownTopic" in event.last_error


@pytest.mark.parametrize("conf", [{"EMS_TRANSPORT": "carrier-pigeon"}, {"EMS_TRANSPORT": "http", "EMS_URL": ""},
                                  {"EMS_TRANSPORT": "http", "EMS_URL": "file:///etc/passwd"}])
def test_bad_transport_setting_touches_no_row(world, conf):
    event = signed_event(world.zhangsan)
    with override_settings(**conf), pytest.raises(ImproperlyConfigured):
        outbox.deliver_pending()
    event.refresh_from_db()
    assert (event.status, event.attempts) == (S.PENDING, 0)


# ---- the http transport, against a small local server ----------------------------------------------

@pytest.fixture
def ems_server(monkeypatch):
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    state = SimpleNamespace(status=200, delay=0.0, location="", received=[])

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.received.append({"path": self.path, "headers": dict(self.headers), "body": json.loads(body)})
            time.sleep(state.delay)
            self.send_response(state.status)
            if state.location:
                self.send_header("Location", state.location)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}/ems/sync"
    with override_settings(EMS_TRANSPORT="http", EMS_URL=state.url, EMS_TIMEOUT_SECONDS=2):
        yield state
    server.shutdown()
    server.server_close()


def test_http_transport_posts_the_event(world, ems_server):
    event = signed_event(world.zhangsan)
    assert outbox.deliver_pending()["sent"] == 1
    (req,) = ems_server.received
    assert req["path"] == "/ems/sync"
    assert req["headers"]["Idempotency-Key"] == event.idempotency_key
    assert req["headers"]["Content-Type"].startswith("application/json")
    assert req["body"] == {"topic": event.topic, "key": event.idempotency_key, "payload": event.payload}
    event.refresh_from_db()
    assert event.status == S.SENT
    # the in-process EMS was not touched: the external one got it
    assert not AppliedEvent.objects.exists()


@pytest.mark.parametrize("status", [500, 404, 302])
def test_http_error_or_redirect_is_a_failure(world, ems_server, status):
    ems_server.status = status
    ems_server.location = ems_server.url + "/elsewhere" if status == 302 else ""
    event = signed_event(world.zhangsan)
    assert outbox.deliver_pending()["failed"] == 1
    event.refresh_from_db()
    assert (event.status, event.attempts) == (S.PENDING, 1)
    assert f"HTTP {status}" in event.last_error
    assert len(ems_server.received) == 1


def test_http_timeout_is_a_failure(world, ems_server):
    ems_server.delay = 0.5
    event = signed_event(world.zhangsan)
    with override_settings(EMS_TIMEOUT_SECONDS=0.1):
        assert outbox.deliver_pending()["failed"] == 1
    event.refresh_from_db()
    assert event.status == S.PENDING and "无法连接就业管理系统" in event.last_error


def test_http_unreachable_is_a_failure(world, ems_server):
    event = signed_event(world.zhangsan)
    with override_settings(EMS_URL="http://127.0.0.1:9/ems/sync"):
        assert outbox.deliver_pending()["failed"] == 1
    event.refresh_from_db()
    assert event.attempts == 1 and "无法连接就业管理系统" in event.last_error


# ---- scheduling: the engine delivers right after commit -----------------------------------------------

def approve_training_mode_change(world) -> TrainingModeChange:
    change = ems_services.training_mode_change_request(
        actor=world.wang, graduate_id=world.zhangsan.pk, to_mode="22", directed_unit="广州市某局", reason="定向录取"
    )
    ems_services.training_mode_change_act(actor=world.qian, change_id=change.pk, action="submit")
    ems_services.training_mode_change_act(actor=world.zhou, change_id=change.pk, action="approve")
    return change


def test_engine_delivers_on_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        change = approve_training_mode_change(world)
    event = OutboxEvent.objects.get(topic="ems.training_mode_changed")
    assert event.idempotency_key == f"training_mode_change:{change.pk}:approved"
    assert event.status == S.SENT
    assert AppliedEvent.objects.filter(idempotency_key=event.idempotency_key).exists()


def test_nothing_is_delivered_before_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        approve_training_mode_change(world)
    assert OutboxEvent.objects.get().status == S.PENDING
    assert tasks._enqueue in callbacks
    # only the approval wrote an event, so only it scheduled a delivery
    assert callbacks.count(tasks._enqueue) == 1


def test_restoring_a_graduate_delivers_on_commit(world, django_capture_on_commit_callbacks):
    ems_services.graduate_invalidate(actor=world.qian, graduate_id=world.zhangsan.pk)
    with django_capture_on_commit_callbacks(execute=True):
        ems_services.graduate_restore(actor=world.qian, graduate_id=world.zhangsan.pk)
    assert OutboxEvent.objects.get(topic="ems.graduate_restored").status == S.SENT


def test_a_broker_outage_never_breaks_the_request(world, django_capture_on_commit_callbacks, monkeypatch):
    logged = []

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("redis://127.0.0.1:6379 unreachable")

    monkeypatch.setattr(tasks.deliver_outbox, "apply_async", broker_down)
    monkeypatch.setattr(tasks.log, "exception", lambda msg, *a: logged.append(msg))
    with django_capture_on_commit_callbacks(execute=True):
        approve_training_mode_change(world)
    assert OutboxEvent.objects.get().status == S.PENDING
    assert logged
    # the periodic pass picks it up
    call_command("deliver_outbox")
    assert OutboxEvent.objects.get().status == S.SENT


def test_command_one_pass_and_requeue(world, flaky, capsys):
    event = signed_event(world.zhangsan)
    flaky.add(event.idempotency_key)
    call_command("deliver_outbox")
    assert "已投递：0，失败：1" in capsys.readouterr().out
    OutboxEvent.objects.filter(pk=event.pk).update(status=S.FAILED)
    flaky.clear()
    call_command("deliver_outbox", "--retry-failed")
    out = capsys.readouterr().out
    assert "重新排队：1" in out and "已投递：1" in out
