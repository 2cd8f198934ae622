"""Sessions and the signed-in user come from the cache; every change to the account shows on the next request."""
from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client

from gradreg.accounts.models import User
from gradreg.accounts.services import staff_user_set_active
from gradreg.accounts.usercache import invalidate_user
from gradreg.notifications.services import deliver, messages_mark_all_read
from tests.accounts.helpers import STRONG, web_login

pytestmark = pytest.mark.django_db


def signed_in(username: str) -> Client:
    client = Client()
    assert web_login(client, username).status_code == 302
    assert client.get("/modules/").status_code == 200  # the user and the session are now cached
    return client


def is_signed_in(client: Client) -> bool:
    r = client.get("/modules/")
    return r.status_code == 200


def test_a_signed_in_page_without_data_runs_no_query(world, django_assert_num_queries):
    wang = signed_in("wang")
    with django_assert_num_queries(0):
        r = wang.get("/modules/")
    assert r.status_code == 200 and "王老师" in r.content.decode()
    assert r["Cache-Control"] == "no-store" and "frame-ancestors 'none'" in r["Content-Security-Policy"]


def test_the_api_reads_no_session_or_user_row_either(world, django_assert_num_queries):
    wang = signed_in("wang")
    wang.get("/api/v1/me")
    # the three rows are the unit names the answer shows, none is the session or the user
    with django_assert_num_queries(3) as ctx:
        assert wang.get("/api/v1/me").json()["department"] == "计算机学院"
    tables = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "django_session" not in tables and "accounts_user" not in tables


def test_logout_ends_the_session_in_the_cache_and_the_database(world):
    wang = signed_in("wang")
    key = wang.session.session_key
    stolen = Client()
    stolen.cookies["sessionid"] = key
    assert is_signed_in(stolen)
    wang.post("/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    assert not is_signed_in(stolen)
    assert not is_signed_in(wang)


def test_the_session_outlives_a_cache_restart(world):
    wang = signed_in("wang")
    cache.clear()  # Redis restarted: it keeps nothing on disk
    assert is_signed_in(wang)


def test_a_password_change_ends_the_other_sessions_of_the_user(world):
    here, elsewhere = signed_in("wang"), signed_in("wang")
    r = here.post("/password/", {"old_password": "Test-pass-2026!", "new_password1": STRONG, "new_password2": STRONG})
    assert r.status_code == 302
    assert is_signed_in(here)
    assert not is_signed_in(elsewhere)
    assert web_login(Client(), "wang", STRONG).status_code == 302


def test_a_password_reset_by_the_level_above_ends_the_users_sessions(world):
    wang = signed_in("wang")
    qian = signed_in("qian")
    assert qian.post(f"/accounts/{world.wang.pk}/reset-password/").status_code in (200, 302)
    assert not is_signed_in(wang)


def test_a_disabled_account_is_anonymous_on_its_next_request(world):
    wang = signed_in("wang")
    staff_user_set_active(actor=world.qian, user_id=world.wang.pk, active=False)
    r = wang.get("/modules/")
    assert r.status_code == 302 and "/login/" in r["Location"]
    assert wang.get("/api/v1/me").status_code == 401


def test_a_new_unit_or_role_shows_on_the_next_request(world):
    wang = signed_in("wang")
    assert wang.get("/api/v1/me").json()["department"] == "计算机学院"
    user = User.objects.get(pk=world.wang.pk)
    user.department = world.fl
    user.save(update_fields=["department"])
    assert wang.get("/api/v1/me").json()["department"] == "外国语学院"
    user.role, user.department, user.school = "school", None, world.school
    user.save(update_fields=["role", "department", "school"])
    me = wang.get("/api/v1/me").json()
    assert me["role"] == "school" and me["department"] is None


def test_a_write_that_bypasses_save_must_invalidate(world):
    """`.update()` sends no signal: the cached user stays until `invalidate_user` (which such a write calls)."""
    wang = signed_in("wang")
    User.objects.filter(pk=world.wang.pk).update(display_name="王主任")
    assert "王老师" in wang.get("/modules/").content.decode()
    invalidate_user(world.wang.pk)
    assert "王主任" in wang.get("/modules/").content.decode()


def test_a_cached_user_serves_only_the_session_hash_it_was_stored_with(world):
    """Rolled-back tests reuse primary keys: another user with the same id and password never inherits an entry."""
    wang = signed_in("wang")
    session = wang.session
    session["_auth_user_hash"] = "0" * 64
    session.save()
    assert not is_signed_in(wang)  # a hash that matches no password ends the session, cached user or not


def test_the_unread_badge_follows_new_and_read_messages(world, django_assert_num_queries):
    wang = signed_in("wang")
    assert 'class="badge"' not in wang.get("/modules/").content.decode()
    deliver([{"recipient": world.wang, "title": "待审核", "body": "", "url_name": "accounts:modules", "url_args": []}])
    badge = '<span class="badge" aria-label="未读消息">1</span>'
    assert badge in wang.get("/modules/").content.decode()
    with django_assert_num_queries(0):  # counted once, then kept until a message arrives or is read
        assert badge in wang.get("/modules/").content.decode()
    messages_mark_all_read(actor=world.wang)
    assert 'class="badge"' not in wang.get("/modules/").content.decode()
