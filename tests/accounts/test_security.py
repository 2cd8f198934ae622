"""The security baseline as seen from outside: headers, error pages, request size."""
from __future__ import annotations

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_signed_in_page_headers(client, world):
    client.force_login(world.wang)
    r = client.get("/modules/")
    assert r.status_code == 200
    assert r["Cache-Control"] == "no-store"
    csp = r["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe-inline" not in csp
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["X-Frame-Options"] == "DENY"
    assert r["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_http_only(client, world):
    from tests import factories as f

    r = client.post("/login/", {"username": "wang", "password": f.PASSWORD})
    cookie = r.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_pages_have_no_inline_script_or_style(client, world):
    client.force_login(world.qian)
    for path in ("/modules/", "/accounts/", "/accounts/new/", "/password/"):
        html = client.get(path).content.decode()
        assert "<style" not in html and " style=" not in html, path
        assert "<script>" not in html and "onclick=" not in html, path
    client.logout()
    for path in ("/login/", "/activate/"):
        html = client.get(path).content.decode()
        assert "<style" not in html and " style=" not in html and "<script>" not in html, path


@pytest.mark.parametrize("signed_in", [False, True])
def test_unknown_url_gives_the_chinese_404_page(client, world, signed_in):
    if signed_in:
        client.force_login(world.wang)
    r = client.get("/no/such/page/")
    assert r.status_code == 404
    html = r.content.decode()
    assert "页面不存在" in html
    assert "Traceback" not in html and "URLconf" not in html and "Page not found" not in html


def test_a_request_body_over_the_cap_is_refused(client, world):
    client.force_login(world.wang)
    too_big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    r = client.post("/password/", {"old_password": too_big, "new_password1": "a", "new_password2": "a"})
    assert r.status_code == 413 and "过大" in r.content.decode()  # a Chinese page, no longer Django's bare 400
    # anonymous pages too
    client.logout()
    r = client.post("/activate/", {"exam_no": too_big, "id_number": "1", "channel": "sms"})
    assert r.status_code == 413 and "过大" in r.content.decode()  # a Chinese page, no longer Django's bare 400


def test_too_many_fields_are_refused(client, db):
    data = {f"f{i}": "1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    r = client.post("/login/", data)
    assert r.status_code == 400


def test_logout_is_post_only(client, world):
    client.force_login(world.wang)
    assert client.get("/logout/").status_code == 405
    assert client.get("/modules/").status_code == 200
    r = client.post("/logout/")
    assert r.status_code == 302 and client.get("/modules/").status_code == 302


def test_csrf_is_enforced_on_login_and_activation(world):
    from django.test import Client

    from tests import factories as f

    c = Client(enforce_csrf_checks=True)
    assert c.post("/login/", {"username": "wang", "password": f.PASSWORD}).status_code == 403
    assert c.post("/activate/", {"exam_no": "1234", "id_number": "1", "channel": "sms"}).status_code == 403
