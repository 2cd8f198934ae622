"""就业管理系统 毕业生名单上传: the .xlsx template, the all-or-nothing roster import, the error report.

An upload is validated completely before anything is written: every problem of every row is
collected, and a file with any problem writes nothing to the roster. A clean file is written in
one transaction (COPY on PostgreSQL), so 100,000 rows take seconds, not minutes.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from operator import itemgetter
from pathlib import PurePath
from typing import Any

import xlsxwriter
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from python_calamine import CalamineWorkbook
from stdnum.cn import ric

from gradreg.accounts.models import Role
from gradreg.codes.loader import code_map, region_codes_in_use
from gradreg.common.errors import Conflict, DomainError, Forbidden
from gradreg.organisations.models import Department, Major, School
from gradreg.workflow import audit

from .models import Graduate, RosterImport, TrainingMode
from .services import restore_graduate
from .validation import PHONE, check_id_number, check_phone

# The template's columns, in order, and the Graduate field each one fills.
COLUMNS: tuple[str, ...] = (
    "考生号", "学号", "姓名", "性别", "身份证号", "民族", "政治面貌", "学历层次", "院系代码", "专业代码",
    "学制", "培养方式", "定向/委培单位", "生源所在地", "毕业年份", "毕业时间", "手机号码", "电子邮箱",
    "户口是否迁入学校",
)
FIELDS: tuple[str, ...] = (
    "exam_no", "student_no", "name", "gender", "id_number", "ethnicity", "political_status", "education_level",
    "department", "major", "schooling_years", "training_mode", "directed_unit", "origin_region",
    "graduation_year", "graduation_date", "phone", "email", "hukou_moved_to_school",
)
CODE_TABLES: tuple[tuple[str, str], ...] = (
    ("性别", "xb"), ("民族", "mz"), ("政治面貌", "zzmm"), ("学历层次", "xl"), ("培养方式", "pyfs"),
)
REQUIRED = frozenset(COLUMNS) - {"学号", "定向/委培单位", "手机号码", "电子邮箱"}
REQUIRED_INDEXES = tuple(i for i, c in enumerate(COLUMNS) if c in REQUIRED)
YES_NO = {"是": True, "否": False}

EXAMPLE_NAME = "示例学生（上传前请删除本行）"
SHEET_NAME = "毕业生名单"
CODES_SHEET_NAME = "代码说明"

# More than this many errors helps nobody and bloats the stored report: the rest are summarised.
MAX_STORED_ERRORS = 50_000
# Decompressed-size guard: a real roster inflates ~15x; a zip bomb inflates thousands of times.
MAX_INFLATE_RATIO = 30
MAX_ROWS = getattr(settings, "ROSTER_UPLOAD_MAX_ROWS", 200_000)
# Rows per executemany on SQLite: bounds the parameter lists held at once.
SQLITE_BATCH = 2_000

EXAM_NO = re.compile(r"^[0-9A-Za-z]{1,20}$")
EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
DATE_TEXT = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
REGION = re.compile(r"^\d{6}$")
# tabs, newlines and other C0 controls: never part of a name, and they would break COPY's text format
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

WIDTH = len(COLUMNS)
COL_INDEX = {name: i for i, name in enumerate(COLUMNS)}


# --------------------------------------------------------------------------- template


def _example_row(school: School | None) -> list[str]:
    dept, major = "01", "080901"
    if school is not None:
        m = Major.objects.filter(school=school).select_related("department").order_by("code").first()
        if m is not None:
            major = m.code
            dept = m.department.code if m.department_id else (
                Department.objects.filter(school=school).order_by("code").values_list("code", flat=True).first() or dept
            )
    body = "44010620050315001"
    id_number = body + ric.calc_check_digit(body + "0")
    return [
        "27440101000001", "S2027000001", EXAMPLE_NAME, "1", id_number, "01", "03", "31", dept, major,
        "4", "1", "", "440106", "2027", "2027-06-30", "13800000000", "example@example.edu.cn", "否",
    ]


def build_template(school: School | None = None) -> bytes:
    """The roster template: header, one example row, and a sheet explaining every code."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
    head = wb.add_format({"bold": True, "bg_color": "#DDE6F0", "border": 1})
    text = wb.add_format({"num_format": "@"})
    note = wb.add_format({"font_color": "#9A6700"})
    ws = wb.add_worksheet(SHEET_NAME)
    # text format keeps leading zeros (民族 01, 院系代码 01) and all 18 ID digits when users type
    ws.set_column(0, WIDTH - 1, 16, text)
    ws.set_column(COL_INDEX["身份证号"], COL_INDEX["身份证号"], 22, text)
    ws.set_column(COL_INDEX["定向/委培单位"], COL_INDEX["定向/委培单位"], 24, text)
    ws.set_column(COL_INDEX["电子邮箱"], COL_INDEX["电子邮箱"], 26, text)
    ws.write_row(0, 0, COLUMNS, head)
    ws.write_row(1, 0, _example_row(school), note)
    ws.freeze_panes(1, 0)
    ws.write_comment(0, COL_INDEX["姓名"], "第2行是示例，上传前请删除。所有代码见“代码说明”工作表。")
    ws.write_comment(0, COL_INDEX["定向/委培单位"], "培养方式为21、22、41、42时必填，其他培养方式必须为空。")
    ws.write_comment(0, COL_INDEX["生源所在地"], "6位行政区划代码（GB/T 2260 现行代码）。")
    ws.write_comment(0, COL_INDEX["毕业时间"], "日期，格式 YYYY-MM-DD，例如 2027-06-30。")
    last = 100_000
    ws.data_validation(1, COL_INDEX["户口是否迁入学校"], last, COL_INDEX["户口是否迁入学校"],
                       {"validate": "list", "source": ["是", "否"]})
    ws.data_validation(1, COL_INDEX["性别"], last, COL_INDEX["性别"],
                       {"validate": "list", "source": sorted(code_map("xb"))})
    ws.data_validation(1, COL_INDEX["培养方式"], last, COL_INDEX["培养方式"],
                       {"validate": "list", "source": sorted(code_map("pyfs"), key=lambda c: (len(c), c))})

    cs = wb.add_worksheet(CODES_SHEET_NAME)
    cs.set_column(0, 0, 14)
    cs.set_column(1, 1, 12)
    cs.set_column(2, 2, 30)
    cs.set_column(3, 3, 14)
    cs.write_row(0, 0, ["项目", "代码", "名称", "所属院系代码"], head)
    r = 1
    for label, table in CODE_TABLES:
        for code, name in sorted(code_map(table).items(), key=lambda kv: (len(kv[0]), kv[0])):
            cs.write_string(r, 0, label)
            cs.write_string(r, 1, code)
            cs.write_string(r, 2, name)
            r += 1
    if school is not None:
        for code, name in Department.objects.filter(school=school).order_by("code").values_list("code", "name"):
            cs.write_row(r, 0, ["院系代码", code, name])
            r += 1
        majors = Major.objects.filter(school=school).order_by("code").values_list("code", "name", "department__code")
        for code, name, dept_code in majors:
            cs.write_row(r, 0, ["专业代码", code, name, dept_code or ""])
            r += 1
    r += 1
    cs.write_string(r, 0, "生源所在地填写6位现行行政区划代码（GB/T 2260），户口是否迁入学校填“是”或“否”。")
    wb.close()
    return buf.getvalue()


