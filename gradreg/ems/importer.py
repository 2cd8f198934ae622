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
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

import xlsxwriter
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from psycopg.copy import QueuedLibpqWriter
from stdnum.cn import ric

from gradreg.accounts.models import Role
from gradreg.codes.loader import code_map, region_codes_in_use, region_problem, retired_regions
from gradreg.common.errors import Conflict, Forbidden
from gradreg.common.sheets import Limits, Sheet
from gradreg.organisations.models import Department, Major, School
from gradreg.workflow import audit
from gradreg.workflow.imports import Column, ImportSpec, Invalid, RowCheck, RowError, Unique, summarised
from gradreg.workflow.imports import errors_workbook as import_errors_workbook

from .models import Graduate, RosterImport
from .services import restore_graduate
from .validation import (
    COHORT_YEARS_AHEAD,
    PHONE,
    ROSTER_FIELDS,
    check_birth_date,
    check_id_format,
    check_id_number,
    check_phone,
    directed_unit_problem,
    email_problem,
    graduation_date_problem,
    name_problem,
    schooling_years_problem,
)

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
DATE_TEXT = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
REGION = re.compile(r"^\d{6}$")

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
    ws.set_column(0, len(COLUMNS) - 1, 16, text)
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


# --------------------------------------------------------------------------- the columns and their checks


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
    """check_id_format, with its slow part (the birthplace lookup) memoised per region and birth year.

    For a number with the right length, digits, check digit and birth date, check_id_format's
    answer depends only on the first 6 digits and the birth year, so one real call per pair
    decides every such number; any other number goes to check_id_format itself for the message.
    The birth date against today and the cohort is checked per row (_old_enough).
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
                        self.place[key] = check_id_format(value)[1]
                    return value, self.place[key]
        return check_id_format(raw)


@dataclass
class _Known:
    """Everything a row is checked against, loaded once per import."""

    codes: dict[str, dict[str, str]]
    regions: frozenset[str]
    departments: dict[str, int]
    majors: dict[str, tuple[int, int | None]]
    today: dt.date
    check_id: _IdChecker = field(default_factory=_IdChecker)

    def __post_init__(self) -> None:
        self.major_department = dict(self.majors.values())
        self.major_code = {i: c for c, (i, _) in self.majors.items()}
        self.department_code = {i: c for c, i in self.departments.items()}
        self.years = range(2000, self.today.year + COHORT_YEARS_AHEAD + 1)


def _code(table: str, message: str) -> Callable[[str, Any, _Known], str]:
    def parse(text: str, cell: Any, known: _Known) -> str:
        code = _lookup(text, known.codes[table])
        if code is None:
            raise Invalid(message.format(text=text))
        return code

    return parse


def _exam_no(text: str, cell: Any, known: _Known) -> str:
    if not EXAM_NO.match(text):
        raise Invalid("考生号只能由数字和字母组成，最多20位")
    return text


def _name_start(value: str, known: _Known) -> str | None:
    return name_problem(value)


def _not_example(value: str, known: _Known) -> str | None:
    return "这是模板中的示例行，请删除后再上传" if value == EXAMPLE_NAME else None


def _id_number(text: str, cell: Any, known: _Known) -> str:
    value, problem = known.check_id(text)
    problem = problem or check_birth_date(value, today=known.today)
    if problem:
        raise Invalid(problem)
    return value


def _department(text: str, cell: Any, known: _Known) -> int:
    key = _lookup(text, known.departments)
    if key is None:
        raise Invalid(f"院系代码“{text}”不是本校的院系")
    return known.departments[key]


def _major(text: str, cell: Any, known: _Known) -> int:
    key = _lookup(text, known.majors)
    if key is None:
        raise Invalid(f"专业代码“{text}”不是本校的专业")
    return known.majors[key][0]


def _schooling(text: str, cell: Any = None, known: Any = None) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    problem = schooling_years_problem(value)
    if problem:
        raise Invalid(problem)
    return value.quantize(Decimal("0.1"))


def _training_mode(text: str, cell: Any, known: _Known) -> str:
    modes = known.codes["pyfs"]
    if text not in modes:
        raise Invalid(f"培养方式代码“{text}”无效，应为 " + "、".join(sorted(modes, key=lambda c: (len(c), c))))
    return text


def _region(text: str, cell: Any, known: _Known) -> str:
    if not REGION.match(text):
        raise Invalid("生源所在地应为6位行政区划代码")
    if text not in known.regions:
        raise Invalid(region_problem(text, "生源所在地") or "")
    return text


def _year(text: str, cell: Any, known: _Known) -> int:
    years = known.years
    if len(text) == 4 and text.isdigit() and int(text) in years:
        return int(text)
    raise Invalid(f"毕业年份应为4位年份（{years.start}–{years.stop - 1}）")


def _date(text: str, cell: Any, known: _Known) -> dt.date:
    if cell.__class__ is str:
        m = DATE_TEXT.match(text)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                pass
    elif isinstance(cell, dt.datetime):
        return cell.date()
    elif isinstance(cell, dt.date):
        return cell
    raise Invalid("毕业时间应为日期，格式 YYYY-MM-DD，例如 2027-06-30")


def _phone(text: str, cell: Any, known: _Known) -> str:
    if PHONE.match(text):
        return text
    # only the unusual ones pay for check_phone's clean-up (spaces, dashes)
    value, problem = check_phone(text)
    if problem:
        raise Invalid(problem)
    return value


def _email(text: str, cell: Any, known: _Known) -> str:
    problem = email_problem(text)
    if problem:
        raise Invalid(problem)
    return text


def _yes_no(text: str, cell: Any, known: _Known) -> bool:
    if text not in YES_NO:
        raise Invalid("请填写“是”或“否”")
    return YES_NO[text]


def _major_in_department(values: list[Any], known: _Known) -> tuple[str, str] | None:
    major, department = values[COL_INDEX["专业代码"]], values[COL_INDEX["院系代码"]]
    major_dept = known.major_department[major]
    if major_dept is not None and major_dept != department:
        return "专业代码", f"专业“{known.major_code[major]}”不属于院系“{known.department_code[department]}”"
    return None


def _directed_unit(values: list[Any], known: _Known) -> tuple[str, str] | None:
    unit = values[COL_INDEX["定向/委培单位"]]  # BAD (a value too long) still counts as filled in
    problem = directed_unit_problem(values[COL_INDEX["培养方式"]], unit)
    return ("定向/委培单位", problem) if problem else None


def _date_in_year(values: list[Any], known: _Known) -> tuple[str, str] | None:
    problem = graduation_date_problem(values[COL_INDEX["毕业时间"]], values[COL_INDEX["毕业年份"]])
    return ("毕业时间", problem) if problem else None


def _old_enough(values: list[Any], known: _Known) -> tuple[str, str] | None:
    """The ID number's birth date against this row's 毕业时间 (the same check as every other entry point)."""
    problem = check_birth_date(values[COL_INDEX["身份证号"]], graduation=values[COL_INDEX["毕业时间"]], today=known.today)
    return ("身份证号", problem) if problem else None


# Excel drops the leading zeros of an identifier stored as a number: refused, never silently changed
_NUMBER_CELL = "{column}被存成了数字（开头的0会丢失），请把该列设为文本格式后重新填写"

SPEC = ImportSpec(
    item="毕业生",
    ordered=True,  # the template's order: a file with swapped columns is refused, not guessed at
    columns=(
        Column("考生号", "exam_no", required=True, parse=_exam_no, text_only=_NUMBER_CELL.format(column="考生号")),
        Column("学号", "student_no", max_length=ROSTER_FIELDS["student_no"].max_length,
               text_only=_NUMBER_CELL.format(column="学号")),
        Column("姓名", "name", required=True, max_length=ROSTER_FIELDS["name"].max_length,
               checks=(_name_start, _not_example)),
        Column("性别", "gender", required=True, memo=True, parse=_code("xb", "性别代码“{text}”无效，应为 1（男）或 2（女）")),
        Column("身份证号", "id_number", required=True, parse=_id_number,
               text_only="身份证号被存成了数字（会丢失末几位），请把该列设为文本格式后重新填写"),
        Column("民族", "ethnicity", required=True, memo=True, parse=_code("mz", "民族代码“{text}”不在代码表中")),
        Column("政治面貌", "political_status", required=True, memo=True,
               parse=_code("zzmm", "政治面貌代码“{text}”不在代码表中")),
        Column("学历层次", "education_level", required=True, memo=True,
               parse=_code("xl", "学历层次代码“{text}”不在代码表中")),
        Column("院系代码", "department", required=True, memo=True, parse=_department),
        Column("专业代码", "major", required=True, memo=True, parse=_major),
        Column("学制", "schooling_years", required=True, memo=True, parse=_schooling),
        Column("培养方式", "training_mode", required=True, memo=True, parse=_training_mode),
        Column("定向/委培单位", "directed_unit", max_length=ROSTER_FIELDS["directed_unit"].max_length),
        Column("生源所在地", "origin_region", required=True, memo=True, parse=_region),
        Column("毕业年份", "graduation_year", required=True, memo=True, parse=_year),
        Column("毕业时间", "graduation_date", required=True, memo=True, parse=_date),
        Column("手机号码", "phone", parse=_phone),
        Column("电子邮箱", "email", parse=_email),
        Column("户口是否迁入学校", "hukou_moved_to_school", required=True, memo=True, parse=_yes_no),
    ),
    row_checks=(
        RowCheck(("院系代码", "专业代码"), _major_in_department),
        RowCheck(("培养方式",), _directed_unit),
        RowCheck(("毕业年份", "毕业时间"), _date_in_year),
        RowCheck(("身份证号", "毕业时间"), _old_enough),
    ),
    unique=(Unique("考生号"), Unique("身份证号", within=("毕业年份",))),
)
assert SPEC.headers == COLUMNS and tuple(c.key for c in SPEC.columns) == FIELDS


# --------------------------------------------------------------------------- validation


@dataclass
class _Roster:
    """Graduates already on the roster with one of the file's 考生号 or 身份证号 (any school)."""

    school_id: int
    by_exam: dict[tuple[int, str], tuple]
    by_id: dict[tuple[int, str], tuple]


