"""转递编号 as the department makes it, in Chromium: 档案信息转递列表, 批量生成/重新生成转递编号, the filter, 查询
(the sheet with its code) and 批量下载; screenshots kept."""
from __future__ import annotations

import io

import openpyxl
import pytest

from gradreg.archives.services import write_record
from gradreg.ems.transfer_modules import ARCHIVE
from gradreg.verification import codeformat
from gradreg.verification.models import TransferCode
from tests import factories as f
from tests.archives.conftest import info
from tests.verification.test_confirmation import report

from .conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_department_generates_filters_opens_the_sheet_and_downloads(open_as, world):
    report(world.zhangsan)
    write_record(actor=world.wang, module=ARCHIVE, graduate_id=world.zhangsan.pk, data=info(ARCHIVE))
    others = [f.graduate(world.cs, world.cs_major) for _ in range(3)]
    for g in others:
        report(g, destination="未就业", employer_name="")
    dept = open_as("wang")
    dept.goto("/handover/transfers/archive/")
    dept.wait_for_selector("h1:has-text('档案信息转递列表')")
    dept.wait_for_selector("td:has-text('未生成')")
    shot(dept, "120-dept-transfer-list-none")
    dept.click("#generate")
    dept.wait_for_selector("text=新生成 4 个，重新生成 0 个")
    code = TransferCode.objects.get(graduate=world.zhangsan, kind="archive")
    dept.wait_for_selector(f"td:has-text('{codeformat.grouped(code.code)}')")
    shot(dept, "121-dept-transfer-list-generated")

    dept.fill("#id_q", world.zhangsan.name)
    dept.select_option("#id_status", "current")
    dept.click("form.filters button[type=submit]")
    dept.wait_for_function("document.querySelectorAll('#results tbody tr').length === 1")
    shot(dept, "122-dept-transfer-list-filtered")

    with dept.expect_download() as got:
        dept.click("a:has-text('批量下载')")
    rows = list(openpyxl.load_workbook(io.BytesIO(open(got.value.path(), "rb").read()), read_only=True)
                .active.iter_rows(values_only=True))
    assert len(rows) == 2 and codeformat.grouped(code.code) in rows[1] and "广州市天河区人才服务中心" in rows[1]

    dept.click("#results a:has-text('查询')")
    dept.wait_for_selector(f"#sheet-code:has-text('{codeformat.grouped(code.code)}')")
    dept.wait_for_selector("#sheet-transfer:has-text('档案转递信息')")
    shot(dept, "123-dept-transfer-sheet")