# --------------------------------------------------------------------------- reading


def _size_of(uploaded_file) -> int:
    size = getattr(uploaded_file, "size", None)
    if size is None:
        uploaded_file.seek(0, io.SEEK_END)
        size = uploaded_file.tell()
        uploaded_file.seek(0)
    return int(size)


def _read_sheet(uploaded_file) -> list[list[Any]]:
    """All cells of the first worksheet, from A1; refuses anything that is not a sound .xlsx."""
    limit = settings.ROSTER_UPLOAD_MAX_BYTES
    size = _size_of(uploaded_file)
    if size > limit:
        raise DomainError(f"文件过大：上限为 {limit // (1024 * 1024)} MB，请分批上传。", code="too_large", field="file")
    if size == 0:
        raise DomainError("上传的文件是空的。", code="empty", field="file")
    not_xlsx = DomainError(
        "无法读取该文件：请上传由模板填写、另存为 Excel 工作簿（.xlsx）格式的文件。", code="not_xlsx", field="file"
    )
    uploaded_file.seek(0)
    if uploaded_file.read(4) != b"PK\x03\x04":
        raise not_xlsx
    uploaded_file.seek(0)
    try:
        with zipfile.ZipFile(uploaded_file) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            inflated = sum(i.file_size for i in infos)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise not_xlsx from None
    if "xl/workbook.xml" not in names:
        raise not_xlsx
    if inflated > max(size, 1024 * 1024) * MAX_INFLATE_RATIO:
        raise DomainError("文件内容异常（解压后过大），请用模板重新填写后上传。", code="not_xlsx", field="file")
    uploaded_file.seek(0)
    try:
        sheet = CalamineWorkbook.from_filelike(uploaded_file).get_sheet_by_index(0)
    except Exception:  # noqa: BLE001  calamine raises several types for damaged files; all mean the same here
        raise DomainError("文件已损坏或不是有效的 Excel（.xlsx）文件，请重新保存后上传。", code="corrupt", field="file") from None
    if sheet.height > MAX_ROWS + 1:
        # refused before the cells become Python objects (a million rows would take gigabytes)
        raise DomainError(f"单个文件最多 {MAX_ROWS} 行，请分批上传。", code="too_many_rows", field="file")
    # skip_empty_area=False keeps row i at Excel row i+1, so reported row numbers are exact
    return sheet.to_python(skip_empty_area=False)


