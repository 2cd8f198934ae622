"""The declarative import spec: columns, row checks, duplicates in the file, the report and its workbook."""
from __future__ import annotations

import io

import openpyxl
import pytest

from gradreg.common.sheets import Limits
from gradreg.workflow import imports
from gradreg.workflow.imports import BAD, Column, ImportSpec, Invalid, RowCheck, RowError, Unique
from tests.common.test_sheets import upload, workbook

LIMITS = Limits(max_bytes=10 * 1024 * 1024, max_rows=10_000)
CODES = {"1": "男", "2": "女"}


def gender(text, cell, context):
    if text not in CODES:
        raise Invalid(f"性别代码“{text}”无效")
    context["parsed"].append(text)
    return text


def year(text, cell, context):
    if not (len(text) == 4 and text.isdigit()):
        raise Invalid("毕业年份应为4位年份")
    return int(text)


def score(text, cell, context):
    try:
        return int(float(text))
    except ValueError:
        raise Invalid("分数应为数字") from None


def score_in_range(values, context):
    if values[4] > 100:
        return "分数", "分数不能超过100"
    return None


SPEC = ImportSpec(
    item="学生",
    columns=(
        Column("考生号", "exam_no", required=True, text_only="考生号被存成了数字，请设为文本格式"),
        Column("姓名", "name", required=True, max_length=50,
               checks=(lambda v, c: "请删除示例行" if v == "示例" else None,)),
        Column("性别", "gender", required=True, parse=gender, memo=True),
        Column("毕业年份", "year", required=True, parse=year, memo=True),
        Column("分数", "score", parse=score, default=0),
        Column("备注", "note"),
    ),
    row_checks=(RowCheck(("分数",), score_in_range),),
    unique=(Unique("考生号"), Unique("姓名", within=("毕业年份",))),
)
HEADER = list(SPEC.headers)


def good(n: int, **changes) -> list:
    values = {"考生号": f"A{n:05d}", "姓名": f"学生{n}", "性别": "1", "毕业年份": "2027", "分数": "90", "备注": ""}
    values.update(changes)
    return [values[h] for h in HEADER]


def check(rows: list, context=None, **kw):
    context = {"parsed": []} if context is None else context
    sheet = SPEC.read(upload(workbook([HEADER, *rows], **kw)), limits=LIMITS)
    checking = SPEC.check(sheet, context)
    clean = list(checking)
    return clean, checking.finish(), checking


def as_tuples(errors: list[RowError]) -> list[tuple]:
    return [(e.row, e.column, e.message) for e in errors]


def test_a_clean_file_yields_parsed_rows_in_column_order():
    context = {"parsed": []}
    clean, errors, checking = check([good(1), good(2, 性别="2", 分数="")], context)
    assert errors == [] and checking.clean
    assert clean == [(2, ["A00001", "学生1", "1", 2027, 90, ""]), (3, ["A00002", "学生2", "2", 2027, 0, ""])]
    assert context["parsed"] == ["1", "2"]  # memo columns: each distinct text parsed once


def test_each_column_reports_its_own_problem_in_chinese():
    clean, errors, _ = check([
        good(1, 考生号="", 性别="3"),
        good(2, 姓名="长" * 300, 毕业年份="27"),
        good(3, 姓名="示例", 分数="120"),
        good(4, 备注="a\x00b"),
    ])
    assert clean == []
    assert as_tuples(errors) == [
        (2, "考生号", "必填"),
        (2, "性别", "性别代码“3”无效"),
        (3, "姓名", "姓名最多50个字符，且不能含换行等控制字符"),
        (3, "毕业年份", "毕业年份应为4位年份"),
        (4, "姓名", "请删除示例行"),
        (4, "分数", "分数不能超过100"),
        (5, "备注", "备注不能含换行等控制字符"),
    ]


def test_a_number_where_text_is_expected_is_refused():
    _, errors, _ = check([good(1), [12345.0, *good(2)[1:]]])
    assert as_tuples(errors) == [(3, "考生号", "考生号被存成了数字，请设为文本格式")]


def test_row_checks_wait_for_their_columns():
    _, errors, _ = check([good(1, 分数="abc"), good(2, 分数="")])  # failed, then empty: no range check
    assert as_tuples(errors) == [(2, "分数", "分数应为数字")]


def test_duplicates_in_the_file_name_every_other_row():
    rows = [good(1), good(2, 考生号="A00001"), good(3), good(4, 考生号="A00001"),
            good(5, 姓名="学生3"), good(6, 姓名="学生3", 毕业年份="2026")]
    clean, errors, checking = check(rows)
    assert not checking.clean
    assert as_tuples(errors) == [
        (2, "考生号", "考生号与第3、5行重复"),
        (3, "考生号", "考生号与第2、5行重复"),
        (4, "姓名", "姓名与第6行重复"),
        (5, "考生号", "考生号与第2、3行重复"),
        (6, "姓名", "姓名与第4行重复"),
    ]
    # the first of each group was clean when it was read; the ones seen again were held back
    assert [n for n, _ in clean] == [2, 4, 7]


