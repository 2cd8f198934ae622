"""毕业去向上传 (就业管理系统上传, seed 5.2): a school reports its graduates' destinations directly in EMS.

The .xlsx holds 考生号, 姓名, 身份证号, 毕业去向代码 (byqx), 单位名称, 统一社会信用代码, 单位所在地 and 工作职位.
Every row is checked before anything is written (the kit's `ImportSpec`): the graduate in the school, its name and
ID number, the codes, duplicates; a destination the platform reported is read-only in EMS (seed 7) and refused. A
file with any problem writes nothing. A clean file writes each graduate's `ReportedDestination` (source
就业管理系统上传) in bulk, audits each, and tells the platform of each important change (登记确认 goes back to
未确认).
"""
from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import xlsxwriter
from django.conf import settings
from django.utils import timezone

from gradreg.codes.loader import code_map, region_problem
from gradreg.common import bulk
from gradreg.common.errors import get_in_scope
from gradreg.common.sheets import Limits
from gradreg.organisations.models import check_credit_code
from gradreg.workflow import audit
from gradreg.workflow.imports import Column, ImportSpec, Invalid, Rejected, Unique, kept_outcome
from gradreg.workflow.imports import errors_workbook as import_errors_workbook

from .models import DestinationSource, DestinationUpload, ReportedDestination
from .selectors import ensure_ems_user, graduates_visible_to
from .validation import text_problem

ITEM_TYPE = "ems_destination"
SHEET_NAME = "毕业去向"
NOTES_SHEET = "填写说明"
MAX_ROWS = getattr(settings, "DESTINATION_UPLOAD_MAX_ROWS", 50_000)
MAX_STORED_ERRORS = 50_000
MAX_INFLATE_RATIO = 30
READ_ONLY = "该毕业生的毕业去向由登记系统同步，在就业管理系统中只读"
MISSING = "未找到该上传记录，或您无权查看。"

_NUMBER_CELL = "{column}被存成了数字（开头的0或末几位会丢失），请把该列设为文本格式后重新填写"

# the ReportedDestination columns a row fills, by the template's column
FIELDS = ("destination_code", "employer_name", "credit_code", "employer_region", "position")
# each column of a destination a confirmation depends on, by its name in `gradreg.roster.changes`
IMPORTANT = {"destination_code": "destination_code", "employer_name": "unit_name", "credit_code": "credit_code",
             "employer_region": "region"}

# called once per clean upload, in its transaction, with every (graduate id, destination id, important fields
# before, after) written; the platform's floor plugs in here (gradreg.roster.apps) to tell of important changes
UPLOAD_HOOKS: list[Callable[[type, list[tuple[int, int, dict[str, str], dict[str, str]]]], None]] = []


def _text(label: str, max_length: int):
    def check(value: str, context: Any) -> str | None:
        return text_problem(label, value, max_length)
    return check


def _destination_code(text: str, cell: Any, context: Any) -> str:
    if text not in code_map("byqx"):
        raise Invalid(f"毕业去向代码“{text}”不在代码表中（见模板的“{NOTES_SHEET}”工作表）")
    return text


def _credit_code(text: str, cell: Any, context: Any) -> str:
    try:
        return check_credit_code(text)[0]
    except ValueError as e:
        raise Invalid(str(e)) from None


def _region(text: str, cell: Any, context: Any) -> str:
    problem = region_problem(text, "单位所在地")
    if problem:
        raise Invalid(problem)
    return text


SPEC = ImportSpec(
    item="毕业生",
    ordered=True,
    columns=(
        Column("考生号", "exam_no", required=True, checks=(_text("考生号", 20),),
               text_only=_NUMBER_CELL.format(column="考生号")),
        Column("姓名", "name", required=True, checks=(_text("姓名", 50),)),
        Column("身份证号", "id_number", required=True, checks=(_text("身份证号", 18),),
               text_only=_NUMBER_CELL.format(column="身份证号")),
        Column("毕业去向代码", "destination_code", required=True, memo=True, parse=_destination_code,
               text_only=_NUMBER_CELL.format(column="毕业去向代码")),
        Column("单位名称", "employer_name", required=True, checks=(_text("单位名称", 200),)),
        Column("统一社会信用代码", "credit_code", parse=_credit_code),
        Column("单位所在地", "employer_region", required=True, memo=True, parse=_region,
               text_only=_NUMBER_CELL.format(column="单位所在地")),
        Column("工作职位", "position", checks=(_text("工作职位", 100),)),
    ),
    unique=(Unique("考生号"),),
)
COLUMNS = SPEC.headers


