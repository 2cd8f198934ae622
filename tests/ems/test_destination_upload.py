"""毕业去向上传 (就业管理系统上传): all-or-nothing validation, the platform's read-only destinations, scope, the
template, and what the platform learns of it (登记确认 back to 未确认, counted under 就业管理系统上传)."""
from __future__ import annotations

import io

import pytest
import xlsxwriter
from django.urls import reverse
from python_calamine import CalamineWorkbook

from gradreg.common.errors import Forbidden
from gradreg.common.ids import make_credit_code
from gradreg.ems.destination_upload import COLUMNS, ITEM_TYPE, READ_ONLY, build_template, destination_upload
from gradreg.ems.models import DestinationSource, DestinationUpload, ReportedDestination
from gradreg.verification import confirmation as c
from gradreg.verification.models import ConfirmationStatus as CS
from gradreg.workflow.models import AuditEvent
from tests import factories as f
from tests.ems.test_import import upload_file, xlsx
from tests.workflow.harness import graduate_user

DONE, FAILED = DestinationUpload.Status.DONE, DestinationUpload.Status.FAILED


def row(g, **changes) -> dict[str, object]:
    values = {"考生号": g.exam_no, "姓名": g.name, "身份证号": g.id_number, "毕业去向代码": "10",
              "单位名称": "某某科技有限公司", "统一社会信用代码": make_credit_code(7), "单位所在地": "440106",
              "工作职位": "软件工程师"}
    values.update(changes)
    return values


def run(world, rows, actor=None) -> DestinationUpload:
    return destination_upload(actor=actor or world.qian, uploaded_file=upload_file(xlsx(rows, COLUMNS)))


def problems(up: DestinationUpload) -> set[tuple]:
    return {(e["row"], e["column"], e["message"]) for e in up.errors}


def test_a_clean_file_writes_each_destination_audited(world):
    up = run(world, [row(world.zhangsan), row(world.lisi, 工作职位="", 统一社会信用代码="")])
    assert up.status == DONE, up.errors
    assert (up.created_count, up.updated_count, up.unchanged_count) == (2, 0, 0)
    d = ReportedDestination.objects.get(graduate=world.zhangsan)
    assert (d.source, d.read_only, d.destination_code, d.destination, d.employer_region, d.position) == (
        DestinationSource.EMS_UPLOAD, False, "10", "签就业协议形式就业", "440106", "软件工程师")
    assert d.reported_at is not None and d.credit_code == make_credit_code(7)
    assert AuditEvent.objects.filter(item_type=ITEM_TYPE, item_id=d.pk, action="create").count() == 1
    # the same file again changes nothing; a changed one updates
    again = run(world, [row(world.zhangsan), row(world.lisi, 工作职位="", 统一社会信用代码="")])
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 2)
    changed = run(world, [row(world.zhangsan, 单位名称="另一家公司")])
    assert (changed.created_count, changed.updated_count) == (0, 1)
    assert ReportedDestination.objects.get(graduate=world.zhangsan).employer_name == "另一家公司"
    assert AuditEvent.objects.filter(item_type=ITEM_TYPE, item_id=d.pk, action="edit").count() == 1


def test_every_bad_row_is_reported_and_nothing_written(world):
    g = f.graduate(world.cs, world.cs_major)
    up = run(world, [
        row(world.zhangsan, 毕业去向代码="99"),                       # 2
        row(world.lisi, 姓名="李四四", 身份证号="110101199003070000"),  # 3
        None,                                                          # 4: blank row
        row(g, 单位所在地="999999", 统一社会信用代码="123"),          # 5
        row(world.zhangsan),                                           # 6: duplicate 考生号
        row(g, 单位名称="a\x00b", 工作职位="x" * 300),                   # 7
        row(g, 考生号="NOPE1"),                                         # 8: not on the roster
    ])
    assert up.status == FAILED
    got = problems(up)
    columns = {(r, col) for r, col, _ in got}
    assert (2, "毕业去向代码") in columns
    assert {(3, "姓名"), (3, "身份证号")} <= columns
    assert any(r == 4 for r, _, _ in got)
    assert {(5, "单位所在地"), (5, "统一社会信用代码")} <= columns
    assert any(r == 6 and col == "考生号" for r, col, _ in got)
    assert {(7, "工作职位"), (7, "单位名称")} <= columns
    assert (8, "考生号") in columns
    assert not ReportedDestination.objects.exists()
    assert AuditEvent.objects.filter(item_type=ITEM_TYPE).count() == 0