def _text(value: Any) -> str:
    """A cell as the text the user sees (numbers without '.0', dates as YYYY-MM-DD)."""
    if value.__class__ is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _blank(row: Sequence[Any]) -> bool:
    for v in row:
        if v.__class__ is str:
            if v.strip():
                return False
        elif v is not None:
            return False
    return True


def _check_header(header: list[str]) -> None:
    while header and not header[-1]:
        header.pop()
    if tuple(header) == COLUMNS:
        return
    named = [h for h in header if h]
    missing = [c for c in COLUMNS if c not in named]
    unexpected = [h for h in named if h not in COL_INDEX]
    repeated = sorted({h for h in named if named.count(h) > 1})
    parts = []
    if missing:
        parts.append("缺少列：" + "、".join(f"“{c}”" for c in missing))
    if unexpected:
        parts.append("多出列：" + "、".join(f"“{c}”" for c in unexpected))
    if repeated:
        parts.append("重复的列：" + "、".join(f"“{c}”" for c in repeated))
    blanks = [str(i + 1) for i, h in enumerate(header) if not h]
    if blanks:
        parts.append("第" + "、".join(blanks) + "列没有列名")
    if not parts:
        parts.append("列的顺序与模板不同")
    raise DomainError(
        "表头与模板不一致（" + "；".join(parts) + "）。请下载最新模板，第一行保持模板的列名和顺序。",
        code="wrong_columns",
        field="file",
    )


# --------------------------------------------------------------------------- validation


@dataclass
class _Known:
    """Everything a row is checked against, loaded once per import."""

    codes: dict[str, dict[str, str]]
    regions: frozenset[str]
    departments: dict[str, int]
    majors: dict[str, tuple[int, int | None]]
    today: dt.date


def _lookup(value: str, table: dict[str, Any]) -> str | None:
    """The code as stored, forgiving leading zeros Excel drops from numeric cells ("1" for 民族 "01")."""
    if value in table:
        return value
    if value.isdigit():
        for width in {len(c) for c in table}:
            padded = value.zfill(width)
            if padded in table:
                return padded
    return None


class _IdChecker:
    """check_id_number, with its slow part (the birthplace lookup) memoised per region and birth year.

    For a number with the right length, digits, check digit and birth date, check_id_number's
    answer depends only on the first 6 digits and the birth year, so one real call per pair
    decides every such number; any other number goes to check_id_number itself for the message.
    """

    def __init__(self) -> None:
        self.place: dict[str, str | None] = {}

    def __call__(self, raw: str) -> tuple[str, str | None]:
        value = raw.upper()
        if len(value) == 18 and value[:17].isdigit() and value[:17].isascii():
            if value[17] == ric.calc_check_digit(value):
                try:
                    dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
                except ValueError:
                    pass
                else:
                    key = value[:10]
                    if key not in self.place:
                        self.place[key] = check_id_number(value)[1]
                    return value, self.place[key]
        return check_id_number(raw)


@dataclass
class _Roster:
    """Graduates already on the roster with one of the file's 考生号 or 身份证号 (any school)."""

    school_id: int
    by_exam: dict[tuple[int, str], tuple]
    by_id: dict[tuple[int, str], tuple]


@dataclass
class _Outcome:
    errors: list[dict[str, Any]]
    restores: dict[int, tuple]  # invalid graduate pk -> the row's values (FIELDS order)
    created: int


class _Rejected(Exception):
    """Raised inside the write transaction to undo it when the file has problems."""

    def __init__(self, outcome: _Outcome) -> None:
        super().__init__("roster file rejected")
        self.outcome = outcome


def _roster_problem(year: int, g1: tuple | None, g2: tuple | None, school_id: int) -> list[tuple[str, str]]:
    """Why a row matching existing graduates cannot be written; empty when it restores g1 (== g2)."""
    problems = []
    for column, g in (("考生号", g1), ("身份证号", g2)):
        if g is None:
            continue
        where = "本校" if g[1] == school_id else "其他学校"
        if g[2]:
            problems.append((column, f"{year}届{where}名单中已有该{column}的毕业生"))
        elif g[1] != school_id:
            problems.append((column, f"{year}届其他学校已删除（失效）的毕业生记录使用了该{column}"))
        elif g1 is None or g2 is None or g1[0] != g2[0]:
            problems.append((column, f"本校已删除（失效）的毕业生记录使用了该{column}，但考生号与身份证号不能同时对应，"
                                     "恢复须两者都与原记录一致"))
    return problems