# --------------------------------------------------------------------------- the template


def build_template() -> bytes:
    """The header, and a sheet with every 毕业去向代码 and each column's rule."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
    head = wb.add_format({"bold": True, "bg_color": "#DDE6F0", "border": 1})
    text = wb.add_format({"num_format": "@"})
    ws = wb.add_worksheet(SHEET_NAME)
    ws.set_column(0, len(COLUMNS) - 1, 22, text)
    ws.write_row(0, 0, COLUMNS, head)
    ws.freeze_panes(1, 0)
    ws.write_comment(0, 0, "考生号确定毕业生；姓名、身份证号须与名单一致。各列的填写要求见“填写说明”工作表。")
    cs = wb.add_worksheet(NOTES_SHEET)
    cs.set_column(0, 0, 18)
    cs.set_column(1, 1, 10)
    cs.set_column(2, 2, 70)
    cs.write_row(0, 0, ["列名", "是否必填", "填写要求"], head)
    rules = (
        ("考生号", "必填", "本校名单中的有效毕业生；同一文件中不能重复"),
        ("姓名", "必填", "须与名单中该考生号的毕业生一致"),
        ("身份证号", "必填", "须与名单中该考生号的毕业生一致"),
        ("毕业去向代码", "必填", "见下方毕业去向代码表"),
        ("单位名称", "必填", "最多200个字符"),
        ("统一社会信用代码", "选填", "18位"),
        ("单位所在地", "必填", "6位现行行政区划代码（GB/T 2260）"),
        ("工作职位", "选填", "最多100个字符"),
    )
    r = 1
    for rule in rules:
        cs.write_row(r, 0, rule)
        r += 1
    r += 1
    cs.write_row(r, 0, ["毕业去向代码", "", "名称"], head)
    r += 1
    for code, name in sorted(code_map("byqx").items(), key=lambda kv: (len(kv[0]), kv[0])):
        cs.write_row(r, 0, [code, "", name])
        r += 1
    r += 1
    for note in ("第一行为表头，请保持列名和顺序；从第二行起每行一名毕业生，请直接填写值，不要使用公式。",
                 "任何一行有问题时整个文件都不会写入，并列出每一处问题。",
                 "由登记系统同步的毕业去向在就业管理系统中只读，不能通过上传修改。"):
        cs.write_string(r, 0, note)
        r += 1
    wb.close()
    return buf.getvalue()


# --------------------------------------------------------------------------- the import


@dataclass
class _Match:
    graduate_id: int
    values: dict[str, str]


def _limits() -> Limits:
    return Limits(max_bytes=settings.ROSTER_UPLOAD_MAX_BYTES, max_rows=MAX_ROWS, max_inflate_ratio=MAX_INFLATE_RATIO)


def _important(d: dict[str, str]) -> dict[str, str]:
    """A destination's important fields, in the names `gradreg.roster.changes` declares."""
    return {name: d.get(column, "") for column, name in IMPORTANT.items()}


def _check(actor, checking, rows: list[tuple[int, list[Any]]]) -> tuple[list[_Match], dict[int, ReportedDestination]]:
    """Each row against the roster (the actor's graduates, locked) and the destinations EMS holds."""
    exam_nos = [values[0] for _, values in rows]
    found = {g[1]: g for g in graduates_visible_to(actor).filter(bulk.one_of("exam_no", exam_nos), is_valid=True)
             .select_for_update(of=("self",)).order_by("graduation_year", "pk")
             .values_list("id", "exam_no", "name", "id_number")}
    held = {d.graduate_id: d for d in ReportedDestination.objects.select_for_update().filter(
        school_id=actor.school_id, graduate_id__in=[g[0] for g in found.values()])}
    matches: list[_Match] = []
    for n, values in rows:
        g = found.get(values[0])
        if g is None:
            checking.reject(n, "考生号", f"未找到考生号为“{values[0]}”的毕业生，或该毕业生不在您的管理范围内")
            continue
        bad = False
        if values[1] != g[2]:
            checking.reject(n, "姓名", "姓名与名单中该考生号的毕业生不一致")
            bad = True
        if values[2].upper() != g[3].upper():
            checking.reject(n, "身份证号", "身份证号与名单中该考生号的毕业生不一致")
            bad = True
        d = held.get(g[0])
        if d is not None and d.source == DestinationSource.PLATFORM:
            checking.reject(n, "考生号", READ_ONLY)
            bad = True
        if not bad:
            matches.append(_Match(g[0], dict(zip(FIELDS, values[3:]))))
    return matches, held


