"""登记确认信息 as its users make it, in Chromium: the graduate checks what EMS holds on a phone and confirms
有误 with a description; the department reads it in 登记确认情况列表 and the detail; screenshots kept."""
from __future__ import annotations

import pytest

from gradreg.verification.models import Confirmation
from gradreg.verification.models import ConfirmationStatus as CS
from tests.verification.test_confirmation import report

from .conftest import fits_phone, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_graduate_confirms_wrong_on_a_phone_and_the_department_reads_it(open_as, world):
    report(world.zhangsan)
    grad = open_as("zhangsan", phone=True)
    grad.click("a:has-text('登记确认信息')")
    grad.wait_for_selector("#confirm-status:has-text('未确认')")
    fits_phone(grad)
    shot(grad, "99-grad-confirmation-unconfirmed")
    grad.click("#confirm-wrong")  # no description: refused on its field
    grad.wait_for_selector("#description-errors:has-text('请填写有误的具体内容')")
    assert not Confirmation.objects.exists()
    grad.fill("#id_description", "单位名称应为某某科技集团有限公司")
    grad.click("#confirm-wrong")
    grad.wait_for_selector("#confirm-status:has-text('确认有误')")
    grad.wait_for_selector("#my-description:has-text('某某科技集团')")
    fits_phone(grad)
    shot(grad, "100-grad-confirmation-wrong")
    assert Confirmation.objects.get(graduate=world.zhangsan).status == CS.WRONG

    dept = open_as("wang")
    dept.goto("/confirmation/list/?status=wrong")
    dept.wait_for_selector("td:has-text('张三')")
    shot(dept, "101-dept-confirmation-list")
    dept.click("a:has-text('查看')")
    dept.wait_for_selector("#wrong-description:has-text('某某科技集团')")
    dept.wait_for_selector("#confirm-records:has-text('确认有误')")
    shot(dept, "102-dept-confirmation-detail")
    dept.goto("/confirmation/statistics/")
    dept.wait_for_selector("#by-source")
    shot(dept, "103-dept-confirmation-statistics")
