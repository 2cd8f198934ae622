"""档案/户口信息 批量导入 (seed 4.3.1): the template, the region code table, the all-or-nothing import.

One code path for both modules, generated from the module's declaration (`Module.fields`): the template's
columns are 考生号, 姓名, 身份证号 and the module's fields by their labels; every cell goes through the
module's validator (`transfer_validation.field_value`). A department (or the school) registers each row's
info directly, as `services.write_record` does (no school review, audited, sent to EMS), but a file with any
problem writes nothing, and a clean file is written set-based: the graduates' rows locked once, the records
created or updated in bulk, one audit event and one outbox event per record in a few statements.
"""
from __future__ import annotations

import io
from collections import namedtuple
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import PurePath
from typing import Any

import xlsxwriter
from django.conf import settings
from django.db import connection
from django.utils import timezone

from gradreg.codes.models import Region
from gradreg.common import bulk
from gradreg.common.errors import DomainError, Forbidden, get_in_scope
from gradreg.common.roles import Role
from gradreg.common.sheets import Limits, Sheet
from gradreg.common.xlsx import xlsx_response
from gradreg.ems.selectors import graduates_visible_to
from gradreg.ems.transfer_modules import INFO_COLUMNS, Field, Module
from gradreg.ems.transfer_validation import field_value, info_of, type_choices
from gradreg.ems.validation import text_problem
from gradreg.roster.changes import tell_many
from gradreg.roster.gates import cohort_may_act
from gradreg.workflow import audit
from gradreg.workflow.imports import Column, ImportSpec, Invalid, Rejected, Unique, kept_outcome
from gradreg.workflow.imports import errors_workbook as import_errors_workbook
from gradreg.workflow.models import OutboxEvent
from gradreg.workflow.tasks import schedule_delivery

from . import records
from .models import RecordSource, RecordState, TransferImport, TransferRecord
from .selectors import ensure_staff

KEY_COLUMNS = ("考生号", "姓名", "身份证号")
EXAM_NO_MAX = 20
NAME_MAX = 50
ID_MAX = 18
CODES_SHEET = "填写说明"
MAX_ROWS = getattr(settings, "TRANSFER_IMPORT_MAX_ROWS", 50_000)
MAX_STORED_ERRORS = 50_000
MAX_INFLATE_RATIO = 30
# graduates looked up (and locked) per query: a file of up to this many rows in one (each query reads the
# school's graduates once), a bigger one in a few
CHUNK = 20_000

_NUMBER_CELL = "{column}被存成了数字（开头的0或末几位会丢失），请把该列设为文本格式后重新填写"


# --------------------------------------------------------------------------- the columns


def headers(m: Module) -> tuple[str, ...]:
    """The template's columns, in order."""
    return (*KEY_COLUMNS, *(f.label for f in m.fields))


def _cell(m: Module, f: Field):
    def parse(text: str, cell: Any, context: Any) -> str:
        value, problem = field_value(m, f, text)
        if problem:
            raise Invalid(problem)
        return value
    return parse


def _key_text(label: str, max_length: int):
    def check(value: str, context: Any) -> str | None:
        return text_problem(label, value, max_length)
    return check


@cache
def spec(m: Module) -> ImportSpec:
    """The module's import, declared from its fields (one per module, built once)."""
    return ImportSpec(
        item="毕业生",
        ordered=True,  # the template's order: another module's (or the roster's) file is refused, not guessed at
        columns=(
            Column("考生号", "exam_no", required=True, checks=(_key_text("考生号", EXAM_NO_MAX),),
                   text_only=_NUMBER_CELL.format(column="考生号")),
            Column("姓名", "name", required=True, checks=(_key_text("姓名", NAME_MAX),)),
            Column("身份证号", "id_number", required=True, checks=(_key_text("身份证号", ID_MAX),),
                   text_only=_NUMBER_CELL.format(column="身份证号")),
            # few distinct values (types, regions, postcodes): each text is checked once per file
            *(Column(f.label, f.name, required=f.required, parse=_cell(m, f),
                     memo=f.kind in ("choice", "region", "postcode")) for f in m.fields),
        ),
        unique=(Unique("考生号"),),
    )