def _write(actor, matches: list[_Match], held: dict[int, ReportedDestination], ip: str | None) -> tuple[int, int, int]:
    """Each graduate's destination created or updated in bulk, audited; the important changes told."""
    now = timezone.now()
    names = code_map("byqx")
    new, changed, events, told = [], [], [], []
    unchanged = 0
    for x in matches:
        d = held.get(x.graduate_id)
        before = {f: getattr(d, f) for f in FIELDS} if d is not None else {}
        if d is not None and before == x.values:
            unchanged += 1
            continue
        if d is None:
            d = ReportedDestination(graduate_id=x.graduate_id, school_id=actor.school_id)
            new.append(d)
        else:
            changed.append(d)
        for f, v in x.values.items():
            setattr(d, f, v)
        d.source, d.destination, d.read_only, d.reported_at = (DestinationSource.EMS_UPLOAD,
                                                               names[x.values["destination_code"]], False, now)
        d.source_type, d.source_id, d.subtype, d.details = "", None, "", {}
        events.append((d, before, x.values))
        told.append((x.graduate_id, d, _important(before), _important(x.values)))
    ReportedDestination.objects.bulk_create(new, batch_size=2000)
    ReportedDestination.objects.bulk_update(
        changed, ["source", "destination", "read_only", "reported_at", "source_type", "source_id", "subtype",
                  "details", "updated_at", *FIELDS], batch_size=2000)
    audit.record_many([
        dict(item_type=ITEM_TYPE, item_id=d.pk, school_id=actor.school_id,
             action="edit" if before else "create",
             action_label="修改毕业去向（就业管理系统上传）" if before else "上报毕业去向（就业管理系统上传）",
             data={"changes": {f: [before.get(f, ""), after[f]] for f in FIELDS if before.get(f, "") != after[f]}})
        for d, before, after in events], actor=actor, ip=ip, at=now)
    written = [(gid, d.pk, before, after) for gid, d, before, after in told]
    for hook in UPLOAD_HOOKS:
        hook(ReportedDestination, written)
    return len(new), len(changed), unchanged


def destination_upload(*, actor, uploaded_file, ip: str | None = None) -> DestinationUpload:
    """Check every row; write nothing if any is wrong, else every row in one transaction. The outcome is kept."""
    ensure_ems_user(actor)
    file_name = PurePath(getattr(uploaded_file, "name", "") or "毕业去向.xlsx").name[:200]
    sheet = SPEC.read(uploaded_file, limits=_limits())
    kept = dict(school_id=actor.school_id, uploaded_by=actor, file_name=file_name, total_rows=len(sheet))
    def run() -> dict[str, int]:
        with bulk.many_objects():
            checking = SPEC.check(sheet)
            rows = list(checking)
            matches, held = _check(actor, checking, rows) if rows else ([], {})
            errors = checking.finish()
            if errors:
                raise Rejected(errors)
            created, updated, unchanged = _write(actor, matches, held, ip)
        return {"created_count": created, "updated_count": updated, "unchanged_count": unchanged}

    return kept_outcome(DestinationUpload, kept, run, max_errors=MAX_STORED_ERRORS, record=lambda up: _audit(up, ip))


def _audit(up: DestinationUpload, ip: str | None) -> None:
    audit.record(item_type="destination_upload", item_id=up.pk, actor=up.uploaded_by, action="import",
                 action_label="上传毕业去向",
                 data={"status": up.status, "total_rows": up.total_rows, "created": up.created_count,
                       "updated": up.updated_count, "unchanged": up.unchanged_count, "file_name": up.file_name,
                       "problems": len(up.errors)},
                 ip=ip, school_id=up.school_id)


def upload_get_for(actor, pk: Any) -> DestinationUpload:
    ensure_ems_user(actor)
    return get_in_scope(DestinationUpload.objects.filter(school_id=actor.school_id), pk, MISSING)


def uploads_of(actor, limit: int = 10) -> list[DestinationUpload]:
    ensure_ems_user(actor)
    return list(DestinationUpload.objects.filter(school_id=actor.school_id).defer("errors")[:limit])


def errors_workbook(up: DestinationUpload) -> bytes:
    return import_errors_workbook(up.errors)