def _validate(
    rows: list[list[Any]], start: int, known: _Known, roster: _Roster, sink: Callable[[tuple], None]
) -> _Outcome:
    """Check every row; hand each new clean row to `sink` while the file is still clean so far.

    Rows go to `sink` as they pass, so on PostgreSQL the server indexes them while the next rows
    are checked; the first problem stops the feed and the caller rolls back what was sent.
    """
    errors: list[dict[str, Any]] = []
    add = errors.append
    restores: dict[int, tuple] = {}
    created = 0
    clean = True
    codes = known.codes
    gender_t, mz_t, zzmm_t, xl_t, pyfs_t = (codes[t] for t in ("xb", "mz", "zzmm", "xl", "pyfs"))
    regions, departments, majors = known.regions, known.departments, known.majors
    by_exam, by_id, school_id = roster.by_exam, roster.by_id, roster.school_id
    on_roster = bool(by_exam or by_id)
    needs_unit = TrainingMode.NEEDS_UNIT
    check_id = _IdChecker()
    phone_ok = PHONE.match
    years_ok = range(2000, known.today.year + 7)
    year_cache: dict[str, int | None] = {}
    schooling_cache: dict[str, Decimal | None] = {}
    date_cache: dict[str, dt.date | None] = {}
    seen_exam: dict[str, int] = {}
    seen_id: dict[tuple[str, str], int] = {}
    dup_exam: dict[str, list[int]] = {}
    dup_id: dict[tuple[str, str], list[int]] = {}
    strip = str.strip

    for offset, raw in enumerate(rows):
        n = start + offset  # the Excel row number
        if len(raw) > WIDTH:
            if not _blank(raw[WIDTH:]):
                for i in range(WIDTH, len(raw)):
                    if _text(raw[i]):
                        add({"row": n, "column": f"第{i + 1}列", "message": "模板之外的列有内容，请删除"})
            raw = raw[:WIDTH]
        try:
            cells = list(map(strip, raw))
        except TypeError:  # a number or date cell somewhere in the row
            cells = [v.strip() if v.__class__ is str else _text(v) for v in raw]
        if not any(cells):
            add({"row": n, "column": "", "message": "空行：数据中间不能有空行，请删除该行"})
            clean = False
            continue
        (exam_no, student_no, name, gender, id_raw, ethnicity, political, education, dept_code, major_code,
         schooling_s, mode, unit, region, year_s, date_s, phone_raw, email, hukou_s) = cells
        before = len(errors)
        duplicate = False

        def bad(column: str, message: str) -> None:
            add({"row": n, "column": column, "message": message})  # noqa: B023 - called within the same iteration

        if "" in cells:
            for i in REQUIRED_INDEXES:
                if not cells[i]:
                    bad(COLUMNS[i], "必填")

        if exam_no:
            if not EXAM_NO.match(exam_no):
                bad("考生号", "考生号只能由数字和字母组成，最多20位")
            first = seen_exam.setdefault(exam_no, n)
            if first != n:
                dup_exam.setdefault(exam_no, [first]).append(n)
                duplicate = True
        if student_no and (len(student_no) > 30 or CONTROL.search(student_no)):
            bad("学号", "学号最多30个字符，且不能含换行等控制字符")
        if name:
            if len(name) > 50 or CONTROL.search(name):
                bad("姓名", "姓名最多50个字符，且不能含换行等控制字符")
            elif name.startswith(FORMULA_START):
                bad("姓名", "姓名不能以 = + - @ 等符号开头")
            elif name == EXAMPLE_NAME:
                bad("姓名", "这是模板中的示例行，请删除后再上传")
        if gender and (gender := _lookup(gender, gender_t) or "") == "":
            bad("性别", f"性别代码“{cells[3]}”无效，应为 1（男）或 2（女）")
        id_number = ""
        if id_raw:
            if raw[4].__class__ in (int, float):
                bad("身份证号", "身份证号被存成了数字（会丢失末几位），请把该列设为文本格式后重新填写")
            else:
                id_number, problem = check_id(id_raw)
                if problem:
                    bad("身份证号", problem)
                    id_number = ""
        if ethnicity and (ethnicity := _lookup(ethnicity, mz_t) or "") == "":
            bad("民族", f"民族代码“{cells[5]}”不在代码表中")
        if political and (political := _lookup(political, zzmm_t) or "") == "":
            bad("政治面貌", f"政治面貌代码“{cells[6]}”不在代码表中")
        if education and (education := _lookup(education, xl_t) or "") == "":
            bad("学历层次", f"学历层次代码“{cells[7]}”不在代码表中")

        dept_id = major_id = None
        if dept_code:
            key = _lookup(dept_code, departments)
            if key is None:
                bad("院系代码", f"院系代码“{dept_code}”不是本校的院系")
            else:
                dept_id = departments[key]
        if major_code:
            key = _lookup(major_code, majors)
            if key is None:
                bad("专业代码", f"专业代码“{major_code}”不是本校的专业")
            else:
                major_id, major_dept = majors[key]
                if dept_id is not None and major_dept is not None and major_dept != dept_id:
                    bad("专业代码", f"专业“{major_code}”不属于院系“{dept_code}”")

        schooling = None
        if schooling_s:
            if schooling_s in schooling_cache:
                schooling = schooling_cache[schooling_s]
            else:
                schooling_cache[schooling_s] = schooling = _schooling(schooling_s)
            if schooling is None:
                bad("学制", "学制应为1到8之间的数字（最多一位小数）")

        if mode:
            if mode not in pyfs_t:
                bad("培养方式", f"培养方式代码“{mode}”无效，应为 " + "、".join(sorted(pyfs_t, key=lambda c: (len(c), c))))
            elif mode in needs_unit:
                if not unit:
                    bad("定向/委培单位", "定向/委培培养方式（21、22、41、42）须填写定向/委培单位")
            elif unit:
                bad("定向/委培单位", "非定向毕业生的定向/委培单位必须为空")
        if unit and (len(unit) > 200 or CONTROL.search(unit)):
            bad("定向/委培单位", "定向/委培单位最多200个字符，且不能含换行等控制字符")

        if region:
            if not REGION.match(region):
                bad("生源所在地", "生源所在地应为6位行政区划代码")
            elif region not in regions:
                bad("生源所在地", f"生源所在地代码“{region}”不在现行行政区划代码表（GB/T 2260）中")

        year = None
        if year_s:
            if year_s in year_cache:
                year = year_cache[year_s]
            else:
                year = int(year_s) if len(year_s) == 4 and year_s.isdigit() and int(year_s) in years_ok else None
                year_cache[year_s] = year
            if year is None:
                bad("毕业年份", f"毕业年份应为4位年份（{years_ok.start}–{years_ok.stop - 1}）")

        grad_date = None
        if date_s:
            cell = raw[15]
            if cell.__class__ is str:
                if date_s in date_cache:
                    grad_date = date_cache[date_s]
                else:
                    date_cache[date_s] = grad_date = _date_text(date_s)
            elif isinstance(cell, dt.datetime):
                grad_date = cell.date()
            elif isinstance(cell, dt.date):
                grad_date = cell
            if grad_date is None:
                bad("毕业时间", "毕业时间应为日期，格式 YYYY-MM-DD，例如 2027-06-30")
            elif year is not None and grad_date.year != year:
                bad("毕业时间", f"毕业时间应在毕业年份（{year}年）内")

        phone = phone_raw
        if phone_raw and not phone_ok(phone_raw):
            # only the unusual ones pay for check_phone's clean-up (spaces, dashes)
            phone, problem = check_phone(phone_raw)
            if problem:
                bad("手机号码", problem)
        if email and (len(email) > 254 or not EMAIL.match(email)):
            bad("电子邮箱", "电子邮箱格式不正确")
        hukou = YES_NO.get(hukou_s)
        if hukou_s and hukou is None:
            bad("户口是否迁入学校", "请填写“是”或“否”")

        if id_number:
            key = (year_s, id_number)
            first = seen_id.setdefault(key, n)
            if first != n:
                dup_id.setdefault(key, [first]).append(n)
                duplicate = True
        if duplicate or len(errors) != before:
            clean = False
            continue
        record = (
            exam_no, student_no, name, gender, id_number, ethnicity, political, education, dept_id, major_id,
            schooling, mode, unit, region, year, grad_date, phone, email, hukou,
        )
        if on_roster:
            g1, g2 = by_exam.get((year, exam_no)), by_id.get((year, id_number))
            if g1 is not None or g2 is not None:
                problems = _roster_problem(year, g1, g2, school_id)
                if problems:
                    errors += [{"row": n, "column": c, "message": m} for c, m in problems]
                    clean = False
                else:
                    restores[g1[0]] = record
                continue
        if clean:
            sink(record)
            created += 1

    for column, groups in (("考生号", dup_exam.values()), ("身份证号", dup_id.values())):
        for group in groups:
            for n in group:
                others = [str(m) for m in group if m != n]
                shown = "、".join(others[:5]) + ("等" if len(others) > 5 else "")
                add({"row": n, "column": column, "message": f"{column}与第{shown}行重复"})
    return _Outcome(errors=errors, restores=restores, created=created)


