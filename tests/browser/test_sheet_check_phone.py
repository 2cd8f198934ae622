"""A receiving agency's clerk, not logged in, on a phone: from the login page's public services to
档案转递信息在线核验, by 姓名 + 转递编号; then the 户口登记信息表's QR code, read off the page and opened."""
from __future__ import annotations

import io

import pytest
import zxingcpp
from django.urls import reverse
from PIL import Image

from gradreg.verification import codeformat
from tests.verification.sheet_helpers import grant, transfer_code
from tests.verification.test_confirmation import report

from .conftest import fits_phone, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_anonymous_visitor_verifies_by_name_and_code_and_by_the_qr_address(phone, world, live_server, settings):
    settings.PUBLIC_BASE_URL = live_server.url  # the QR code names this server
    g = world.zhangsan
    report(g)
    tc = transfer_code(g, "archive")
    vg = grant(g)

    phone.goto(reverse("accounts:login"))
    phone.get_by_role("link", name="档案转递信息在线核验").click()
    phone.get_by_role("heading", name="档案转递信息在线核验").wait_for()
    phone.fill("#id_name", "张三")
    phone.fill("#id_code", codeformat.grouped(codeformat.new_code()))
    phone.get_by_role("button", name="核验").click()
    phone.locator("#sheet-refused").wait_for()
    assert "无法核验" in phone.locator("#sheet-refused").inner_text()
    phone.fill("#id_name", "张三")
    phone.fill("#id_code", codeformat.grouped(tc.code).lower())
    phone.get_by_role("button", name="核验").click()
    phone.locator("#sheet-archive").wait_for()
    sheet = phone.locator("#sheet-archive")
    assert "档案登记信息表" in sheet.inner_text() and codeformat.grouped(tc.code) in sheet.inner_text()
    assert "某某科技有限公司" in sheet.inner_text() and g.id_number not in phone.content()
    fits_phone(phone)
    shot(phone, "sheet-check-name-code-phone")

    # the 户口 sheet by the 核验编号: its QR code, read from the page as a phone camera would, then opened
    phone.goto(reverse("verification:sheet_check", args=["hukou"]))
    phone.fill("#id_name", "张三")
    phone.fill("#id_code", vg.code)
    phone.get_by_role("button", name="核验").click()
    phone.locator("#sheet-hukou").wait_for()
    png = phone.locator("#sheet-hukou .sheet-qr").screenshot()
    read = [b.text for b in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]
    expected = live_server.url + reverse("verification:sheet_qr", args=["hukou", vg.qr_token])
    assert read == [expected]
    fresh = phone.context.new_page()  # a new tab, as the camera app opens it
    fresh.goto(read[0])
    fresh.locator("#sheet-hukou").wait_for()
    assert "户口登记信息表" in fresh.locator("#sheet-hukou").inner_text()
    assert codeformat.grouped(vg.code) in fresh.locator("#sheet-code").inner_text()
    fits_phone(fresh)
    shot(fresh, "sheet-check-qr-phone")
