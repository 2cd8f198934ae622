"""核验授权 as its users make it, in Chromium: on a phone the graduate confirms 确认无误, passes 实人认证 with the
code sent to their phone (read from the test sender) and gets the 核验编号 with the sheet; the department
reads the 档案信息核验列表 and 查询 without the code. Screenshots kept."""
from __future__ import annotations

import pytest

from gradreg.notifications.channels import MemorySender
from gradreg.verification import codeformat
from gradreg.verification.models import VerificationGrant
from tests.verification.grant_helpers import _empty_outbox, last_code  # noqa: F401
from tests.verification.test_confirmation import report

from .conftest import fits_phone, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_graduate_confirms_authenticates_and_gets_the_code_on_a_phone(open_as, world):
    report(world.zhangsan)
    grad = open_as("zhangsan", phone=True)
    grad.click("a:has-text('户档转递与核验信息')")
    grad.wait_for_selector("#grant-refusal:has-text('登记确认')")
    fits_phone(grad)
    shot(grad, "110-grad-grant-needs-confirmation")
    grad.click("#go-confirm")
    grad.wait_for_selector("#confirm-status:has-text('未确认')")
    grad.click("#confirm-ok")
    grad.wait_for_selector("#confirm-status:has-text('确认无误')")

    grad.goto("/handover/")
    grad.wait_for_selector("#send-form")
    fits_phone(grad)
    shot(grad, "111-grad-grant-steps")
    grad.click("#send-code")
    grad.wait_for_selector("#code-sent")
    assert MemorySender.outbox[-1]["to"] == world.zhangsan.phone
    grad.fill("#id_id_number", world.zhangsan.id_number)
    grad.fill("#id_code", "000000")
    grad.click("#authorise")
    grad.wait_for_selector("#code-errors:has-text('身份证号或验证码不正确')")
    fits_phone(grad)
    shot(grad, "112-grad-grant-wrong-code")
    grad.fill("#id_id_number", world.zhangsan.id_number)
    grad.fill("#id_code", last_code(world.zhangsan.phone))
    grad.click("#authorise")
    grad.wait_for_selector("#grant-status:has-text('生效中')")
    grant = VerificationGrant.objects.get(graduate=world.zhangsan)
    assert grad.inner_text("#grant-code") == codeformat.grouped(grant.code)
    assert grad.inner_text("#sheet-archive #sheet-code") == codeformat.grouped(grant.code)
    fits_phone(grad)
    shot(grad, "113-grad-grant-active")

    dept = open_as("wang")
    dept.goto("/handover/")
    dept.wait_for_selector("td:has-text('张三')")
    assert grant.code not in dept.content() and codeformat.grouped(grant.code) not in dept.content()
    shot(dept, "114-dept-grant-list")
    dept.click("#results a:has-text('查询')")
    dept.wait_for_selector("#sheet-no-code")
    assert codeformat.grouped(grant.code) not in dept.content()
    shot(dept, "115-dept-grant-preview")