def _schooling(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    tenth = Decimal("0.1")
    if not value.is_finite() or not (1 <= value <= 8) or value != value.quantize(tenth):
        return None
    return value.quantize(tenth)


def _date_text(text: str) -> dt.date | None:
    m = DATE_TEXT.match(text)
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


# --------------------------------------------------------------------------- the roster


def _existing(column: str, values: set[str], years: list[int]) -> list[tuple]:
    """Roster rows of these years whose `column` is one of `values`: one query, however many values."""
    if not values or not years:
        return []
    table = connection.ops.quote_name(Graduate._meta.db_table)
    col = connection.ops.quote_name(column)
    fields = "g.id, g.school_id, g.is_valid, g.graduation_year, g.exam_no, g.id_number"
    # the values travel as one text parameter (no 100,000 placeholders, no array adaptation), the
    # database splits them; a value with a comma in it is invalid anyway and just finds nothing
    packed = ",".join(values)
    if connection.vendor == "postgresql":
        sql = (f"SELECT {fields} FROM {table} g JOIN unnest(string_to_array(%s, ',')) AS u(v) ON g.{col} = u.v"
               " WHERE g.graduation_year = ANY(%s::int[])")
        params: list[Any] = [packed, years]
    elif connection.vendor == "sqlite":
        sql = (f"SELECT {fields} FROM {table} g WHERE g.graduation_year IN (SELECT value FROM json_each(%s))"
               f" AND g.{col} IN (SELECT value FROM json_each(%s))")
        params = [json.dumps(years), json.dumps(list(values))]
    else:
        found: list[tuple] = []
        chunk = list(values)
        for i in range(0, len(chunk), 1000):
            found += Graduate.objects.filter(
                graduation_year__in=years, **{f"{column}__in": chunk[i : i + 1000]}
            ).values_list("id", "school_id", "is_valid", "graduation_year", "exam_no", "id_number")
        return found
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def _column_texts(rows: list[list[Any]], index: int) -> set[str]:
    return {v.strip() if v.__class__ is str else _text(v) for v in map(itemgetter(index), rows)} - {""}


def _invalid_of_school(rows: list[list[Any]], school_id: int) -> _Roster:
    """Only this school's invalid graduates of the file's years: what a clean file may restore."""
    years = sorted({int(t) for t in _column_texts(rows, 14) if len(t) == 4 and t.isdigit()})
    found = Graduate.objects.filter(school_id=school_id, is_valid=False, graduation_year__in=years).values_list(
        "id", "school_id", "is_valid", "graduation_year", "exam_no", "id_number"
    )
    found = list(found)
    return _Roster(
        school_id=school_id,
        by_exam={(g[3], g[4]): g for g in found},
        by_id={(g[3], g[5]): g for g in found},
    )


def _roster_lookup(rows: list[list[Any]], school_id: int) -> _Roster:
    """Two set-based queries for every graduate the file could collide with, before any row is checked."""
    years = sorted({int(t) for t in _column_texts(rows, 14) if len(t) == 4 and t.isdigit()})
    id_numbers = {v.upper() for v in _column_texts(rows, 4)}
    return _Roster(
        school_id=school_id,
        by_exam={(g[3], g[4]): g for g in _existing("exam_no", _column_texts(rows, 0), years)},
        by_id={(g[3], g[5]): g for g in _existing("id_number", id_numbers, years)},
    )


INSERT_COLUMNS = (
    "exam_no", "student_no", "name", "gender", "id_number", "ethnicity", "political_status", "education_level",
    "department_id", "major_id", "schooling_years", "training_mode", "directed_unit", "origin_region",
    "graduation_year", "graduation_date", "phone", "email", "hukou_moved_to_school",
    "school_id", "is_valid", "invalid_reason", "created_at", "updated_at",
)
# rows are sent in blocks; psycopg's queued writer sends them from a thread while we validate
COPY_BLOCK_ROWS = 500


class _CopyFeed:
    """Turns records into COPY text lines (validation has already refused tabs, newlines and NULs)."""

    def __init__(self, copy, school_id: int, now: dt.datetime) -> None:
        self.copy = copy
        self.block: list[str] = []
        stamp = now.isoformat()
        self.tail = f"\t{school_id}\tt\t\t{stamp}\t{stamp}\n"

    def __call__(self, r: tuple) -> None:
        line = "\t".join((
            r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], str(r[8]), str(r[9]), str(r[10]), r[11], r[12],
            r[13], str(r[14]), r[15].isoformat(), r[16], r[17], "t" if r[18] else "f",
        ))
        if "\\" in line:  # the one character COPY's text format would read as an escape
            line = line.replace("\\", "\\\\")
        self.block.append(line + self.tail)
        if len(self.block) >= COPY_BLOCK_ROWS:
            self.flush()

    def flush(self) -> None:
        if self.block:
            self.copy.write("".join(self.block))
            self.block.clear()


