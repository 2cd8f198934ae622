"""The load test (`make loadtest`): the generator's pieces, its login and CSRF handling against a live
server, and one short run of `manage.py loadtest` producing every line."""
from __future__ import annotations

import asyncio
import io
import json
from collections import Counter

import aiohttp
import pytest
from django.core.management import call_command
from multidict import CIMultiDict

from gradreg.accounts.models import Role
from gradreg.devtools import loadgen
from gradreg.devtools.loadgen import Account, Req
from gradreg.devtools.management.commands import loadtest
from gradreg.signing.models import Signing, SigningStatus
from gradreg.verification.models import LookupMethod, LookupOutcome, SheetLookup, TransferCode
from tests import factories as f

LINES = {"auth_const", "public_lookup_rps", "roster_list_rps", "roster_list_rps_deep", "signing_list_rps", "signing_list_rps_deep",
         "termination_list_rps", "termination_list_rps_deep", "destination_list_rps", "destination_list_rps_deep",
         "api_roster_rps", "api_signing_rps", "detail_rps",
         "approve_rps", "graduate_home_rps", "mixed_rps", "mixed_p95", "mixed_p99"}
KEYS = {"name", "value", "unit", "baseline", "ratio", "scale", "errors"}


def test_percentile_interpolates_between_ranks():
    values = [float(v) for v in range(1, 101)]  # 1..100
    assert loadgen.percentile(values, 50) == pytest.approx(50.5)
    assert loadgen.percentile(values, 95) == pytest.approx(95.05)
    assert loadgen.percentile(values, 100) == 100.0
    assert loadgen.percentile(list(reversed(values)), 0) == 1.0
    assert loadgen.percentile([7.0], 99) == 7.0
    assert loadgen.percentile([], 50) == 0.0


def test_json_line_has_bench_fields_and_errors():
    line = json.loads(loadgen.json_line(name="x_rps", value=50.04, unit="req/s", baseline=200.0, scale=10, errors=2))
    assert set(line) == KEYS
    assert line == {"name": "x_rps", "value": 50.04, "unit": "req/s", "baseline": 200.0, "ratio": 0.2502,
                    "scale": 10, "errors": 2}
    assert json.loads(loadgen.json_line(name="y", value=1, unit="", baseline=0, scale=0, errors=0))["ratio"] is None


def test_schedule_keeps_the_mix_in_every_hundred():
    kinds = loadtest.schedule()
    assert len(kinds) == 100
    assert Counter(kinds) == dict(loadtest.MIX)
    # writes are spread out, not bunched at one end
    approve = [k for k, kind in enumerate(kinds) if kind == "approve"]
    assert max(b - a for a, b in zip(approve, approve[1:])) <= 25


class _Answer:
    def __init__(self, *cookies: str):
        self.headers = CIMultiDict(("Set-Cookie", c) for c in cookies)


def test_account_keeps_secure_cookies_and_drops_deleted_ones():
    a = Account()
    a.remember(_Answer("sessionid=abc; HttpOnly; Path=/; SameSite=Lax; Secure",
                       "csrftoken=tok1; Path=/; SameSite=Lax; Secure"))
    assert a.cookies == {"sessionid": "abc", "csrftoken": "tok1"}
    a.remember(_Answer("csrftoken=tok2; Path=/; Secure"))
    a.token = "form-token"
    assert a.headers(post=True) == {"Cookie": "sessionid=abc; csrftoken=tok2", "X-CSRFToken": "form-token"}
    assert "X-CSRFToken" not in a.headers()
    a.remember(_Answer('sessionid=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/'))
    assert a.cookies == {"csrftoken": "tok2"}


def test_form_token_reads_either_attribute_order():
    assert loadgen.form_token('<input type="hidden" name="csrfmiddlewaretoken" value="t1">') == "t1"
    assert loadgen.form_token('<input value="t2" name="csrfmiddlewaretoken">') == "t2"
    assert loadgen.form_token("<p>no form</p>") is None