def test_a_destination_the_platform_reported_is_read_only(world):
    ReportedDestination.objects.create(graduate=world.zhangsan, school=world.school, source=DestinationSource.PLATFORM,
                                       destination="签就业协议形式就业", destination_code="10", read_only=True,
                                       employer_name="平台单位", reported_at="2027-06-01T00:00:00Z")
    up = run(world, [row(world.lisi), row(world.zhangsan, 单位名称="改过的单位")])
    assert up.status == FAILED
    assert problems(up) == {(3, "考生号", READ_ONLY)}
    assert ReportedDestination.objects.get(graduate=world.zhangsan).employer_name == "平台单位"
    assert not ReportedDestination.objects.filter(graduate=world.lisi).exists()


def test_scope(world):
    up = run(world, [row(world.wangwu)])  # 示例理工学院's graduate
    assert up.status == FAILED
    assert [e["column"] for e in up.errors] == ["考生号"] and "未找到" in up.errors[0]["message"]
    for actor in (world.u_zhangsan, world.u_employer, world.zhou):
        with pytest.raises(Forbidden):
            run(world, [row(world.zhangsan)], actor=actor)


def test_pages_and_scope_of_a_report(client, world):
    up = run(world, [row(world.zhangsan, 毕业去向代码="99")])
    client.force_login(world.qian)
    assert client.get(reverse("ems:destination_upload")).status_code == 200
    r = client.get(reverse("ems:destination_upload_report", args=[up.pk]))
    assert r.status_code == 200 and "毕业去向代码" in r.content.decode()
    r = client.get(reverse("ems:destination_upload_errors", args=[up.pk]))
    assert r.status_code == 200
    r = client.post(reverse("ems:destination_upload"), {"file": upload_file(xlsx([row(world.lisi)], COLUMNS))})
    assert r.status_code == 302
    assert ReportedDestination.objects.filter(graduate=world.lisi, source=DestinationSource.EMS_UPLOAD).exists()
    client.force_login(world.sun)
    assert client.get(reverse("ems:destination_upload_report", args=[up.pk])).status_code == 404
    client.force_login(world.u_employer)
    assert client.get(reverse("ems:destination_upload")).status_code == 403


def test_the_template(world, client):
    wb = CalamineWorkbook.from_filelike(io.BytesIO(build_template()))
    sheet = wb.get_sheet_by_index(0).to_python()
    assert tuple(sheet[0]) == COLUMNS
    notes = [r for r in wb.get_sheet_by_index(1).to_python()]
    assert any(r[0] == "10" and r[2] == "签就业协议形式就业" for r in notes)
    client.force_login(world.qian)
    r = client.get(reverse("ems:destination_upload_template"))
    assert r.status_code == 200 and r.content[:2] == b"PK"


def test_an_uploaded_destination_counts_under_its_source_and_resets_the_confirmation(world):
    run(world, [row(world.zhangsan)])
    c.confirm(actor=graduate_user(world.zhangsan), correct=True)
    by_source = {r["source"]: r["counts"] for r in c.statistics(world.qian)["by_source"]}
    assert by_source["ems_upload"] == [0, 0, 1, 0]  # 未上报, 未确认, 确认无误, 确认有误
    run(world, [row(world.zhangsan, 工作职位="架构师")])  # not an important field: stays 确认无误
    assert {r["source"]: r["counts"] for r in c.statistics(world.qian)["by_source"]}["ems_upload"] == [0, 0, 1, 0]
    run(world, [row(world.zhangsan, 单位名称="另一家公司")])
    by_source = {r["source"]: r["counts"] for r in c.statistics(world.qian)["by_source"]}
    assert by_source["ems_upload"] == [0, 1, 0, 0]
    assert c.overview(world.zhangsan).status == CS.UNCONFIRMED


def test_a_formula_cell_is_refused_not_evaluated(world):
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, COLUMNS)
    ws.write_row(1, 0, [str(v) for v in row(world.zhangsan).values()])
    ws.write_formula(1, 4, '="某某"&"公司"')
    wb.close()
    up = destination_upload(actor=world.qian, uploaded_file=upload_file(buf.getvalue()))
    assert up.status == FAILED
    assert [(e["row"], e["column"]) for e in up.errors] == [(2, "单位名称")] and "公式" in up.errors[0]["message"]
    assert not ReportedDestination.objects.exists()


def test_the_department_and_other_schools_are_refused(world):
    with pytest.raises(Forbidden):
        run(world, [row(world.zhangsan)], actor=world.wang)
    up = run(world, [row(world.zhangsan)], actor=world.sun)
    assert up.status == FAILED and "未找到" in up.errors[0]["message"]