@dataclass
class _Outcome:
    errors: list[RowError]
    restores: dict[int, list]  # invalid graduate pk -> the row's values (FIELDS order)
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


def _validate(sheet: Sheet, known: _Known, roster: _Roster, sink: Callable[[list], None]) -> _Outcome:
    """Check every row; hand each new clean row to `sink` while the file is still clean so far.

    Rows go to `sink` as they pass, so on PostgreSQL the server indexes them while the next rows
    are checked; the first problem stops the feed and the caller rolls back what was sent.
    """
    checking = SPEC.check(sheet, known)
    restores: dict[int, list] = {}
    created = 0
    by_exam, by_id, school_id = roster.by_exam, roster.by_id, roster.school_id
    on_roster = bool(by_exam or by_id)
    for n, record in checking:
        if on_roster:
            year = record[14]
            g1, g2 = by_exam.get((year, record[0])), by_id.get((year, record[4]))
            if g1 is not None or g2 is not None:
                problems = _roster_problem(year, g1, g2, school_id)
                for column, message in problems:
                    checking.reject(n, column, message)
                if not problems:
                    restores[g1[0]] = record
                continue
        if checking.clean:
            sink(record)
            created += 1
    return _Outcome(errors=checking.finish(), restores=restores, created=created)


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


def _years(sheet: Sheet) -> list[int]:
    return sorted({int(t) for t in sheet.texts("毕业年份") if len(t) == 4 and t.isdigit()})