# --------------------------------------------------------------------------- the template and the region table


def _rules(f: Field) -> str:
    kinds = {
        "choice": "填写类型名称或代码（见上表）",
        "region": "6位现行行政区划代码（GB/T 2260），见“下载地区代码表”",
        "postcode": "6位数字",
        "phone": "11位手机号码，或带区号的固定电话（如020-12345678）",
        "text": f"最多{f.max_length}个字符",
    }
    parts = ["必填" if f.required else "选填", kinds[f.kind]]
    if f.help:
        parts.append(f.help)
    return "；".join(parts)


def build_template(m: Module) -> bytes:
    """The module's import template: the header, and a sheet with the type options and every column's rule."""
    cols = headers(m)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
    head = wb.add_format({"bold": True, "bg_color": "#DDE6F0", "border": 1})
    text = wb.add_format({"num_format": "@"})
    ws = wb.add_worksheet(m.info)
    # text format keeps every digit of 考生号 and 身份证号, and the leading zeros of codes, when users type
    ws.set_column(0, len(cols) - 1, 22, text)
    ws.write_row(0, 0, cols, head)
    ws.freeze_panes(1, 0)
    ws.write_comment(0, 0, "考生号确定毕业生；姓名、身份证号须与名单一致。各列的填写要求见“填写说明”工作表。")
    type_col = len(KEY_COLUMNS) + [f.kind for f in m.fields].index("choice")
    ws.data_validation(1, type_col, MAX_ROWS, type_col,
                       {"validate": "list", "source": [name for _, name in type_choices(m)],
                        "error_type": "warning"})

    cs = wb.add_worksheet(CODES_SHEET)
    cs.set_column(0, 0, 24)
    cs.set_column(1, 1, 10)
    cs.set_column(2, 2, 70)
    choice = next(f for f in m.fields if f.kind == "choice")
    cs.write_row(0, 0, [choice.label, "代码", "名称"], head)
    r = 1
    for code, name in type_choices(m):
        cs.write_row(r, 0, [choice.label, code, name])
        r += 1
    r += 1
    cs.write_row(r, 0, ["列名", "是否必填", "填写要求"], head)
    r += 1
    key_rules = (
        ("考生号", "必填", "确定毕业生：须为本单位、本模块学生名单中的有效毕业生；同一文件中不能重复"),
        ("姓名", "必填", "须与名单中该考生号的毕业生一致"),
        ("身份证号", "必填", "须与名单中该考生号的毕业生一致"),
    )
    for row in key_rules:
        cs.write_row(r, 0, row)
        r += 1
    for f in m.fields:
        cs.write_row(r, 0, [f.label, "必填" if f.required else "选填", _rules(f)])
        r += 1
    r += 1
    for note in ("第一行为表头，请保持列名和顺序；从第二行起每行一名毕业生，数据中间不能有空行。",
                 "请直接填写值，不要使用公式。任何一行有问题时整个文件都不会写入，并列出每一处问题。",
                 "导入即登记（无需学校审核），并报送就业管理系统；与已登记信息相同的行不作修改。"):
        cs.write_string(r, 0, note)
        r += 1
    wb.close()
    return buf.getvalue()


REGION_HEADERS = ["代码", "名称", "所属省份"]


def region_rows() -> Iterator[tuple[str, str, str]]:
    """The GB/T 2260 codes in use, in code order."""
    return Region.objects.filter(valid_to="").order_by("code").values_list("code", "name", "province").iterator(
        chunk_size=2000)


def region_table_response():
    return xlsx_response(filename="地区代码表.xlsx", sheet="地区代码", headers=REGION_HEADERS, rows=region_rows())


# --------------------------------------------------------------------------- the graduates


