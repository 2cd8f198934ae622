"""就业管理系统 毕业生名单上传: all-or-nothing validation, restoration by re-upload, the pages and their scope."""
from __future__ import annotations

import datetime as dt
import io
import time
from decimal import Decimal

import openpyxl
import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from python_calamine import CalamineWorkbook
from stdnum.cn import ric

from gradreg.common.errors import Conflict, DomainError, Forbidden
from gradreg.common.ids import make_id_number
from gradreg.ems import importer, services
from gradreg.ems.importer import COLUMNS, EXAMPLE_NAME, build_template, errors_workbook, roster_import
from gradreg.ems.models import Graduate, RosterImport
from gradreg.workflow.models import AuditEvent
from tests import factories as f

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def valid_id(birth: dt.date, seq: int, region: str = "440106") -> str:
    """A GB 11643 number with a correct check digit."""
    return make_id_number(region, birth, seq)


def row(n: int = 1, **changes) -> dict[str, object]:
    """One clean roster row of 示例大学 计算机学院; `changes` are keyed by Chinese column name."""
    values: dict[str, object] = {
        "考生号": f"27440199{n:06d}", "学号": f"S2027{n:05d}", "姓名": f"新生{n}", "性别": "1",
        "身份证号": valid_id(dt.date(2005, 1, 1) + dt.timedelta(days=n % 3000), n // 3000 * 2 + 1),
        "民族": "01", "政治面貌": "03", "学历层次": "31", "院系代码": "01", "专业代码": "080901", "学制": "4",
        "培养方式": "1", "定向/委培单位": "", "生源所在地": "440106", "毕业年份": "2027", "毕业时间": "2027-06-30",
        "手机号码": f"139{n:08d}", "电子邮箱": f"x{n}@example.edu.cn", "户口是否迁入学校": "否",
    }
    values.update(changes)
    return values


def xlsx(rows: list[dict | list | None], header: list[str] | tuple[str, ...] = COLUMNS) -> bytes:
    """A workbook with the header and the rows (None = a blank row; dict = by column name)."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, list(header))
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for r, values in enumerate(rows, start=1):
        if values is None:
            continue
        cells = [values.get(c, "") for c in header] if isinstance(values, dict) else values
        for c, v in enumerate(cells):
            if isinstance(v, dt.date):
                ws.write_datetime(r, c, dt.datetime.combine(v, dt.time()), date_fmt)
            elif isinstance(v, str):
                ws.write_string(r, c, v)
            else:
                ws.write(r, c, v)
    wb.close()
    return buf.getvalue()


def upload_file(content: bytes, name: str = "名单.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX)


def run(world, rows, **kw) -> RosterImport:
    return roster_import(actor=kw.pop("actor", world.qian), uploaded_file=upload_file(xlsx(rows)), **kw)


def problems(imp: RosterImport) -> list[tuple[int, str, str]]:
    return [(e["row"], e["column"], e["message"]) for e in imp.errors]


def assert_problem(imp: RosterImport, row_no: int, column: str, text: str) -> None:
    assert imp.status == RosterImport.Status.FAILED
    hits = [p for p in problems(imp) if p[0] == row_no and p[1] == column and text in p[2]]
    assert hits, problems(imp)


# --------------------------------------------------------------------------- clean imports


def test_clean_import_through_the_page(client, world):
    client.force_login(world.qian)
    page = client.get("/ems/import/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'type="file"' in html and "/ems/import/template.xlsx" in html and 'enctype="multipart/form-data"' in html
    before = Graduate.objects.count()
    content = xlsx([row(1), row(2, 性别="2", 院系代码="02", 专业代码="050201")])
    r = client.post("/ems/import/", {"file": upload_file(content)})
    assert r.status_code == 302
    imp = RosterImport.objects.get()
    assert r["Location"] == f"/ems/import/{imp.pk}/"
    assert (imp.status, imp.created_count, imp.total_rows, imp.file_name) == ("done", 2, 2, "名单.xlsx")
    assert Graduate.objects.count() == before + 2
    report = client.get(r["Location"])
    assert report.status_code == 200
    assert "已导入" in report.content.decode()
    g = Graduate.objects.get(exam_no="27440199000002")
    assert (g.school, g.department, g.major, g.gender) == (world.school, world.fl, world.fl_major, "2")


def test_clean_import_through_the_service(world):
    rows = [
        row(1),
        row(2, 培养方式="21", **{"定向/委培单位": "广东省某县人民政府", "户口是否迁入学校": "是"}),
        # an Excel date cell, numbers Excel keeps as numbers, and 民族 "1" whose leading zero Excel dropped
        row(3, 毕业时间=dt.date(2027, 7, 1), 学制=2.5, 毕业年份=2027, 民族=1, 手机号码=13912345678, 性别=2),
    ]
    imp = run(world, rows, ip="10.0.0.1")
    assert (imp.status, imp.created_count, imp.restored_count, imp.total_rows) == ("done", 3, 0, 3), imp.errors
    g1, g2, g3 = Graduate.objects.filter(exam_no__startswith="27440199").order_by("exam_no")
    assert g1.school == world.school and g1.is_valid and g1.id_number == row(1)["身份证号"]
    assert g1.graduation_date == dt.date(2027, 6, 30) and g1.schooling_years == Decimal("4.0")
    assert (g2.training_mode, g2.directed_unit, g2.hukou_moved_to_school) == ("21", "广东省某县人民政府", True)
    assert (g3.graduation_date, g3.schooling_years, g3.ethnicity, g3.phone, g3.gender) == (
        dt.date(2027, 7, 1), Decimal("2.5"), "01", "13912345678", "2",
    )
    event = AuditEvent.objects.get(item_type="roster_import", item_id=imp.pk)
    assert (event.action, event.action_label, event.actor_id) == ("import", "上传毕业生名单", world.qian.pk)
    assert event.data["created"] == 3 and event.data["restored"] == 0


def test_operator_imports_for_an_explicit_school(world):
    imp = run(world, [row(1)], actor=world.operator, school=world.school)
    assert imp.status == "done" and imp.school == world.school
    with pytest.raises(Forbidden):
        run(world, [row(2)], actor=world.operator)


# --------------------------------------------------------------------------- row problems


@pytest.mark.parametrize(
    "changes,column,text",
    [
        ({"身份证号": valid_id(dt.date(2005, 1, 1), 1)[:17] + "X"}, "身份证号", "校验位"),
        ({"身份证号": "44010620050230001" + ric.calc_check_digit("440106200502300010")}, "身份证号", "出生日期"),
        ({"身份证号": "4401062005010100"}, "身份证号", "18位"),
        ({"生源所在地": "449999"}, "生源所在地", "行政区划"),
        ({"生源所在地": "4401"}, "生源所在地", "6位"),
        ({"培养方式": "3"}, "培养方式", "培养方式代码“3”无效"),
        ({"培养方式": "21"}, "定向/委培单位", "须填写"),
        ({"培养方式": "42"}, "定向/委培单位", "须填写"),
        ({"定向/委培单位": "某单位"}, "定向/委培单位", "必须为空"),
        ({"性别": "3"}, "性别", "无效"),
        ({"民族": "99"}, "民族", "不在代码表"),
        ({"政治面貌": "xx"}, "政治面貌", "不在代码表"),
        ({"学历层次": "77"}, "学历层次", "不在代码表"),
        ({"院系代码": "09"}, "院系代码", "不是本校"),
        ({"专业代码": "080202"}, "专业代码", "不是本校"),  # 机械 is 示例理工学院's major
        ({"院系代码": "02"}, "专业代码", "不属于院系"),
        ({"学制": "9"}, "学制", "1到8"),
        ({"学制": "四年"}, "学制", "1到8"),
        ({"毕业年份": "27"}, "毕业年份", "4位"),
        ({"毕业年份": "1890"}, "毕业年份", "4位"),
        ({"毕业时间": "2027/06/30"}, "毕业时间", "YYYY-MM-DD"),
        ({"毕业时间": "2027-02-30"}, "毕业时间", "YYYY-MM-DD"),
        ({"毕业时间": "2026-06-30"}, "毕业时间", "毕业年份"),
        ({"手机号码": "12345"}, "手机号码", "11位"),
        ({"电子邮箱": "not-an-email"}, "电子邮箱", "格式"),
        ({"户口是否迁入学校": "Y"}, "户口是否迁入学校", "是"),
        ({"姓名": ""}, "姓名", "必填"),
        ({"考生号": ""}, "考生号", "必填"),
        ({"姓名": "=HYPERLINK(\"http://x\")"}, "姓名", "不能以"),
        ({"考生号": "27-44"}, "考生号", "数字和字母"),
        ({"身份证号": 440106200501010012}, "身份证号", "文本格式"),
        ({"姓名": EXAMPLE_NAME}, "姓名", "示例行"),
    ],
)
def test_bad_value_is_reported_and_nothing_is_written(world, changes, column, text):
    before = Graduate.objects.count()
    imp = run(world, [row(1), row(2, **changes)])
    assert_problem(imp, 3, column, text)
    assert all(e["row"] == 3 for e in imp.errors), imp.errors
    assert imp.total_rows == 2 and imp.created_count == 0
    assert Graduate.objects.count() == before


def test_every_problem_of_every_row_is_collected(world):
    imp = run(world, [row(1, 性别="9", 民族="99"), row(2), row(3, 学制="0", 生源所在地="000000")])
    assert [(p[0], p[1]) for p in problems(imp)] == [(2, "性别"), (2, "民族"), (4, "学制"), (4, "生源所在地")]


def test_blank_row_in_the_middle_is_an_error_and_trailing_blank_rows_are_ignored(world):
    before = Graduate.objects.count()
    imp = run(world, [row(1), None, row(2), None, None, None])
    assert problems(imp) == [(3, "", "空行：数据中间不能有空行，请删除该行")]
    assert imp.total_rows == 3
    assert Graduate.objects.count() == before
    # a row of spaces is blank too; blank rows after the data are not rows at all
    imp = run(world, [row(1), row(2), [" "] * 3, None, [""] * 5])
    assert imp.status == "done" and imp.total_rows == 2 and imp.created_count == 2


def test_content_outside_the_template_columns_is_reported(world):
    imp = run(world, [row(1), [*row(2).values(), "多余"]])
    assert problems(imp) == [(3, "第20列", "模板之外的列有内容，请删除")]


def test_duplicates_inside_the_file_report_both_rows(world):
    imp = run(world, [row(1), row(2, 考生号=row(1)["考生号"]), row(3), row(4, 身份证号=row(3)["身份证号"])])
    assert_problem(imp, 2, "考生号", "与第3行重复")
    assert_problem(imp, 3, "考生号", "与第2行重复")
    assert_problem(imp, 4, "身份证号", "与第5行重复")
    assert_problem(imp, 5, "身份证号", "与第4行重复")
    assert len(imp.errors) == 4


def test_same_id_number_in_different_graduation_years_is_not_a_duplicate(world):
    same = row(1)["身份证号"]
    imp = run(world, [row(1), row(2, 身份证号=same, 毕业年份="2026", 毕业时间="2026-06-30")])
    assert imp.status == "done", imp.errors


def test_duplicates_against_the_roster(world):
    # a valid graduate of this school (考生号) and of another school (身份证号), same 毕业年份
    other = f.graduate(world.me, world.me_major, id_number=row(8)["身份证号"])
    before = Graduate.objects.count()
    imp = run(world, [row(1), row(2, 考生号=world.zhangsan.exam_no), row(3, 身份证号=other.id_number)])
    assert_problem(imp, 3, "考生号", "2027届本校名单中已有该考生号")
    assert_problem(imp, 4, "身份证号", "2027届其他学校名单中已有该身份证号")
    assert len(imp.errors) == 2
    assert Graduate.objects.count() == before
    # another 毕业年份 is another roster
    imp = run(world, [row(2, 考生号=world.zhangsan.exam_no, 毕业年份="2026", 毕业时间="2026-06-30")])
    assert imp.status == "done", imp.errors


def test_a_row_taken_by_someone_else_meanwhile_is_a_conflict_and_writes_nothing(client, world, monkeypatch):
    # as if another upload wrote 张三's 考生号 between the roster check and the write
    monkeypatch.setattr(importer, "_roster_lookup", lambda rows, school_id: importer._Roster(school_id, {}, {}))
    before = Graduate.objects.count()
    with pytest.raises(Conflict, match="名单发生了变化"):
        run(world, [row(1), row(2, 考生号=world.zhangsan.exam_no), row(3)])
    assert Graduate.objects.count() == before and not RosterImport.objects.exists()
    assert "名单发生了变化" in _page_error(client, world, xlsx([row(2, 考生号=world.zhangsan.exam_no)]))


def test_too_many_errors_are_summarised(world, monkeypatch):
    monkeypatch.setattr(importer, "MAX_STORED_ERRORS", 5)
    imp = run(world, [row(n, 性别="9") for n in range(1, 9)])
    assert len(imp.errors) == 6 and imp.errors[-1]["row"] is None and "另有 3 个问题" in imp.errors[-1]["message"]


def test_too_many_rows_are_refused_before_validation(world, monkeypatch):
    monkeypatch.setattr(importer, "MAX_ROWS", 3)
    with pytest.raises(DomainError, match="最多 3 行"):
        run(world, [row(n) for n in range(1, 6)])


# --------------------------------------------------------------------------- file problems


def _page_error(client, world, content: bytes, name: str = "名单.xlsx") -> str:
    client.force_login(world.qian)
    r = client.post("/ems/import/", {"file": upload_file(content, name)})
    assert r.status_code == 400
    assert r.context["form"].errors["file"] and not r.context["form"].non_field_errors()  # shown by the file input
    return r.content.decode()


def test_wrong_columns_name_what_is_missing_and_unexpected(client, world):
    header = [c for c in COLUMNS if c != "民族"] + ["备注"]
    content = xlsx([dict(row(1), 备注="x")], header=header)
    with pytest.raises(DomainError) as e:
        roster_import(actor=world.qian, uploaded_file=upload_file(content))
    assert e.value.code == "wrong_columns"
    assert "缺少列：“民族”" in e.value.message and "多出列：“备注”" in e.value.message
    html = _page_error(client, world, content)
    assert "缺少列：“民族”" in html and "多出列：“备注”" in html
    swapped = list(COLUMNS)
    swapped[0], swapped[1] = swapped[1], swapped[0]
    with pytest.raises(DomainError, match="列的顺序与模板不同"):
        roster_import(actor=world.qian, uploaded_file=upload_file(xlsx([row(1)], header=swapped)))
    assert not RosterImport.objects.exists()


@pytest.mark.parametrize(
    "content,text",
    [
        ("考生号,姓名\n27440199000001,张三\n".encode(), "无法读取该文件"),  # a CSV renamed .xlsx
        (b"PK\x03\x04" + b"\x00" * 200, "无法读取该文件"),  # a broken zip
        (b"", "空的"),
    ],
)
def test_not_an_xlsx_is_a_clear_error(client, world, content, text):
    before = Graduate.objects.count()
    with pytest.raises(DomainError, match=text):
        roster_import(actor=world.qian, uploaded_file=upload_file(content))
    assert text in _page_error(client, world, content)
    assert Graduate.objects.count() == before and not RosterImport.objects.exists()


def test_a_zip_that_is_not_a_workbook_is_refused(world):
    buf = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<x/>")
    with pytest.raises(DomainError, match="无法读取该文件"):
        roster_import(actor=world.qian, uploaded_file=upload_file(buf.getvalue()))


def test_header_only_and_empty_sheet(client, world):
    with pytest.raises(DomainError, match="只有表头"):
        run(world, [])
    with pytest.raises(DomainError, match="只有表头"):
        run(world, [None, None])
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.add_worksheet()
    wb.close()
    with pytest.raises(DomainError, match="没有内容"):
        roster_import(actor=world.qian, uploaded_file=upload_file(buf.getvalue()))
    assert "只有表头" in _page_error(client, world, xlsx([]))


def test_oversize_file_is_refused_before_reading(client, world, settings):
    settings.ROSTER_UPLOAD_MAX_BYTES = 1000
    content = xlsx([row(n) for n in range(1, 40)])
    assert len(content) > 1000
    with pytest.raises(DomainError, match="文件过大"):
        roster_import(actor=world.qian, uploaded_file=upload_file(content))
    assert "文件过大" in _page_error(client, world, content)
    assert not RosterImport.objects.exists()


def test_failed_import_writes_nothing_but_the_report(world):
    before = Graduate.objects.count()
    rows = [row(n) for n in range(1, 50)] + [row(50, 身份证号="123")]
    imp = run(world, rows)
    assert imp.status == "failed" and imp.created_count == 0 and imp.total_rows == 50
    assert Graduate.objects.count() == before
    assert not AuditEvent.objects.filter(item_type="roster_import").exists()


def test_template_lists_columns_codes_and_the_schools_departments(client, world):
    client.force_login(world.qian)
    r = client.get("/ems/import/template.xlsx")
    assert r.status_code == 200 and r["Content-Type"] == XLSX and "attachment" in r["Content-Disposition"]
    wb = CalamineWorkbook.from_filelike(io.BytesIO(r.content))
    assert wb.sheet_names == ["毕业生名单", "代码说明"]
    sheet = wb.get_sheet_by_name("毕业生名单").to_python()
    assert tuple(sheet[0]) == COLUMNS and len(sheet) == 2
    codes = wb.get_sheet_by_name("代码说明").to_python()
    flat = {(r[0], r[1]) for r in codes}
    assert {("性别", "1"), ("民族", "01"), ("政治面貌", "03"), ("学历层次", "31"), ("培养方式", "22")} <= flat
    assert {("院系代码", "01"), ("院系代码", "02"), ("专业代码", "080901"), ("专业代码", "050201")} <= flat
    assert ("专业代码", "080202") not in flat  # another school's
    # the example row is valid data, so it is refused by name rather than written to the roster
    imp = roster_import(actor=world.qian, uploaded_file=upload_file(r.content))
    assert problems(imp) == [(2, "姓名", "这是模板中的示例行，请删除后再上传")]
    assert build_template()[:2] == b"PK"


# --------------------------------------------------------------------------- the report


def test_report_page_lists_every_error_with_pages_and_download_escapes_formulas(client, world):
    rows = [row(n, 性别="9") for n in range(1, 131)]
    imp = run(world, rows)
    assert imp.status == "failed" and len(imp.errors) == 130
    client.force_login(world.qian)
    p1 = client.get(f"/ems/import/{imp.pk}/").content.decode()
    p2 = client.get(f"/ems/import/{imp.pk}/?page=2").content.decode()
    assert "校验未通过" in p1 and "共 130 条" in p1
    assert p1.count("性别代码“9”无效") == 100 and p2.count("性别代码“9”无效") == 30
    assert "<td>131</td>" in p2 and "<td>131</td>" not in p1

    r = client.get(f"/ems/import/{imp.pk}/errors.xlsx")
    assert r.status_code == 200 and r["Content-Type"] == XLSX and "attachment" in r["Content-Disposition"]
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    values = list(ws.values)
    assert values[0] == ("行号", "列", "问题") and len(values) == 131
    assert values[1] == (2, "性别", "性别代码“9”无效，应为 1（男）或 2（女）")

    crafted = RosterImport.objects.create(
        school=world.school, uploaded_by=world.qian, file_name="x.xlsx", status="failed",
        errors=[{"row": 2, "column": "=cmd", "message": "=HYPERLINK(\"http://evil\",\"x\")"},
                {"row": 3, "column": "@SUM(A1)", "message": "+1"}, {"row": 4, "column": "", "message": "-2"}],
    )
    ws = openpyxl.load_workbook(io.BytesIO(errors_workbook(crafted))).active
    cells = [c.value or "" for r in ws.iter_rows(min_row=2) for c in r]
    assert cells == [2, "'=cmd", "'=HYPERLINK(\"http://evil\",\"x\")", 3, "'@SUM(A1)", "'+1", 4, "", "'-2"]
    assert all(c.data_type != "f" for r in ws.iter_rows() for c in r)


def test_done_report_shows_counts(client, world):
    imp = run(world, [row(1), row(2)])
    client.force_login(world.qian)
    html = client.get(f"/ems/import/{imp.pk}/").content.decode()
    assert "已导入" in html and "新增" in html and "没有发现问题" in html


# --------------------------------------------------------------------------- who may


def test_department_user_is_refused_everywhere(client, world):
    imp = run(world, [row(1, 性别="9")])
    client.force_login(world.wang)
    urls = ["/ems/import/", "/ems/import/template.xlsx", f"/ems/import/{imp.pk}/", f"/ems/import/{imp.pk}/errors.xlsx"]
    for url in urls:
        assert client.get(url).status_code == 403, url
    before = Graduate.objects.count()
    assert client.post("/ems/import/", {"file": upload_file(xlsx([row(2)]))}).status_code == 403
    assert Graduate.objects.count() == before
    with pytest.raises(Forbidden):
        run(world, [row(3)], actor=world.wang)


def test_other_school_cannot_see_the_report_or_import_into_it(client, world):
    imp = run(world, [row(1, 性别="9")])
    client.force_login(world.sun)
    assert client.get(f"/ems/import/{imp.pk}/").status_code == 404
    assert client.get(f"/ems/import/{imp.pk}/errors.xlsx").status_code == 404
    with pytest.raises(Forbidden):
        run(world, [row(2)], actor=world.sun, school=world.school)
    # 孙老师's own upload lands in 示例理工学院, which has no 专业 080901
    r = client.post("/ems/import/", {"file": upload_file(xlsx([row(2)]))})
    own = RosterImport.objects.get(pk=int(r["Location"].rstrip("/").rsplit("/", 1)[1]))
    assert own.school == world.other_school
    assert own.status == "failed" and any(e["column"] == "专业代码" for e in own.errors)
    assert client.get(r["Location"]).status_code == 200
    client.force_login(world.qian)
    assert client.get(r["Location"]).status_code == 404


def test_anonymous_user_is_sent_to_login(client, world):
    r = client.get("/ems/import/")
    assert r.status_code == 302 and "/login/" in r["Location"]


# --------------------------------------------------------------------------- restoration by re-upload


def test_reupload_restores_an_invalidated_graduate(world):
    g = f.graduate(world.cs, world.cs_major, name="周七", exam_no="27440100009999", id_number=row(7)["身份证号"])
    services.graduate_invalidate(actor=world.qian, graduate_id=g.pk, reason="误删")
    g.refresh_from_db()
    assert not g.is_valid
    before = Graduate.objects.count()
    new_row = row(7, 考生号=g.exam_no, 姓名="周七", 手机号码="13700000007", 院系代码="02", 专业代码="050201")
    imp = run(world, [row(1), new_row])
    assert (imp.status, imp.created_count, imp.restored_count) == ("done", 1, 1), imp.errors
    assert Graduate.objects.count() == before + 1
    g.refresh_from_db()
    assert g.is_valid and g.restored_at is not None and g.invalidated_at is None and g.invalid_reason == ""
    assert (g.phone, g.department, g.major) == ("13700000007", world.fl, world.fl_major)
    restore = AuditEvent.objects.get(item_type="graduate", item_id=g.pk, action="restore")
    assert restore.action_label == "重新上传名单" and restore.actor_id == world.qian.pk
    assert AuditEvent.objects.get(item_type="roster_import", item_id=imp.pk).data["restored"] == 1


def test_invalid_graduates_that_cannot_be_restored_are_errors(world):
    mine = f.graduate(world.cs, world.cs_major, exam_no="27440100008888", id_number=row(8)["身份证号"])
    theirs = f.graduate(world.me, world.me_major, exam_no="27440100009999", id_number=row(9)["身份证号"])
    for g, actor in [(mine, world.qian), (theirs, world.sun)]:
        services.graduate_invalidate(actor=actor, graduate_id=g.pk)
    imp = run(world, [
        row(1, 考生号=mine.exam_no),  # same 考生号, different 身份证号
        row(2, 考生号=theirs.exam_no, 身份证号=theirs.id_number),  # another school's record
    ])
    assert_problem(imp, 2, "考生号", "考生号与身份证号不能同时对应")
    assert_problem(imp, 3, "考生号", "其他学校已删除（失效）")
    assert_problem(imp, 3, "身份证号", "其他学校已删除（失效）")
    mine.refresh_from_db()
    assert not mine.is_valid


# --------------------------------------------------------------------------- scale


def _import_a_clean_file(world, tmp_path, n_rows: int) -> None:
    path = tmp_path / "roster.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, COLUMNS)
    write = ws.write_string
    birth = dt.date(2003, 1, 1)
    # 福田区 births: no persona of the world fixture shares one of these numbers
    ids = [valid_id(birth + dt.timedelta(days=i % 3650), i // 3650, "440304") for i in range(n_rows)]
    fixed = [(3, "1"), (5, "01"), (6, "03"), (7, "31"), (8, "01"), (9, "080901"), (10, "4"), (11, "1"),
             (13, "440106"), (14, "2027"), (15, "2027-06-30"), (18, "否")]
    for i in range(n_rows):
        r = i + 1
        write(r, 0, f"27449{i:09d}")
        write(r, 2, f"学生{i}")
        write(r, 4, ids[i])
        write(r, 16, f"138{i:08d}")
        for c, v in fixed:
            write(r, c, v)
    wb.close()
    before = Graduate.objects.count()
    with path.open("rb") as fh:
        upload = SimpleUploadedFile("roster.xlsx", fh.read(), content_type=XLSX)
    start = time.perf_counter()
    imp = roster_import(actor=world.qian, uploaded_file=upload)
    seconds = time.perf_counter() - start
    assert imp.status == "done", imp.errors[:5]
    assert imp.created_count == imp.total_rows == n_rows
    assert Graduate.objects.count() == before + n_rows
    print(f"\n{n_rows:,}-row import on {connection.vendor}: {seconds:.2f}s, {n_rows / seconds:,.0f} rows/s")


def test_a_clean_2000_row_file_imports(world, tmp_path):
    _import_a_clean_file(world, tmp_path, 2_000)


@pytest.mark.slow
def test_a_clean_100000_row_file_imports(world, tmp_path):
    _import_a_clean_file(world, tmp_path, 100_000)


# --------------------------------------------------------------------------- hostile cells


def test_nul_bytes_long_values_and_formulas_are_reported_not_a_server_error(client, world):
    content = xlsx([
        row(1, 姓名="张\x00三"),
        row(2, **{"定向/委培单位": "单" * 300, "培养方式": "21"}),
        row(3, 生源所在地="4401\x0006", 电子邮箱="a" * 300 + "@example.edu.cn"),
        row(4),
    ])
    client.force_login(world.qian)
    before = Graduate.objects.count()
    r = client.post("/ems/import/", {"file": upload_file(content)})
    assert r.status_code == 302
    imp = RosterImport.objects.get()
    assert problems(imp) == [
        (2, "姓名", "姓名最多50个字符，且不能含换行等控制字符"),
        (3, "定向/委培单位", "定向/委培单位最多200个字符，且不能含换行等控制字符"),
        (4, "生源所在地", "生源所在地不能含换行等控制字符"),
        (4, "电子邮箱", "电子邮箱格式不正确"),
    ]
    assert Graduate.objects.count() == before
    assert client.get(r["Location"]).status_code == 200


def test_a_formula_cell_is_refused_with_its_row_and_column(world):
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, list(COLUMNS))
    for r, values in enumerate([row(1), row(2)], start=1):
        for c, name in enumerate(COLUMNS):
            ws.write_string(r, c, values[name])
    ws.write_formula(2, 2, '="新生"&"2"', None, "新生2")
    wb.close()
    imp = roster_import(actor=world.qian, uploaded_file=upload_file(buf.getvalue()))
    assert problems(imp) == [(3, "姓名", "单元格C3是公式：请填写值本身（可复制后“选择性粘贴为数值”），不要使用公式")]


# --------------------------------------------------------------------------- numbers, formulas, normalised keys


@pytest.mark.parametrize("column", ["考生号", "学号"])
def test_an_identifier_stored_as_a_number_is_refused_naming_row_and_column(world, column):
    """Guards: Excel drops an identifier's leading zeros in a number cell; the import says so, never imports it changed."""
    before = Graduate.objects.count()
    imp = run(world, [row(1), row(2, **{column: 274401990002}), row(3, **{column: 27440199000003.0})])
    assert problems(imp) == [
        (3, column, f"{column}被存成了数字（开头的0会丢失），请把该列设为文本格式后重新填写"),
        (4, column, f"{column}被存成了数字（开头的0会丢失），请把该列设为文本格式后重新填写"),
    ]
    assert Graduate.objects.count() == before
    # typed as text, the same identifiers keep every digit
    imp = run(world, [row(1), row(2, **{column: "0274401990002"})])
    assert imp.status == "done", imp.errors
    assert Graduate.objects.filter(**{importer.SPEC.columns[COLUMNS.index(column)].key: "0274401990002"}).exists()


def _with_name_formula(formula: str, cached, *, writer: str) -> bytes:
    rows = [row(1), row(2), row(3)]
    if writer == "openpyxl":  # no cached result at all, as some tools save
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(list(COLUMNS))
        for values in rows:
            ws.append([values[c] for c in COLUMNS])
        ws.cell(row=3, column=3, value=formula)
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, list(COLUMNS))
    for r, values in enumerate(rows, start=1):
        for c, name in enumerate(COLUMNS):
            ws.write_string(r, c, values[name])
    ws.write_formula(2, 2, formula, None, cached)
    wb.close()
    return buf.getvalue()