@pytest.mark.urls("gradreg.devtools.loadtest_urls")
@pytest.mark.django_db(transaction=True)
def test_login_form_session_and_csrf_against_a_live_server(live_server):
    school = f.school("10001", "示例大学", f.province())
    f.user("wang_load", Role.DEPARTMENT, school=school, department=f.department(school, "01", "计算机学院"))
    base = live_server.url
    const = loadtest.CONST

    async def run():
        async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
            account = await loadgen.login(http, base, "wang_load", f.PASSWORD)
            with pytest.raises(loadgen.LoadError):
                await loadgen.login(http, base, "wang_load", "wrong-password")
            async with http.get(base + const, headers=account.headers()) as r:
                user_body = await r.text()
            async with http.get(base + const) as r:
                anon_body = await r.text()
            # a POST without the token is refused, with it the logout goes through
            bare = Account(cookies=dict(account.cookies))
            async with http.post(base + "/logout/", headers=bare.headers(post=True), allow_redirects=False) as r:
                refused = r.status
            async with http.post(base + "/logout/", headers=account.headers(post=True), allow_redirects=False) as r:
                done = r.status
            account.remember(r)
            async with http.get(base + const, headers=account.headers()) as r:
                after = await r.text()
        return account, user_body, anon_body, refused, done, after

    account, user_body, anon_body, refused, done, after = asyncio.run(run())
    assert account.token and "sessionid" not in account.cookies  # the logout deleted it
    assert (user_body, anon_body) == ("ok:user", "ok:anonymous")
    assert (refused, done) == (403, 302)
    assert after == "ok:anonymous"

    stats = asyncio.run(loadgen.run_line(base, lambda k: Req(const, kind="c"), concurrency=3, seconds=5,
                                         max_requests=25, warmup_seconds=0.1))
    assert (stats.count, stats.errors) == (25, 0)
    assert stats.rps > 0 and 0 < stats.p(50) <= stats.p(95) <= stats.p(99)
    stats = asyncio.run(loadgen.run_line(base, lambda k: Req("/signing/1/act/", method="POST", kind="w"),
                                         concurrency=2, seconds=5, max_requests=4, warmup_seconds=0))
    assert stats.errors == 4 and stats.errors_by_kind == {"w": 4}  # 403 without a session or token


@pytest.mark.slow
@pytest.mark.urls("gradreg.devtools.loadtest_urls")
@pytest.mark.django_db(transaction=True)
def test_loadtest_command_prints_every_line_without_errors(live_server, settings):
    # as gradreg.devtools.loadtest_wsgi does for the load test's server: one address, one QR code, no 429s
    settings.SHEET_LOOKUPS_PER_ADDRESS = settings.SHEET_LOOKUPS_PER_CODE = 10**9
    call_command("seed_scale", graduates=400, destinations=True, stdout=io.StringIO(), stderr=io.StringIO())
    out, err = io.StringIO(), io.StringIO()
    opts = dict(url=live_server.url, concurrency=1, seconds=0.4, requests=12, warmup=0.1, levels="1",
                ramp_seconds=0.3, mixed_seconds=1.0, mixed_requests=200, approve_pool=30)
    call_command("loadtest", stdout=out, stderr=err, **opts)
    lines = [json.loads(x) for x in out.getvalue().splitlines()]
    assert {x["name"] for x in lines} == LINES, err.getvalue()
    for x in lines:
        assert set(x) == KEYS
        assert x["errors"] == 0, (x, err.getvalue())
        assert x["value"] > 0 and x["baseline"] > 0
    by = {x["name"]: x for x in lines}
    assert by["approve_rps"]["baseline"] == by["auth_const"]["value"]
    assert "QR address" in by["public_lookup_rps"]["unit"] and "anon_const" in by["public_lookup_rps"]["unit"]
    assert SheetLookup.objects.filter(outcome=LookupOutcome.SHOWN, method=LookupMethod.QR).exists()
    assert not SheetLookup.objects.exclude(outcome=LookupOutcome.SHOWN).exists()
    assert "terminations" in by["termination_list_rps_deep"]["unit"]
    assert "registrations" in by["destination_list_rps_deep"]["unit"]
    assert by["destination_list_rps"]["baseline"] > 0 and "status=wait_dept" in by["destination_list_rps"]["unit"]
    # the approvals really happened, in the load test's own school only
    moved = Signing.objects.filter(school__code="80101", status=SigningStatus.ONLINE_WAIT_SCHOOL).count()
    assert moved > 0
    # a second run tops the pools up and runs again
    call_command("loadtest", stdout=io.StringIO(), stderr=io.StringIO(), **opts)
    assert TransferCode.objects.filter(school__code="80101").count() == 1  # the look-up's code is made once