GRADUATE_FIELDS = ("id", "exam_no", "name", "id_number", "is_valid", "graduation_year", "hukou_moved_to_school",
                   "school_id", "department_id")
# a graduate as the import reads it: its row's values (no model instance per row); `pk` as on the model
_Graduate = namedtuple("_Graduate", ("pk", *GRADUATE_FIELDS[1:]))


@dataclass
class _Match:
    """A checked row: its graduate and its clean info."""

    row: int
    graduate: _Graduate
    info: dict[str, str]


@dataclass
class _Scope:
    actor: Any
    module: Module
    school_id: int
    cohorts: dict[int, bool] = field(default_factory=dict)

    def may_act(self, year: int) -> bool:
        if year not in self.cohorts:
            self.cohorts[year] = cohort_may_act(year)
        return self.cohorts[year]


def _graduates(scope: _Scope, exam_nos: list[str]) -> dict[str, _Graduate]:
    """The graduates of these 考生号 in the actor's scope, locked: one query per chunk. A 考生号 held by
    graduates of several years names the valid one of the latest year."""
    qs = (graduates_visible_to(scope.actor).filter(bulk.one_of("exam_no", exam_nos)).select_for_update(of=("self",))
          .order_by("is_valid", "graduation_year", "pk").values_list(*GRADUATE_FIELDS))
    found: dict[str, _Graduate] = {}
    for g in map(_Graduate._make, qs):
        found[g.exam_no] = g  # the last one wins: valid before invalid, the latest year
    return found


def _check_rows(scope: _Scope, checking, chunk: list[tuple[int, list[Any]]], index: dict[str, int],
                out: list[_Match]) -> None:
    m = scope.module
    found = _graduates(scope, [values[0] for _, values in chunk])
    reject = checking.reject
    for n, values in chunk:
        exam_no, name, id_number = values[0], values[1], values[2]
        g = found.get(exam_no)
        if g is None:
            reject(n, "考生号", f"未找到考生号为“{exam_no}”的毕业生，或该毕业生不在您的管理范围内")
            continue
        if not m.on_roster(g):
            reject(n, "考生号", f"{g.name}的户口未迁入学校，不在{m.title}的学生名单中，不能导入")
            continue
        if not g.is_valid:
            reject(n, "考生号", f"{g.name}已从就业管理系统名单中删除（失效），不能登记")
            continue
        if not scope.may_act(g.graduation_year):
            reject(n, "考生号", f"{g.graduation_year}届毕业生已过办理期限，不能登记")
            continue
        bad = False
        if name != g.name:
            reject(n, "姓名", "姓名与名单中该考生号的毕业生不一致")
            bad = True
        if id_number.upper() != g.id_number.upper():
            reject(n, "身份证号", "身份证号与名单中该考生号的毕业生不一致")
            bad = True
        if not bad and checking.clean:
            out.append(_Match(n, g, {name: values[i] if i is not None else "" for name, i in index.items()}))


# --------------------------------------------------------------------------- the writer


@dataclass
class _Written:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _existing(school_id: int, m: Module, graduate_ids: list[int]) -> dict[int, TransferRecord]:
    """The graduates' records of the module, locked (their graduates are locked already)."""
    found: dict[int, TransferRecord] = {}
    step = len(graduate_ids) or 1 if connection.vendor == "postgresql" else CHUNK
    for i in range(0, len(graduate_ids), step):
        qs = TransferRecord.objects.select_for_update().filter(bulk.one_of("graduate_id", graduate_ids[i : i + step]),
                                                                school_id=school_id, kind=m.kind)
        found.update((r.graduate_id, r) for r in qs)
    return found


def _changes(before: dict[str, str], after: dict[str, str]) -> dict[str, list[str]]:
    """[before, after] of each info column that changed (as `services.write_record` audits them)."""
    if not before:  # a first registration: every filled column
        return {n: ["", v] for n in INFO_COLUMNS if (v := after.get(n, ""))}
    return {n: [before.get(n, ""), after.get(n, "")] for n in INFO_COLUMNS if before.get(n, "") != after.get(n, "")}