@pytest.mark.parametrize("writer", ["xlsxwriter", "openpyxl"])
@pytest.mark.parametrize(("formula", "cached"), [('=HYPERLINK("http://example.com/x","新生2")', "新生2"), ("=1+1", 2)])
def test_a_name_formula_is_refused_not_imported_as_its_cached_result(world, formula, cached, writer):
    """Guards: a 姓名 formula (its link text, or 2 for =1+1) never reaches the roster; the report names C3."""
    before = Graduate.objects.count()
    imp = roster_import(actor=world.qian, uploaded_file=upload_file(_with_name_formula(formula, cached, writer=writer)))
    assert problems(imp) == [(3, "姓名", "单元格C3是公式：请填写值本身（可复制后“选择性粘贴为数值”），不要使用公式")]
    assert Graduate.objects.count() == before


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


def test_a_full_width_copy_of_a_roster_id_number_is_reported_with_its_row(world):
    """Guards: the roster is searched for the ID number as it would be written (half-width), so the copy is
    reported on its row, not refused by the database for the whole file, nor hidden when another row is bad."""
    taken = world.zhangsan.id_number
    before = Graduate.objects.count()
    imp = run(world, [row(1), row(2, 身份证号=full_width(taken))])
    assert problems(imp) == [(3, "身份证号", "2027届本校名单中已有该身份证号的毕业生")]
    # beside a bad row, the copy is still reported
    imp = run(world, [row(1, 性别="9"), row(2, 身份证号=full_width(taken))])
    assert problems(imp) == [
        (2, "性别", "性别代码“9”无效，应为 1（男）或 2（女）"),
        (3, "身份证号", "2027届本校名单中已有该身份证号的毕业生"),
    ]
    assert Graduate.objects.count() == before


def test_a_full_width_id_number_is_written_half_width_and_duplicates_its_half_width_copy(world):
    """Guards: rows are compared in normalised form within the file too."""
    same = row(1)["身份证号"]
    imp = run(world, [row(1), row(2, 身份证号=full_width(same))])
    assert_problem(imp, 3, "身份证号", "与第2行重复")
    imp = run(world, [row(2, 身份证号=full_width(same))])
    assert imp.status == "done", imp.errors
    assert Graduate.objects.get(exam_no=row(2)["考生号"]).id_number == same


def test_a_full_width_check_letter_is_read_as_x():
    """Guards: a full-width Ｘ in the check position is the same number (NFKC), not a checksum error."""
    from gradreg.ems.validation import check_id_format

    number = "11010519491231002X"
    assert check_id_format(full_width(number)) == (number, None)
