"""The login page, the module page, and the 5-failure lockout."""
from __future__ import annotations

import datetime as dt
import logging

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog
from django.utils import timezone

from tests import factories as f

from .helpers import form_errors, web_login

pytestmark = pytest.mark.django_db


def test_successful_login_goes_to_the_module_page(client, world):
    r = web_login(client, "wang")
    assert r.status_code == 302 and r.url == "/modules/"
    assert client.get("/modules/").status_code == 200


def test_login_honours_a_local_next_but_not_a_foreign_one(client, world):
    r = client.post("/login/?next=/roster/", {"username": "wang", "password": f.PASSWORD, "next": "/roster/"})
    assert r.url == "/roster/"
    client.logout()
    r = client.post("/login/", {"username": "wang", "password": f.PASSWORD, "next": "https://evil.example/"})
    assert r.url == "/modules/"


def test_wrong_password_and_empty_form_say_so_in_chinese(client, world):
    r = web_login(client, "wang", "not-the-password")
    assert r.status_code == 200
    assert "用户名或密码错误。连续失败5次，账号将被锁定30分钟。" in r.content.decode()
    r = client.post("/login/", {})
    assert r.status_code == 200 and set(form_errors(r)) == {"username", "password"}
    assert "这个字段是必填项。" in r.content.decode()


def test_department_user_modules(client, world):
    client.force_login(world.wang)
    page = client.get("/modules/").content.decode()
    assert "毕业去向登记与网签" in page and "档案信息管理" in page
    assert "就业管理系统" in page  # department users work in EMS within their department (seed 7)
    assert "账号管理" not in page and "培养方式修改审核" not in page
    assert "户档转递与核验信息" in page and "该模块尚未开通" not in page  # every module is built now


def test_school_user_modules(client, world):
    client.force_login(world.qian)
    page = client.get("/modules/").content.decode()
    assert "就业管理系统" in page and "账号管理" in page and "毕业去向登记与网签" in page


def test_province_graduate_and_operator_modules(client, world):
    client.force_login(world.zhou)
    page = client.get("/modules/").content.decode()
    assert "培养方式修改审核" in page and "毕业去向登记与网签" not in page and "就业管理系统" not in page
    client.force_login(world.u_zhangsan)
    page = client.get("/modules/").content.decode()
    assert "毕业去向登记与网签" in page and "就业管理系统" not in page and "账号管理" not in page
    client.force_login(world.operator)
    page = client.get("/modules/").content.decode()
    assert "账号管理" in page and "毕业去向登记与网签" not in page


@pytest.fixture
def axes_log():
    """Records of the axes loggers (they do not propagate to the root logger caplog listens on)."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Keep(level=logging.INFO)
    logger = logging.getLogger("axes")
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


def test_five_failures_lock_the_account_for_thirty_minutes(client, world, axes_log):
    with time_machine.travel(timezone.now(), tick=False) as t:
        for i in range(4):
            r = web_login(client, "wang", f"wrong-{i}-password")
            assert r.status_code == 200
        r = web_login(client, "wang", "wrong-4-password")
        assert r.status_code == 429 and "账号已锁定" in r.content.decode()

        # even the right password is refused while locked
        r = web_login(client, "wang")
        assert r.status_code == 429 and "账号已锁定" in r.content.decode()
        assert "_auth_user_id" not in client.session

        # the lock is the account's, not the address's: a colleague on the same network signs in
        assert web_login(client.__class__(), "zhao").url == "/modules/"

        t.shift(dt.timedelta(minutes=29))
        assert web_login(client, "wang").status_code == 429
        t.shift(dt.timedelta(minutes=2))
        r = web_login(client, "wang")
        assert r.status_code == 302 and r.url == "/modules/"

    # the failures are logged: who, from where, never the password
    attempt = AccessAttempt.objects.filter(username="wang").first()
    failures = AccessFailureLog.objects.filter(username="wang")
    assert failures.count() >= 5 and {x.ip_address for x in failures} == {"127.0.0.1"}
    assert attempt is None or "wrong-" not in attempt.post_data  # reset on success
    messages = [r.getMessage() for r in axes_log]
    assert any("Locking out" in m and "wang" in m and "127.0.0.1" in m for m in messages)
    assert sum("login failure" in m for m in messages) >= 5
    assert not any("wrong-" in m or f.PASSWORD in m for m in messages)


def test_failure_record_keeps_no_password(client, world):
    web_login(client, "wang", "secret-guess-123")
    attempt = AccessAttempt.objects.get(username="wang")
    assert attempt.failures_since_start == 1 and attempt.ip_address == "127.0.0.1"
    assert "secret-guess-123" not in attempt.post_data


def test_unknown_usernames_are_counted_too(client, db):
    for _ in range(5):
        web_login(client, "nobody", "whatever-123")
    assert web_login(client, "nobody", "whatever-123").status_code == 429


def test_one_address_trying_many_usernames_is_throttled(client, world):
    """Guards the address lock: 25 usernames from one address are not tried freely; after 20 failures the
    address is refused (even with a right password), while another address still signs in."""
    answers = [web_login(client, f"guess{i}", "whatever-123").status_code for i in range(25)]
    assert answers[:20] == [200] * 20 and set(answers[20:]) == {429}
    r = web_login(client, "wang")
    assert r.status_code == 429 and "_auth_user_id" not in client.session
    assert client.post("/login/", {"username": "wang", "password": f.PASSWORD}, REMOTE_ADDR="10.1.2.3").url == "/modules/"


def test_a_stranger_elsewhere_cannot_lock_a_known_account(client, world):
    """Guards the account lock's scope: five failures for wang from another address lock that address out of
    wang, not wang's owner at their own address."""
    for i in range(5):
        client.post("/login/", {"username": "wang", "password": f"wrong-{i}"}, REMOTE_ADDR="10.9.9.9")
    assert client.post("/login/", {"username": "wang", "password": f.PASSWORD}, REMOTE_ADDR="10.9.9.9").status_code == 429
    assert client.__class__().post("/login/", {"username": "wang", "password": f.PASSWORD}).url == "/modules/"


def test_nul_or_overlong_username_at_login_is_a_400(client, world):
    """Guards the edge rule at login: PostgreSQL refused a NUL and axes' log a username over 255 characters (500)."""
    for username in ("wa\x00ng", "w" * 300):
        r = client.post("/login/", {"username": username, "password": "x"})
        assert r.status_code == 400 and "提示" in r.content.decode()
