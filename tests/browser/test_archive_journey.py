"""档案/户口信息 as their users make them, in Chromium: the graduate applies on a phone, the department
batch-reviews at a desk, the school approves; the hukou module on a phone; screenshots kept as artifacts."""
from __future__ import annotations

import pytest

from gradreg.archives.models import ApplicationStatus as S
from gradreg.archives.models import RecordState, TransferApplication, TransferRecord
from gradreg.ems.models import Graduate, ReportedTransfer
from gradreg.workflow.outbox import deliver_pending
from tests import factories as f

from .conftest import fits_phone, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_archive(pg, **over) -> None:
    values = {"#id_unit_name": "广州市天河区人才服务中心", "#id_address": "广州市天河区天河路1号",
              "#id_region": "440106", "#id_postcode": "510620", "#id_phone": "020-38888888", **over}
    pg.select_option("#id_transfer_type", label="转回生源地")
    for selector, value in values.items():
        pg.fill(selector, value)


def test_graduate_applies_on_a_phone_department_batch_reviews_school_approves(open_as, world):
    other = f.graduate(world.cs, world.cs_major, name="陈七")
    f.user("chenqi", "graduate", graduate=other, display_name="陈七")

    grad = open_as("zhangsan", phone=True)
    grad.goto("/archives/me/")
    grad.wait_for_selector("#record-state:has-text('未登记')")
    fits_phone(grad)
    shot(grad, "80-grad-archive-unregistered")
    grad.click("#apply")
    fill_archive(grad, **{"#id_region": "12345"})
    grad.click("button:has-text('提交')")  # a bad region: reported on its field, nothing created
    grad.wait_for_selector(".errors:has-text('行政区划代码')")
    fits_phone(grad)
    shot(grad, "81-grad-archive-form-errors")
    assert not TransferApplication.objects.exists()
    grad.fill("#id_region", "440106")
    grad.click("button:has-text('提交')")
    grad.wait_for_selector("#status:has-text('待院系审核')")
    fits_phone(grad)
    shot(grad, "82-grad-archive-submitted")
    # 修改申请 before any review
    grad.click("#amend")
    grad.fill("#id_address", "广州市天河区天河路2号")
    grad.click("button:has-text('提交')")
    grad.wait_for_selector(".flash li.success")
    assert TransferApplication.objects.get(graduate=world.zhangsan).address == "广州市天河区天河路2号"

    chen = open_as("chenqi", phone=True)
    chen.goto("/archives/me/apply/")
    fill_archive(chen, **{"#id_unit_name": "深圳市人才服务中心"})
    chen.click("button:has-text('提交')")
    chen.wait_for_selector("#status:has-text('待院系审核')")

    dept = open_as("wang")
    dept.goto("/archives/")
    dept.wait_for_selector("#wait-total:has-text('2')")
    shot(dept, "83-dept-archive-home")
    dept.goto("/archives/applications/")
    dept.wait_for_selector("text=陈七")
    shot(dept, "84-dept-archive-applications")
    for box in dept.locator("input[name=ids]").all():
        box.check()
    dept.select_option("#batch-action", "approve")
    dept.click("button:has-text('批量审核')")
    dept.wait_for_selector("text=成功 2 条")
    shot(dept, "85-dept-archive-batch-result")
    assert set(TransferApplication.objects.values_list("status", flat=True)) == {S.WAIT_SCHOOL}

    school = open_as("qian")
    item = TransferApplication.objects.get(graduate=world.zhangsan)
    school.goto(f"/archives/applications/{item.pk}/")
    school.wait_for_selector("#pending-info")
    shot(school, "86-school-archive-review")
    school.click("form.review-form button:has-text('审核通过')")
    school.wait_for_selector(".flash li.success")
    chen_item = TransferApplication.objects.get(graduate=other)
    school.goto(f"/archives/applications/{chen_item.pk}/")
    school.fill("#id_reason", "接收单位应为生源地人才服务中心")
    school.click("form.review-form button:has-text('审核不通过')")
    school.wait_for_selector(".flash li.success")
    assert TransferRecord.objects.get(graduate=world.zhangsan, kind="archive").state == RecordState.REGISTERED
    deliver_pending()
    assert ReportedTransfer.objects.get(graduate=world.zhangsan, kind="archive").unit_name == "广州市天河区人才服务中心"

    grad.goto("/archives/me/")
    grad.wait_for_selector("#record-state:has-text('已登记')")
    fits_phone(grad)
    shot(grad, "87-grad-archive-registered")
    chen.goto(f"/archives/me/applications/{chen_item.pk}/")
    chen.wait_for_selector("#reason:has-text('接收单位应为生源地人才服务中心')")
    fits_phone(chen)
    shot(chen, "88-grad-archive-rejected")

    school.goto("/archives/statistics/")
    school.wait_for_selector("#by-department")
    shot(school, "89-school-archive-statistics")