def _insert_rows(new: list[tuple], school_id: int, now: dt.datetime) -> None:
    """Write the new graduates without the ORM's per-object work (not used on PostgreSQL, which streams COPY)."""
    if connection.vendor == "sqlite":
        stamp = connection.ops.adapt_datetimefield_value(now)
        tail = (school_id, True, "", stamp, stamp)
        sql = (
            f"INSERT INTO {connection.ops.quote_name(Graduate._meta.db_table)} ({', '.join(INSERT_COLUMNS)}) "
            f"VALUES ({', '.join(['%s'] * len(INSERT_COLUMNS))})"
        )
        with connection.cursor() as cur:
            for i in range(0, len(new), SQLITE_BATCH):
                batch = new[i : i + SQLITE_BATCH]
                # the values Django's own adapters would send: Decimal and date as text, bool as 0/1
                cur.executemany(sql, [(*r[:10], str(r[10]), *r[11:15], r[15].isoformat(), *r[16:], *tail)
                                      for r in batch])
        return
    objs = []
    for rec in new:
        values = dict(zip(FIELDS, rec))
        values["department_id"] = values.pop("department")
        values["major_id"] = values.pop("major")
        objs.append(Graduate(school_id=school_id, **values))
    Graduate.objects.bulk_create(objs, batch_size=SQLITE_BATCH)