OUTBOX_FIELDS = ("topic", "school_id", "idempotency_key", "payload", "status", "attempts", "last_error", "created_at",
                 "available_at")
UPDATED = ("state", "source", "registered_at", "inactive_at", "version", "department_id", "updated_at", *INFO_COLUMNS)
# a record written, as the outbox payload and the events read it (a new one has no instance)
_Saved = namedtuple("_Saved", ("pk", "kind", "version", *INFO_COLUMNS))


def _write(scope: _Scope, matches: list[_Match], ip: str | None) -> _Written:
    """Every matched row registered: new records in one COPY (rows, no instances), changed ones in bulk, one
    audit event and one outbox event per written record, one important-fields signal for them all."""
    m, actor, school_id = scope.module, scope.actor, scope.school_id
    now = timezone.now()
    existing = _existing(school_id, m, [x.graduate.pk for x in matches])
    written = _Written()
    new: list[_Match] = []
    changed: list[tuple[TransferRecord, _Match, dict, list[str], str]] = []
    for x in matches:
        record = existing.get(x.graduate.pk)
        if record is None:
            new.append(x)
            continue
        state = record.state
        before = info_of(record) if record.registered else {}
        if record.registered and before == x.info:
            written.unchanged += 1
            continue
        fields = records.fill(record, x.graduate, x.info, source=RecordSource.IMPORT, now=now)
        changed.append((record, x, before, fields, state))
    ids = bulk.insert_with_ids(TransferRecord, records.FIRST_FIELDS, (
        records.first_row(x.graduate, school_id, m, x.info, source=RecordSource.IMPORT, now=now) for x in new), len(new))
    bulk.update_rows(TransferRecord, UPDATED, [(r.pk, *[getattr(r, a) for a in UPDATED]) for r, *_ in changed])
    written.created, written.updated = len(new), len(changed)
    # (record, graduate, info before, info after, state before, important fields changed)
    done = [(_Saved(pk, m.kind, 1, *[x.info.get(n, "") for n in INFO_COLUMNS]), x.graduate, {}, x.info,
             RecordState.NONE, records.important_changes({}, x.info)) for pk, x in zip(ids, new)]
    done += [(record, x.graduate, before, x.info, state, fields) for record, x, before, fields, state in changed]
    label = RecordSource(RecordSource.IMPORT).label
    labels = {False: f"登记{m.info}（{label}）", True: f"修改{m.info}（{label}）"}
    audit.record_many([
        dict(item_type=m.item_type, item_id=record.pk, school_id=school_id,
             action="edit" if before else "register", action_label=labels[bool(before)],
             from_state=state, to_state=RecordState.REGISTERED, data={"changes": _changes(before, after)})
        for record, _, before, after, state, _ in done
    ], actor=actor, ip=ip, at=now)
    pending = OutboxEvent.Status.PENDING
    bulk.insert_rows(OutboxEvent, OUTBOX_FIELDS, (
        (m.topic, school_id, records.event_key(m, record), records.payload(record, graduate), pending, 0, "", now, now)
        for record, graduate, *_ in done))
    if done:
        schedule_delivery()
    tell_many(TransferRecord, kind=m.kind, changes=[(graduate.pk, record.pk, fields)
                                                    for record, graduate, *_, fields in done])
    return written


# --------------------------------------------------------------------------- the import


def _limits() -> Limits:
    # read at each upload: settings may change at run time (tests, operators)
    return Limits(max_bytes=settings.ROSTER_UPLOAD_MAX_BYTES, max_rows=MAX_ROWS, max_inflate_ratio=MAX_INFLATE_RATIO)