def test_blank_rows_in_the_middle_are_reported_and_later_rows_still_checked():
    rows = [good(1), None, ["", "  ", ""], good(2), good(3, 性别="9"), None]
    _, errors, _ = check(rows)
    assert as_tuples(errors) == [
        (3, "", "空行：数据中间不能有空行，请删除该行"),
        (4, "", "空行：数据中间不能有空行，请删除该行"),
        (6, "性别", "性别代码“9”无效"),
    ]


def test_formula_cells_are_refused_naming_row_and_column():
    _, errors, _ = check([good(1), good(2)], formulas={(2, 1): '="学生"&"2"'})
    assert as_tuples(errors) == [(3, "姓名", "单元格B3是公式：请填写值本身（可复制后“选择性粘贴为数值”），不要使用公式")]


def test_rows_outside_the_template_and_reordered_headers():
    header = ["备注", *HEADER[:-1]]
    rows = [["", *good(1)[:-1]], ["", *good(2)[:-1], "多余"]]
    sheet = SPEC.read(upload(workbook([header, *rows])), limits=LIMITS)
    checking = SPEC.check(sheet, {"parsed": []})
    assert [values[0] for _, values in checking] == ["A00001"]
    assert as_tuples(checking.finish()) == [(3, "第7列", "模板之外的列有内容，请删除")]


def test_every_problem_is_found_across_blocks(monkeypatch):
    monkeypatch.setattr(imports, "BLOCK_ROWS", 7)
    rows = [good(n) for n in range(1, 40)]
    rows[9] = good(10, 性别="x")
    rows[25] = good(26, 考生号="A00003")
    clean, errors, _ = check(rows)
    assert as_tuples(errors) == [
        (4, "考生号", "考生号与第27行重复"),
        (11, "性别", "性别代码“x”无效"),
        (27, "考生号", "考生号与第4行重复"),
    ]
    assert len(clean) == 37


def test_the_module_rejects_rows_and_clean_says_when_to_stop_writing():
    sheet = SPEC.read(upload(workbook([HEADER, good(1), good(2), good(3)])), limits=LIMITS)
    checking = SPEC.check(sheet, {"parsed": []})
    written = []
    for n, _ in checking:
        if n == 3:
            checking.reject(n, "考生号", "名单中已有该考生号")
            continue
        if checking.clean:
            written.append(n)
    assert written == [2] and as_tuples(checking.finish()) == [(3, "考生号", "名单中已有该考生号")]


def test_summarised_report_and_pages():
    errors = [RowError(n, "性别", "x") for n in range(2, 10)]
    short = imports.summarised(errors, 5)
    assert len(short) == 6 and short[-1].row is None and "另有 3 个问题" in short[-1].message
    page = imports.error_page([e.as_dict() for e in errors], "2", size=5)
    assert (page.count, page.number, page.num_pages) == (8, 2, 2) and [e["row"] for e in page.items] == [7, 8, 9]
    assert imports.error_page(["旧的说明"], "x").items == [{"row": None, "column": "", "message": "旧的说明"}]


def test_error_workbook_lists_every_error_with_the_row_as_uploaded():
    rows = [good(n, 性别="9" if n % 2 else "1") for n in range(1, 131)] + [good(131, 姓名="=HYPERLINK(\"x\")")]
    sheet = SPEC.read(upload(workbook([HEADER, *rows])), limits=LIMITS)
    checking = SPEC.check(sheet, {"parsed": []})
    list(checking)
    errors = checking.finish()
    assert len(errors) == 65
    ws = openpyxl.load_workbook(io.BytesIO(imports.errors_workbook(errors, sheet=sheet))).active
    values = list(ws.values)
    assert values[0] == ("行号", "列", "问题", *HEADER)
    assert len(values) == 66
    assert values[1][:5] == (2, "性别", "性别代码“9”无效", "A00001", "学生1")
    assert all(v[1] == "性别" for v in values[1:])
    bare = openpyxl.load_workbook(io.BytesIO(imports.errors_workbook([e.as_dict() for e in errors]))).active
    assert [c.value for c in bare[1]] == ["行号", "列", "问题"] and bare.max_row == 66


def test_bad_value_marker_is_truthy_and_distinct():
    assert BAD and BAD != "" and repr(BAD) == "BAD"
    with pytest.raises(ValueError):
        SPEC.index("没有这一列")


def test_a_formula_in_a_cross_checked_column_is_reported_once():
    _, errors, _ = check([good(1), good(2)], formulas={(2, 4): "=100+20"})
    assert as_tuples(errors) == [(3, "分数", "单元格E3是公式：请填写值本身（可复制后“选择性粘贴为数值”），不要使用公式")]