def _restore(restores: dict[int, tuple], actor, ip: str | None) -> int:
    """Apply the uploaded fields to each invalid graduate, then restore them (hooks, audit, outbox)."""
    update = [f for f in FIELDS if f not in ("exam_no", "graduation_year")]
    pks = sorted(restores)
    count = 0
    for i in range(0, len(pks), 500):
        for g in Graduate.objects.select_for_update().filter(pk__in=pks[i : i + 500]).order_by("pk"):
            if g.is_valid:
                # restored by someone else after our check: the row would now be a duplicate
                raise Conflict("校验期间名单发生了变化，未写入任何数据，请重新上传。")
            for field, value in zip(FIELDS, restores[g.pk]):
                setattr(g, f"{field}_id" if field in ("department", "major") else field, value)
            g.save(update_fields=[*update, "updated_at"])
            restore_graduate(g, actor, how="重新上传名单", ip=ip)
            count += 1
    return count


# --------------------------------------------------------------------------- the import


def _school_for(actor, school: School | None) -> School:
    if actor.role == Role.SCHOOL and actor.school_id:
        if school is not None and school.pk != actor.school_id:
            raise Forbidden("学校用户只能上传本校的毕业生名单。")
        return actor.school
    if actor.role == Role.OPERATOR and school is not None:
        return school
    raise Forbidden("只有学校用户可以上传毕业生名单。")


def _data_rows(rows: list[list[Any]]) -> tuple[list[list[Any]], int]:
    """The rows under the header (trailing blank rows dropped) and the Excel number of the first."""
    head = 0
    while head < len(rows) and _blank(rows[head]):
        head += 1
    if head == len(rows):
        raise DomainError("文件中没有内容：第一行应为模板的表头，从第二行起每行一名毕业生。", code="empty", field="file")
    _check_header([_text(v) for v in rows[head]])
    end = len(rows)
    while end > head + 1 and _blank(rows[end - 1]):
        end -= 1  # blank rows after the data are formatting, not data
    data = rows[head + 1 : end]
    if not data:
        raise DomainError("文件中只有表头，没有毕业生数据。", code="empty", field="file")
    if len(data) > MAX_ROWS:
        raise DomainError(f"单个文件最多 {MAX_ROWS} 行，请分批上传。", code="too_many_rows", field="file")
    return data, head + 2


