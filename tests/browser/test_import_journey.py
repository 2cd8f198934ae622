"""A school user uploads a roster with errors, reads the report, fixes the file and imports it."""
from __future__ import annotations

import datetime as dt
import io

import pytest
import xlsxwriter

from gradreg.common.ids import make_id_number
from gradreg.ems.importer import COLUMNS, SHEET_NAME
from gradreg.ems.models import Graduate
from tests import factories as f

from .conftest import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def row(n: int, **over) -> list:
    values = {
        "考生号": f"27440101{900000 + n:06d}", "学号": f"B2027{n:04d}", "姓名": f"新生{n}", "性别": "1",
        "身份证号": make_id_number("440106", dt.date(2004, 3, 1) + dt.timedelta(days=n), n), "民族": "01",
        "政治面貌": "03", "学历层次": "31", "院系代码": "01", "专业代码": "080901", "学制": "4", "培养方式": "1",
        "定向/委培单位": "", "生源所在地": "440106", "毕业年份": "2027", "毕业时间": "2027-06-30",
        "手机号码": f"139{n:08d}", "电子邮箱": f"new{n}@example.edu.cn", "户口是否迁入学校": "否",
    }
    values.update(over)
    return [values[c] for c in COLUMNS]


def xlsx(rows: list[list]) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet(SHEET_NAME)
    ws.write_row(0, 0, COLUMNS)
    for i, r in enumerate(rows, start=1):
        if r:
            ws.write_row(i, 0, r)
    wb.close()
    return buf.getvalue()


def test_school_uploads_a_roster_with_errors_then_a_clean_one(page, world, tmp_path):
    bad_id = row(2)[4][:-1] + ("0" if row(2)[4][-1] != "0" else "1")
    broken = xlsx([row(1), row(2, 身份证号=bad_id), [], row(3, 生源所在地="999999"), row(4)])
    (tmp_path / "名单-有错误.xlsx").write_bytes(broken)
    before = Graduate.objects.count()

    login(page, "qian", f.PASSWORD)
    page.wait_for_url("**/modules/")
    page.click("text=就业管理系统")
    page.click("nav.modnav >> text=毕业生名单上传")
    shot(page, "10-import-upload")
    page.set_input_files("input[type=file]", str(tmp_path / "名单-有错误.xlsx"))
    page.click("button:has-text('上传并校验')")
    page.wait_for_url("**/ems/import/*/")
    body = page.inner_text("main")
    assert "校验未通过" in body
    assert "身份证号校验位错误" in body
    assert "空行" in body
    assert "生源所在地" in body
    for n in ("3", "4", "5"):  # the rows, numbered as Excel numbers them
        assert page.locator(f"td:text-is('{n}')").count() >= 1
    shot(page, "11-import-report")
    assert Graduate.objects.count() == before  # nothing written

    (tmp_path / "名单.xlsx").write_bytes(xlsx([row(1), row(2), row(3), row(4)]))
    page.click("nav.modnav >> text=毕业生名单上传")
    page.set_input_files("input[type=file]", str(tmp_path / "名单.xlsx"))
    page.click("button:has-text('上传并校验')")
    page.wait_for_url("**/ems/import/*/")
    assert "新增 4 人" in page.inner_text("main")
    shot(page, "12-import-done")
    assert Graduate.objects.count() == before + 4
