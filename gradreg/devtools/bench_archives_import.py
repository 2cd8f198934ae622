"""archive_import: rows/s of the 档案信息 批量导入 (gradreg.archives.importer.transfer_import) on a generated
.xlsx of 20,000 graduates, against the roster import's floor: python-calamine reads the same file and COPY
writes its rows into a bare temporary table of the same width.

The graduates come from the roster import's school and data (`bench roster_import`): the roster is imported
first, then the 档案 file for those graduates, timed; what each run wrote is deleted before the next one, and
everything (the graduates too) at the end, so the dataset stays as it was.
"""
from __future__ import annotations

import io
import statistics
import time
from unittest import mock

import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import CommandError
from django.db import connection

from gradreg.archives.importer import headers, transfer_import
from gradreg.archives.models import TransferImport, TransferRecord
from gradreg.ems.importer import COLUMNS as ROSTER_COLUMNS
from gradreg.ems.transfer_modules import ARCHIVE
from gradreg.organisations.models import School
from gradreg.roster.gates import current_cohort
from gradreg.workflow import tasks
from gradreg.workflow.models import AuditEvent, AuditHead, OutboxEvent

ROWS = 20_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TYPES = ("1", "2", "3", "4")
REGIONS = ("440106", "440104", "440305", "110105")


def _archive_rows(roster_rows: list[list[str]]) -> list[list[str]]:
    """One 档案 row per roster row: its 考生号, 姓名 and 身份证号, then the module's fields."""
    exam, name, id_number = (ROSTER_COLUMNS.index(c) for c in ("考生号", "姓名", "身份证号"))
    rows = []
    for k, r in enumerate(roster_rows):
        rows.append([
            r[exam], r[name], r[id_number], TYPES[k % len(TYPES)], f"广州市人才服务中心{k % 50}",
            f"广州市天河区天河路{k}号", REGIONS[k % len(REGIONS)], "510620" if k % 3 else "",
            "人事档案科" if k % 2 else "", f"020-{38_000_000 + k}" if k % 4 else "",
        ])
    return rows


def _xlsx(rows: list[list[str]]) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"constant_memory": True, "strings_to_numbers": False})
    ws = wb.add_worksheet(ARCHIVE.info)
    ws.write_row(0, 0, headers(ARCHIVE))
    for r, row in enumerate(rows, start=1):
        ws.write_row(r, 0, row)
    wb.close()
    return buf.getvalue()


def _clear_archives(school: School) -> None:
    """What the 档案 imports of the school wrote: its records, their audit chains and EMS events, the imports."""
    tables = {m._meta.model: connection.ops.quote_name(m._meta.db_table)
              for m in (AuditEvent, AuditHead, OutboxEvent, TransferRecord, TransferImport)}
    with connection.cursor() as cur:
        # the audit log refuses deletes through the ORM: the benchmark's own rows go by SQL
        for model in (AuditEvent, AuditHead):
            cur.execute(f"DELETE FROM {tables[model]} WHERE school_id = %s AND item_type IN (%s, %s)",
                        [school.pk, ARCHIVE.item_type, "transfer_import"])
        cur.execute(f"DELETE FROM {tables[OutboxEvent]} WHERE school_id = %s AND topic = %s", [school.pk, ARCHIVE.topic])
        cur.execute(f"DELETE FROM {tables[TransferRecord]} WHERE school_id = %s", [school.pk])
        cur.execute(f"DELETE FROM {tables[TransferImport]} WHERE school_id = %s", [school.pk])
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # the next run starts from the same table state (as the roster import's does): without it each run
            # inserts among the previous runs' dead rows and index entries, and pays for them
            cur.execute(f"VACUUM {', '.join(tables[m] for m in (AuditEvent, AuditHead, OutboxEvent, TransferRecord))}")


def _run(user, data: bytes, n: int) -> float:
    upload = SimpleUploadedFile("bench_archive.xlsx", data, content_type=XLSX)
    # the upload is measured, not EMS's delivery: in production a worker sends the outbox after the commit,
    # here (CELERY_TASK_ALWAYS_EAGER) it would run in-process inside the timing
    with mock.patch.object(tasks, "_enqueue", lambda: None):
        t = time.perf_counter()
        imp = transfer_import(actor=user, module=ARCHIVE, uploaded_file=upload)
        seconds = time.perf_counter() - t
    if imp.status != TransferImport.Status.DONE or imp.created_count != n:
        shown = "; ".join(f"{e.get('row')}行 {e.get('column')}: {e.get('message')}" for e in (imp.errors or [])[:5])
        raise CommandError(f"档案信息导入未成功（{imp.status}，登记 {imp.created_count}/{n}）：{shown}")
    return n / seconds


def bench_archive_import(cmd, n: int = ROWS, repeat: int = 3) -> None:
    """Emit archive_import (rows/s against the floor); `cmd` is the bench command (its roster import helpers)."""
    school, user, layout = cmd._import_school()
    _clear_archives(school)  # leftovers of an interrupted run
    cmd._clear_import(school)
    roster_rows = cmd._import_rows(n, layout, current_cohort())
    roster, data = cmd._xlsx(roster_rows), _xlsx(_archive_rows(roster_rows))
    small = _xlsx(_archive_rows(roster_rows[: min(1000, n)]))
    del roster_rows
    width = len(headers(ARCHIVE))
    try:
        cmd._run_import(user, roster, n)
        cmd.stderr.write(f"已导入 {n} 名毕业生，档案信息文件 {len(data) / 1e6:.1f} MB")
        _run(user, small, min(1000, n))  # warm-up
        _clear_archives(school)
        cmd._run_floor(small, width)
        rates, floors = [], []
        for i in range(repeat):
            rates.append(_run(user, data, n))
            _clear_archives(school)
            floors.append(cmd._run_floor(data, width))
            cmd.stderr.write(f"  第 {i + 1} 次：档案信息导入 {rates[-1]:.0f} 行/秒，基线 {floors[-1]:.0f} 行/秒")
    finally:
        _clear_archives(school)
        cmd._clear_import(school)
        with connection.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS bench_import_floor")
    cmd.emit("archive_import", statistics.median(rates), "rows/s", statistics.median(floors))