def roster_import(*, actor, uploaded_file, ip: str | None = None, school: School | None = None) -> RosterImport:
    """Validate the whole file; write nothing if any row is wrong, else write every row in one transaction."""
    school = _school_for(actor, school)
    file_name = PurePath(getattr(uploaded_file, "name", "") or "名单.xlsx").name[:200]
    data, first_row = _data_rows(_read_sheet(uploaded_file))
    total = len(data)
    known = _Known(
        codes={t: code_map(t) for _, t in CODE_TABLES},
        regions=region_codes_in_use(),
        departments=dict(Department.objects.filter(school=school).values_list("code", "id")),
        majors={
            c: (i, d) for c, i, d in Major.objects.filter(school=school).values_list("code", "id", "department_id")
        },
        today=timezone.localdate(),
    )
    now = timezone.now()

    def done(outcome: _Outcome) -> RosterImport:
        imp = RosterImport.objects.create(
            school=school, uploaded_by=actor, file_name=file_name, status=RosterImport.Status.DONE,
            total_rows=total, created_count=outcome.created,
        )
        imp.restored_count = _restore(outcome.restores, actor, ip)
        imp.save(update_fields=["restored_count"])
        audit.record(
            item_type="roster_import", item_id=imp.pk, actor=actor, action="import", action_label="上传毕业生名单",
            data={"total_rows": total, "created": imp.created_count, "restored": imp.restored_count,
                  "file_name": file_name}, ip=ip,
        )
        return imp

    def copy_import(roster: _Roster) -> RosterImport:
        from psycopg.copy import QueuedLibpqWriter

        table = connection.ops.quote_name(Graduate._meta.db_table)
        copy_sql = f"COPY {table} ({', '.join(INSERT_COLUMNS)}) FROM STDIN"
        with transaction.atomic():
            # COPY runs while rows are validated: the server indexes block k while we check block k+1
            with connection.wrap_database_errors, connection.cursor() as cur:
                # check the foreign keys row by row during COPY (overlapping our validation on the
                # other core) instead of all 300,000 at commit, where nothing else can run
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
                with cur.copy(copy_sql, writer=QueuedLibpqWriter(cur.cursor)) as copy:
                    feed = _CopyFeed(copy, school.pk, now)
                    outcome = _validate(data, first_row, known, roster, feed)
                    if outcome.errors:
                        raise _Rejected(outcome)
                    feed.flush()
            return done(outcome)

    try:
        if connection.vendor == "postgresql":
            # Optimistic first: a clean file collides with no valid graduate, and the unique
            # constraints on (毕业年份, 考生号) and (毕业年份, 身份证号) would refuse one if it did. So look up
            # only this school's invalid graduates (to restore) and skip the 100,000-key roster join.
            try:
                return copy_import(_invalid_of_school(data, school.pk))
            except (IntegrityError, _Rejected):
                pass  # a bad file: redo with the full roster lookup, so the report names every collision too
            return copy_import(_roster_lookup(data, school.pk))
        roster = _roster_lookup(data, school.pk)
        new: list[tuple] = []
        outcome = _validate(data, first_row, known, roster, new.append)
        if not outcome.errors:
            with transaction.atomic():
                _insert_rows(new, school.pk, now)
                return done(outcome)
    except _Rejected as rejected:
        outcome = rejected.outcome
    except IntegrityError:
        # another upload or edit took one of these 考生号/身份证号 after our check
        raise Conflict("校验期间名单发生了变化（考生号或身份证号已被占用），未写入任何数据，请重新上传。") from None

    errors = _row_errors_sorted(outcome.errors)
    if len(errors) > MAX_STORED_ERRORS:
        left = len(errors) - MAX_STORED_ERRORS
        errors = errors[:MAX_STORED_ERRORS] + [
            {"row": None, "column": "", "message": f"另有 {left} 个问题未列出，请先改正以上问题后重新上传。"}
        ]
    return RosterImport.objects.create(
        school=school, uploaded_by=actor, file_name=file_name, status=RosterImport.Status.FAILED,
        total_rows=total, errors=errors,
    )


def _row_errors_sorted(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(errors, key=lambda e: (e["row"], COL_INDEX.get(e["column"], -1)))


# --------------------------------------------------------------------------- error report


def _safe(value: Any) -> str:
    """Cell text that spreadsheet programs will not run as a formula."""
    from gradreg.common.xlsx import safe_cell

    # Always text, as before: the report's 行号 column may hold a non-number, and "-2" must stay "'-2".
    return str(safe_cell("" if value is None else str(value)))


def errors_workbook(roster_import: RosterImport) -> bytes:
    """The import's problems as .xlsx: 行号, 列, 问题."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
    ws = wb.add_worksheet("校验问题")
    head = wb.add_format({"bold": True, "bg_color": "#DDE6F0", "border": 1})
    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, 18)
    ws.set_column(2, 2, 80)
    ws.write_row(0, 0, ["行号", "列", "问题"], head)
    for r, e in enumerate(_iter_errors(roster_import.errors), start=1):
        if isinstance(e.get("row"), int):
            ws.write_number(r, 0, e["row"])
        else:
            ws.write_string(r, 0, _safe(e.get("row")))
        ws.write_string(r, 1, _safe(e.get("column")))
        ws.write_string(r, 2, _safe(e.get("message")))
    ws.freeze_panes(1, 0)
    wb.close()
    return buf.getvalue()


def _iter_errors(errors: Iterable[Any]) -> Iterable[dict[str, Any]]:
    for e in errors or []:
        yield e if isinstance(e, dict) else {"row": None, "column": "", "message": str(e)}
