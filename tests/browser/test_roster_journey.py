"""A department user logs in, opens 学生名单管理, filters, opens a graduate."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import factories as f

from .conftest import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_department_user_finds_a_graduate(page, world):
    for i in range(25):
        f.graduate(world.cs, world.cs_major, name=f"计科{i:02d}")
    login(page, "wang", f.PASSWORD)
    page.wait_for_url("**/modules/")
    assert page.get_by_text("毕业去向登记与网签").is_visible()
    assert page.get_by_text("户档转递与核验信息").first.is_visible()  # every module is built now
    shot(page, "01-modules")

    page.click("text=毕业去向登记与网签")
    page.click("nav.modnav >> text=学生名单管理")
    page.wait_for_url("**/roster/graduates/**")
    assert page.locator("tbody tr").count() == 20
    assert "共 26 条" in page.inner_text(".pager")
    assert "李四" not in page.content()  # another department
    shot(page, "02-roster-list")

    page.fill("#id_q", "张三")
    page.click("form.filters button[type=submit]")
    # the htmx swap (no eval under the CSP): 张三 is on page 1 too, so wait for the filtered table itself
    expect(page.locator("#results tbody tr")).to_have_count(1)
    row = page.locator("#results tbody tr").first
    assert "张三" in row.inner_text()
    assert "***" in row.inner_text()  # ID masked in the list
    shot(page, "03-roster-filtered")

    row.locator("text=详细").click()
    page.wait_for_url("**/roster/graduates/*/")
    assert world.zhangsan.id_number in page.content()
    assert page.get_by_role("heading", name="毕业生详细信息：张三").is_visible()
    shot(page, "04-graduate-detail")


def test_graduate_page_fits_a_phone(phone, world):
    login(phone, "zhangsan", f.PASSWORD)
    phone.wait_for_url("**/modules/")
    phone.click("text=毕业去向登记与网签")
    phone.wait_for_url("**/roster/")
    assert phone.get_by_role("heading", name="我的基本信息").is_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide on a 390px phone"
    shot(phone, "05-graduate-phone")
