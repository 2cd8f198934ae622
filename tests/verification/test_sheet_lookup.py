"""The public look-up of a 去向登记信息表 (seed 6.3): the codes' format, both windows, the one 无法核验 answer for
every failure, the limits per address and per code, and the log."""
from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import DataError, connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from gradreg.ems.models import Graduate, ReportedDestination
from gradreg.verification import codeformat, lookup, windows
from gradreg.verification.models import LookupMethod, LookupOutcome, SheetLookup
from gradreg.verification.sheets import sheet_for
from tests.verification.sheet_helpers import grant, transfer_code
from tests.verification.test_confirmation import report

NC = LookupMethod.NAME_CODE


def at(day: dt.date, hour: int = 12):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.timezone(dt.timedelta(hours=8))),
                               tick=False)


# ---- the codes -------------------------------------------------------------------------------------------

def test_codes_are_16_crockford_characters_read_back_however_typed():
    codes = {codeformat.new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 16 and set(code) <= set(codeformat.ALPHABET)
        assert not set(code) & set("ILOU")
        assert codeformat.read(codeformat.grouped(code).lower()) == code
    assert codeformat.BITS == 80
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", codeformat.grouped("0123456789ABCDEF"))
    # the look-alikes read as Crockford says; anything else is no code at all
    assert codeformat.read("o1il 2345 6789 abcd") == "0111" + "23456789ABCD"
    assert codeformat.read("0123-4567-89AB-CDE") is None
    assert codeformat.read("0123-4567-89AB-CDEU") is None
    assert codeformat.read("x" * 300) is None
    assert codeformat.read(None) is None
    assert codeformat.read("0123\x004567") is None


def test_windows():
    assert windows.verify_code_until(dt.date(2027, 6, 30)) == dt.date(2027, 12, 30)
    assert windows.verify_code_until(dt.date(2027, 8, 31)) == dt.date(2028, 2, 29)
    assert windows.transfer_code_until(dt.date(2027, 6, 30)) == dt.date(2028, 3, 31)


# ---- the look-up -------------------------------------------------------------------------------------------

@pytest.fixture
def reported(world):
    report(world.zhangsan)
    return world.zhangsan


def test_name_and_verification_code_show_the_sheet_without_id_number_or_phone(reported):
    g = grant(reported)
    sheet = lookup.by_name_and_code("archive", name=reported.name, code=codeformat.grouped(g.code).lower(),
                                    ip="10.0.0.1", method=NC)
    assert sheet is not None and sheet.code == g.code and sheet.code_type == "verify"
    labels = [label for label, _ in sheet.basic]
    assert labels == ["姓名", "性别", "生源所在地", "毕业院校", "专业", "学历", "毕业时间"]
    assert dict(sheet.basic)["毕业时间"] == f"{reported.graduation_date:%Y%m}"
    flat = repr(sheet.content())
    assert reported.id_number not in flat and (not reported.phone or reported.phone not in flat)
    assert dict(sheet.destination)["单位名称"] == "某某科技有限公司"
    log = SheetLookup.objects.get()
    assert (log.outcome, log.graduate_id, log.code_type) == (LookupOutcome.SHOWN, reported.pk, "verify")
    assert g.code not in log.code_digest and log.code_digest == codeformat.digest(g.code)


def test_every_failure_gives_the_same_answer(reported):
    g = grant(reported)
    tc = transfer_code(reported, "archive")
    hukou = transfer_code(reported, "hukou")
    fails = [
        ("archive", "王五", g.code),  # wrong name
        ("archive", reported.name, codeformat.new_code()),  # wrong code
        ("archive", reported.name, "不是编号"),  # no code at all
        ("archive", reported.name, hukou.code),  # a 户口 sheet's 转递编号 on the 档案 page
    ]
    for kind, name, code in fails:
        assert lookup.by_name_and_code(kind, name=name, code=code, ip="10.0.0.2", method=NC) is None
    assert lookup.by_name_and_code("archive", name=reported.name, code=tc.code, ip="10.0.0.2", method=NC)
    tc.stale_at = timezone.now()
    tc.save()
    assert lookup.by_name_and_code("archive", name=reported.name, code=tc.code, ip="10.0.0.2", method=NC) is None
    g.ended_at = timezone.now()
    g.save()
    assert lookup.by_name_and_code("archive", name=reported.name, code=g.code, ip="10.0.0.2", method=NC) is None
    g.ended_at = None
    g.save()
    Graduate.objects.filter(pk=reported.pk).update(is_valid=False)  # 失效
    assert lookup.by_name_and_code("archive", name=reported.name, code=g.code, ip="10.0.0.2", method=NC) is None
    assert SheetLookup.objects.filter(outcome=LookupOutcome.REFUSED).count() == 7


def test_both_windows_and_the_grants_own_expiry(reported):
    end_v = windows.verify_code_until(reported.graduation_date)
    end_t = windows.transfer_code_until(reported.graduation_date)
    g = grant(reported, expires_at=timezone.make_aware(dt.datetime.combine(end_t, dt.time(23))))
    tc = transfer_code(reported)
    ask = lambda code: lookup.by_name_and_code("archive", name=reported.name, code=code, ip=None, method=NC)  # noqa: E731
    with at(end_v):
        assert ask(g.code) and ask(tc.code)
    with at(end_v + dt.timedelta(days=1)):
        assert ask(g.code) is None and ask(tc.code)
    with at(end_t + dt.timedelta(days=1)):
        assert ask(tc.code) is None
    g.expires_at = timezone.now() - dt.timedelta(seconds=1)
    g.save()
    with at(end_v - dt.timedelta(days=1)):
        assert ask(g.code) is None


def test_qr_address_resolves_to_its_own_sheet(client, reported):
    g = grant(reported)
    tc = transfer_code(reported, "archive")
    sheet = sheet_for(Graduate.objects.select_related("school", "major").get(pk=reported.pk), "archive")
    url = sheet.with_code("transfer", tc.code, tc.qr_token).qr_url
    path = url.split("://", 1)[1].split("/", 1)[1]
    r = client.get("/" + path)
    assert r.status_code == 200 and codeformat.grouped(tc.code) in r.content.decode()
    assert client.get(reverse("verification:sheet_qr", args=["hukou", tc.qr_token])).status_code == 404
    r = client.get(reverse("verification:sheet_qr", args=["hukou", g.qr_token]))
    assert r.status_code == 200 and "户口登记信息表" in r.content.decode()
    r = client.get(reverse("verification:sheet_qr", args=["archive", "nope"]))
    assert r.status_code == 404 and lookup.UNVERIFIABLE in r.content.decode()
    assert client.get(reverse("verification:sheet_qr", args=["other", g.qr_token])).status_code == 404


def test_the_page_answers_name_and_code_and_refuses_alike(client, reported):
    g = grant(reported)
    url = reverse("verification:sheet_check", args=["archive"])
    page = client.get(url).content.decode()
    assert "国办发〔2022〕13号" in page and "唯一官方" in page and "3月31日" in page
    r = client.post(url, {"name": reported.name, "code": g.code})
    assert r.status_code == 200 and "档案登记信息表" in r.content.decode() and reported.id_number not in r.content.decode()
    wrong_name = client.post(url, {"name": "某某", "code": g.code})
    wrong_code = client.post(url, {"name": reported.name, "code": codeformat.new_code()})
    assert wrong_name.status_code == wrong_code.status_code == 404
    assert lookup.UNVERIFIABLE_DETAIL in wrong_name.content.decode()
    r = client.post(url, {"name": "\x00" * 3, "code": "x" * 300})
    assert r.status_code == 400


@override_settings(SHEET_LOOKUPS_PER_ADDRESS=3, SHEET_LOOKUPS_PER_CODE=2)
def test_limits_per_address_and_per_code(reported):
    g = grant(reported)
    for _ in range(2):
        assert lookup.by_name_and_code("archive", name=reported.name, code=g.code, ip="10.9.0.1", method=NC)
    with pytest.raises(lookup.Throttled):  # the code's share, from a fresh address
        lookup.by_name_and_code("archive", name=reported.name, code=g.code, ip="10.9.0.2", method=NC)
    for _ in range(2):
        lookup.by_name_and_code("archive", name="x", code=codeformat.new_code(), ip="10.9.0.3", method=NC)
    lookup.by_name_and_code("archive", name="x", code=codeformat.new_code(), ip="10.9.0.3", method=NC)
    with pytest.raises(lookup.Throttled):  # the address's share
        lookup.by_name_and_code("archive", name="x", code=codeformat.new_code(), ip="10.9.0.3", method=NC)
    assert SheetLookup.objects.filter(outcome=LookupOutcome.THROTTLED).count() == 2


def test_a_kept_sheet_never_outlives_a_change_of_what_it_shows_or_of_the_code(reported):
    """The sheet is kept under a fingerprint of what it shows; the code's state is asked every time."""
    tc = transfer_code(reported)
    ask = lambda: lookup.by_qr("archive", tc.qr_token, ip="10.7.0.1", method=LookupMethod.QR)  # noqa: E731
    assert dict(ask().destination)["单位名称"] == "某某科技有限公司"
    assert dict(ask().destination)["单位名称"] == "某某科技有限公司"  # the kept one
    ReportedDestination.objects.filter(graduate=reported).update(employer_name="另一家公司")
    assert dict(ask().destination)["单位名称"] == "另一家公司"
    Graduate.objects.filter(pk=reported.pk).update(name="张三丰")
    assert dict(ask().basic)["姓名"] == "张三丰"
    tc.stale_at = timezone.now()
    tc.save()
    assert ask() is None


@pytest.mark.django_db(transaction=True)
def test_the_log_row_outside_a_transaction_commits_and_a_failed_one_leaves_the_connection_usable():
    """Outside a caller's transaction the row is written in one round trip on PostgreSQL (its commit does not
    wait for the disk); a refused row rolls back and the connection serves the next statement."""
    lookup.log_lookup("archive", LookupMethod.QR, "10.8.0.1", LookupOutcome.REFUSED, digest="d" * 64)
    row = SheetLookup.objects.get()
    assert (row.ip, row.method, row.outcome, row.graduate_id) == ("10.8.0.1", "qr", "refused", None)
    assert row.at is not None
    if connection.vendor == "postgresql":  # SQLite keeps an over-long value: nothing to refuse there
        with pytest.raises(DataError):
            lookup.log_lookup("archive", LookupMethod.QR, "10.8.0.1", "x" * 50, digest="d" * 64)
    lookup.log_lookup("hukou", LookupMethod.NAME_CODE, None, LookupOutcome.SHOWN)
    assert SheetLookup.objects.count() == 2