def _read(m: Module, uploaded_file) -> Sheet:
    try:
        return spec(m).read(uploaded_file, limits=_limits())
    except DomainError as e:
        if e.code != "wrong_columns":
            raise
        raise DomainError(f"这不是{m.title}的批量导入模板：{e.message}", code=e.code, field=e.field) from None


def ensure_importer(actor, m: Module) -> None:
    """院系 and 学校 users import (a department its own graduates, the school every one of its graduates)."""
    ensure_staff(actor, m)
    if not actor.school_id or (actor.role == Role.DEPARTMENT and not actor.department_id):
        raise Forbidden(f"只有院系、学校用户可以批量导入{m.info}。")


def transfer_import(*, actor, module: Module, uploaded_file, ip: str | None = None) -> TransferImport:
    """Check every row; write nothing if any is wrong, else register every row in one transaction.
    The outcome is kept as a `TransferImport` either way."""
    m = module
    ensure_importer(actor, m)
    file_name = PurePath(getattr(uploaded_file, "name", "") or "导入.xlsx").name[:200]
    sheet = _read(m, uploaded_file)
    total = len(sheet)
    scope = _Scope(actor=actor, module=m, school_id=actor.school_id)
    keys = spec(m).columns
    index = {name: next((i for i, c in enumerate(keys) if c.key == name), None) for name in INFO_COLUMNS}
    kept = dict(school_id=actor.school_id, department_id=actor.department_id if actor.role == Role.DEPARTMENT else None,
                kind=m.kind, uploaded_by=actor, file_name=file_name, total_rows=total)
    def run() -> dict[str, int]:
        with bulk.many_objects():
            checking = spec(m).check(sheet)
            matches: list[_Match] = []
            chunk: list[tuple[int, list[Any]]] = []
            for row in checking:
                chunk.append(row)
                if len(chunk) >= CHUNK:
                    _check_rows(scope, checking, chunk, index, matches)
                    chunk = []
            if chunk:
                _check_rows(scope, checking, chunk, index, matches)
            errors = checking.finish()
            if errors:
                raise Rejected(errors)
            written = _write(scope, matches, ip)
        return {"created_count": written.created, "updated_count": written.updated,
                "unchanged_count": written.unchanged}

    return kept_outcome(TransferImport, kept, run, max_errors=MAX_STORED_ERRORS,
                        record=lambda imp: _audit_import(imp, ip))


def _audit_import(imp: TransferImport, ip: str | None) -> None:
    audit.record(item_type="transfer_import", item_id=imp.pk, actor=imp.uploaded_by, action="import",
                 action_label=f"批量导入{imp.module.info}",
                 data={"status": imp.status, "total_rows": imp.total_rows, "created": imp.created_count,
                       "updated": imp.updated_count, "unchanged": imp.unchanged_count, "file_name": imp.file_name,
                       "problems": len(imp.errors)},
                 ip=ip, school_id=imp.school_id)


# --------------------------------------------------------------------------- the report


MISSING = "未找到该导入记录，或您无权查看。"


def import_get_for(actor, m: Module, pk: Any) -> TransferImport:
    """One import of this module in the actor's scope (a department: its own; the school: all of its)."""
    ensure_importer(actor, m)
    qs = TransferImport.objects.filter(school_id=actor.school_id, kind=m.kind)
    if actor.role == Role.DEPARTMENT:
        qs = qs.filter(department_id=actor.department_id)
    return get_in_scope(qs, pk, MISSING)


def imports_of(actor, m: Module, limit: int = 10) -> list[TransferImport]:
    """The latest imports the actor may see, newest first."""
    ensure_importer(actor, m)
    qs = TransferImport.objects.filter(school_id=actor.school_id, kind=m.kind)
    if actor.role == Role.DEPARTMENT:
        qs = qs.filter(department_id=actor.department_id)
    return list(qs.defer("errors")[:limit])


def errors_workbook(imp: TransferImport) -> bytes:
    """The import's problems as .xlsx: 行号, 列, 问题."""
    return import_errors_workbook(imp.errors)