def test_hukou_module_on_a_phone_and_the_department_s_direct_registration(open_as, world):
    Graduate.objects.filter(pk=world.lisi.pk).update(hukou_moved_to_school=True)
    grad = open_as("zhangsan", phone=True)
    grad.goto("/hukou/me/")
    grad.wait_for_selector("#not-on-roster")  # 张三's 户口 is not at the school
    fits_phone(grad)
    shot(grad, "90-grad-hukou-not-on-roster")

    lisi = open_as("lisi", phone=True)
    lisi.goto("/hukou/me/apply/")
    lisi.select_option("#id_transfer_type", label="回原籍")
    lisi.fill("#id_address", "广州市天河区天河路1号")
    lisi.fill("#id_region", "440106")
    lisi.click("button:has-text('提交')")
    lisi.wait_for_selector("#status:has-text('待院系审核')")
    fits_phone(lisi)
    shot(lisi, "91-grad-hukou-submitted")

    dept = open_as("zhao")  # 外国语学院
    dept.goto(f"/hukou/info/{world.lisi.pk}/")
    dept.click("#edit-info")
    dept.select_option("#id_transfer_type", label="挂靠人才交流中心")
    dept.fill("#id_address", "广州市越秀区人才市场")
    dept.fill("#id_region", "440104")
    dept.click("button:has-text('保存')")
    dept.wait_for_selector("#record-state:has-text('已登记')")
    shot(dept, "92-dept-hukou-registered-directly")
    record = TransferRecord.objects.get(graduate=world.lisi, kind="hukou")
    assert record.source == "department" and record.region == "440104"

    # EMS holds the info too, editable there; the edit comes back to the platform
    deliver_pending()
    school = open_as("qian")
    school.goto("/ems/transfers/hukou/")
    school.wait_for_selector("text=广州市越秀区人才市场")
    shot(school, "97-school-ems-hukou-list")
    school.click(f"a[href$='/{world.lisi.pk}/']")
    school.fill("#id_address", "广州市越秀区人才市场二楼")
    school.click("button:has-text('保存')")
    school.wait_for_selector(".flash li.success")
    deliver_pending()
    record.refresh_from_db()
    assert record.address == "广州市越秀区人才市场二楼" and record.source == "ems"
    dept.goto(f"/hukou/info/{world.lisi.pk}/")
    dept.wait_for_selector("#registered-info:has-text('广州市越秀区人才市场二楼')")
    shot(dept, "98-dept-hukou-info-from-ems")


def test_department_quick_review_passes_exactly_the_matching_applications(open_as, world):
    from gradreg.archives import services
    from gradreg.ems.transfer_modules import ARCHIVE

    other = f.graduate(world.cs, world.cs_major, name="陈七")
    data = {"transfer_type": "1", "unit_name": "广州市天河区人才服务中心", "address": "广州市天河区天河路1号",
            "region": "440106"}
    services.submit(actor=world.u_zhangsan, module=ARCHIVE, data=data)  # 转回生源地, 440106 = 生源所在地
    services.submit(actor=f.user("chenqi", "graduate", graduate=other), module=ARCHIVE,
                    data={**data, "region": "440104"})  # another place: not for 快速审核
    dept = open_as("wang")
    dept.goto("/archives/applications/")
    dept.click("#quick-review")
    dept.wait_for_selector("#quick-count:has-text('将审核通过 1 条')")
    shot(dept, "93-dept-archive-quick-review")
    dept.click("button:has-text('确认快速审核')")
    dept.wait_for_selector(".flash li.success:has-text('审核通过 1 条')")
    statuses = dict(TransferApplication.objects.values_list("graduate__name", "status"))
    assert statuses == {"张三": S.WAIT_SCHOOL, "陈七": S.WAIT_DEPT}


def test_department_imports_a_file_with_errors_reads_the_report_fixes_it_and_imports(open_as, world, tmp_path):
    import io

    import openpyxl

    others = [f.graduate(world.cs, world.cs_major, name=name) for name in ("陈七", "周八")]
    graduates = [world.zhangsan, *others]

    def row(g, **over):
        values = {"region": "440106", **over}
        return [g.exam_no, over.get("name", g.name), g.id_number, "转回生源地", "广州市天河区人才服务中心",
                "广州市天河区天河路1号", values["region"], "510620", "人事档案科", "020-38888888"]

    def save(rows, name):
        dept.goto("/archives/info/")
        with dept.expect_download() as got:
            dept.click("text=下载批量导入模板")
        template = tmp_path / "模板.xlsx"
        got.value.save_as(template)
        wb = openpyxl.load_workbook(template)
        ws = wb.worksheets[0]
        for r, values in enumerate(rows, start=2):
            for c, value in enumerate(values, start=1):
                ws.cell(r, c, value)
        path = tmp_path / name
        wb.save(path)
        return path

    dept = open_as("wang")
    bad = save([row(graduates[0], region="999999"), [None] * 10, row(graduates[1], name="陈八"),
                row(graduates[2])], "有问题的档案信息.xlsx")
    dept.click("#import-actions a:text-is('批量导入')")
    dept.set_input_files("input[type=file]", str(bad))
    dept.click("button:has-text('上传并导入')")
    dept.wait_for_selector("text=校验未通过")
    shot(dept, "94-dept-archive-import-report")
    page = dept.content()
    assert "行政区划代码" in page and "空行" in page and "姓名" in page
    assert not TransferRecord.objects.exists()  # nothing written
    with dept.expect_download() as got:
        dept.click("text=下载问题清单")
    report = openpyxl.load_workbook(io.BytesIO(open(got.value.path(), "rb").read()))
    assert report.worksheets[0].max_row >= 4  # a header and a line per problem

    good = save([row(g) for g in graduates], "改正后的档案信息.xlsx")
    dept.goto("/archives/import/")
    dept.set_input_files("input[type=file]", str(good))
    dept.click("button:has-text('上传并导入')")
    dept.wait_for_selector("text=已导入")
    shot(dept, "95-dept-archive-import-done")
    assert TransferRecord.objects.filter(kind="archive", state=RecordState.REGISTERED, source="import").count() == 3
    dept.goto("/archives/info/?state=registered")
    dept.wait_for_selector("text=周八")
    shot(dept, "96-dept-archive-info-after-import")
