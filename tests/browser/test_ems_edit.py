"""EMS in Chromium: the school saves 修改基本信息 (the date input keeps 毕业时间), the department reaches EMS from any header."""
from __future__ import annotations

import datetime as dt

import pytest

from tests import factories as f

from .conftest import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_school_saves_basic_info_in_a_real_browser(page, world):
    """Guards: 毕业时间 came as 2027/06/30 into <input type="date">: shown empty, so saving failed as required."""
    g = world.zhangsan
    login(page, "qian", f.PASSWORD)
    page.wait_for_url("**/modules/")
    page.goto(f"/ems/graduates/{g.pk}/edit/")
    date_input = page.locator("#id_graduation_date")
    assert date_input.get_attribute("type") == "date"
    assert date_input.input_value() == g.graduation_date.isoformat()  # the browser accepted the value
    page.fill("#id_phone", "13912345678")
    shot(page, "ems-01-edit")
    page.click("form:has(#id_graduation_date) button[type=submit]")
    page.wait_for_url(f"**/roster/graduates/{g.pk}/")
    assert page.get_by_text("基本信息已更新。").is_visible()
    g.refresh_from_db()
    assert g.phone == "13912345678" and g.graduation_date == world.zhangsan.graduation_date

    page.goto(f"/ems/graduates/{g.pk}/edit/")
    page.fill("#id_graduation_date", "2027-07-01")
    page.click("form:has(#id_graduation_date) button[type=submit]")
    page.wait_for_url(f"**/roster/graduates/{g.pk}/")
    g.refresh_from_db()
    assert g.graduation_date == dt.date(2027, 7, 1)


def test_department_user_goes_to_ems_from_the_header(page, world):
    """Guards: no header offered 前往就业管理系统, and EMS refused department users."""
    login(page, "wang", f.PASSWORD)
    page.wait_for_url("**/modules/")
    page.goto("/signing/review/")
    page.click("header.topbar >> text=前往就业管理系统")
    page.wait_for_url("**/ems/")
    rows = page.locator("table tbody tr")
    rows.filter(has_text="张三").wait_for()
    assert "李四" not in page.content()  # another department
    rows.filter(has_text="张三").get_by_text("查看").click()
    page.wait_for_url(f"**/ems/graduates/{world.zhangsan.pk}/")
    assert page.get_by_role("heading", name="毕业去向与签约信息").is_visible()
    shot(page, "ems-02-department-graduate")
