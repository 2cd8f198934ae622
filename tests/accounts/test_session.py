"""Session limits: 30 minutes idle, 12 hours in all."""
from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from .helpers import web_login

pytestmark = pytest.mark.django_db

START = "2026-11-28 08:00 +0800"


def test_idle_for_31_minutes_ends_the_session(client, world):
    with time_machine.travel(START, tick=False) as t:
        assert web_login(client, "wang").url == "/modules/"
        assert client.get("/modules/").status_code == 200
        t.shift(dt.timedelta(minutes=29))
        assert client.get("/modules/").status_code == 200
        t.shift(dt.timedelta(minutes=31))
        r = client.get("/roster/graduates/?q=张 三")
        assert r.status_code == 302
        assert r.url.startswith("/login/?next=/roster/graduates/%3Fq%3D")
        page = client.get(r.url).content.decode()
        assert "登录已超时，请重新登录。" in page
        r = client.get("/modules/")
        assert r.status_code == 302 and r.url.startswith("/login/")


def test_activity_keeps_the_session_for_at_most_twelve_hours(client, world):
    with time_machine.travel(START, tick=False) as t:
        web_login(client, "wang")
        for _ in range(36):  # every 20 minutes up to exactly 12 hours
            t.shift(dt.timedelta(minutes=20))
            assert client.get("/modules/").status_code == 200
        t.shift(dt.timedelta(minutes=20))
        r = client.get("/modules/")
        assert r.status_code == 302 and r.url.startswith("/login/")
        # and signing in again starts a new 12 hours
        assert web_login(client, "wang").url == "/modules/"
        assert client.get("/modules/").status_code == 200


def test_requests_within_a_minute_do_not_rewrite_the_session(client, world):
    """Last-seen is written at most once a minute; the idle clock still holds."""
    with time_machine.travel(START, tick=False) as t:
        web_login(client, "wang")
        seen = client.session["_seen_at"]
        t.shift(30)
        client.get("/modules/")
        assert client.session["_seen_at"] == seen
        t.shift(40)
        client.get("/modules/")
        assert client.session["_seen_at"] > seen


def test_api_gets_json_when_the_session_expires(client, world):
    with time_machine.travel(START, tick=False) as t:
        web_login(client, "wang")
        t.shift(dt.timedelta(minutes=31))
        r = client.get("/api/v1/anything")
        assert r.status_code == 401 and r.json()["code"] == "session_expired"


def test_a_session_without_timestamps_gets_them(client, world):
    """A session opened some other way (force_login, the API) is timed from its first request."""
    with time_machine.travel(START, tick=False) as t:
        client.force_login(world.wang)
        assert client.get("/modules/").status_code == 200
        t.shift(dt.timedelta(minutes=31))
        assert client.get("/modules/").status_code == 302


def test_a_short_idle_timeout_keeps_an_active_user_signed_in(client, world, settings):
    """Guards the idle clock's precision: with a 30 s timeout, a request every 20 s is activity, not idleness
    (the last-seen time was written once a minute, so the second request found the user 40 s "idle")."""
    settings.SESSION_IDLE_TIMEOUT = 30
    with time_machine.travel(START, tick=False) as t:
        web_login(client, "wang")
        for _ in range(6):
            t.shift(20)
            assert client.get("/modules/").status_code == 200
        t.shift(31)
        assert client.get("/modules/").status_code == 302