def _invalid_of_school(sheet: Sheet, school_id: int) -> _Roster:
    """Only this school's invalid graduates of the file's years: what a clean file may restore."""
    years = _years(sheet)
    found = Graduate.objects.filter(school_id=school_id, is_valid=False, graduation_year__in=years).values_list(
        "id", "school_id", "is_valid", "graduation_year", "exam_no", "id_number"
    )
    found = list(found)
    return _Roster(
        school_id=school_id,
        by_exam={(g[3], g[4]): g for g in found},
        by_id={(g[3], g[5]): g for g in found},
    )


def _roster_lookup(sheet: Sheet, school_id: int) -> _Roster:
    """Two set-based queries for every graduate the file could collide with, before any row is checked."""
    years = _years(sheet)
    # in the form the rows are written in: a full-width copy of a number on the roster finds it
    id_numbers = {v.upper() if v.isascii() else check_id_number(v)[0] for v in sheet.texts("身份证号")}
    return _Roster(
        school_id=school_id,
        by_exam={(g[3], g[4]): g for g in _existing("exam_no", sheet.texts("考生号"), years)},
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


def _insert_rows(new: list[list], school_id: int, now: dt.datetime) -> None:
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


def _restore(restores: dict[int, list], actor, ip: str | None) -> int:
    """Apply the uploaded fields to each invalid graduate, then restore them (hooks, audit, outbox)."""
    update = [f for f in FIELDS if f not in ("exam_no", "graduation_year")]
    pks = sorted(restores)
    count = 0
    for i in range(0, len(pks), 500):
        for g in Graduate.objects.select_for_update().filter(pk__in=pks[i : i + 500]).order_by("pk"):
            if g.is_valid:
                # restored by someone else after our check: the row would now be a duplicate
                raise Conflict("校验期间名单发生了变化，未写入任何数据，请重新上传。")
            for name, value in zip(FIELDS, restores[g.pk]):
                setattr(g, f"{name}_id" if name in ("department", "major") else name, value)
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


def _limits() -> Limits:
    # read at each upload: settings and these module values may change at run time (tests, operators)
    return Limits(max_bytes=settings.ROSTER_UPLOAD_MAX_BYTES, max_rows=MAX_ROWS, max_inflate_ratio=MAX_INFLATE_RATIO)


def roster_import(*, actor, uploaded_file, ip: str | None = None, school: School | None = None) -> RosterImport:
    """Validate the whole file; write nothing if any row is wrong, else write every row in one transaction."""
    school = _school_for(actor, school)
    file_name = PurePath(getattr(uploaded_file, "name", "") or "名单.xlsx").name[:200]
    data = SPEC.read(uploaded_file, limits=_limits())
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
    retired_regions()  # read now: on PostgreSQL rows are checked while the COPY runs, when no query may run
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
                  "file_name": file_name}, ip=ip, school_id=imp.school_id,
        )
        return imp

    def copy_import(roster: _Roster) -> RosterImport:
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
                    outcome = _validate(data, known, roster, feed)
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
        new: list[list] = []
        outcome = _validate(data, known, roster, new.append)
        if not outcome.errors:
            with transaction.atomic():
                _insert_rows(new, school.pk, now)
                return done(outcome)
    except _Rejected as rejected:
        outcome = rejected.outcome
    except IntegrityError:
        # another upload or edit took one of these 考生号/身份证号 after our check
        raise Conflict("校验期间名单发生了变化（考生号或身份证号已被占用），未写入任何数据，请重新上传。") from None

    return RosterImport.objects.create(
        school=school, uploaded_by=actor, file_name=file_name, status=RosterImport.Status.FAILED,
        total_rows=total, errors=[e.as_dict() for e in summarised(outcome.errors, MAX_STORED_ERRORS)],
    )


# --------------------------------------------------------------------------- error report


def errors_workbook(roster_import: RosterImport) -> bytes:
    """The import's problems as .xlsx: 行号, 列, 问题."""
    return import_errors_workbook(roster_import.errors)
