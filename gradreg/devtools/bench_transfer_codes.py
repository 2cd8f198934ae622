"""transfer_codes: milliseconds of one "批量生成/重新生成转递编号" (gradreg.verification.transfers.generate) by a school
user for 20,000 graduates with a reported destination, against the raw set-based writes of the same rows: one
`INSERT … SELECT` of the same graduates' codes (random text drawn by the database) into the same table.
Targets: at most 5 s, and at most 5 × the raw writes.

The graduates come from the roster import's school (`bench roster_import`): the roster is imported, EMS is given
a destination for each of them (one INSERT … SELECT), then each run generates the codes, timed, and what it wrote
is deleted before the next one; everything (the graduates too) is deleted at the end, so the dataset stays as
it was.
"""
from __future__ import annotations

import statistics
import time

from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from gradreg.ems.models import Graduate, ReportedDestination
from gradreg.organisations.models import School
from gradreg.roster.gates import current_cohort
from gradreg.verification import transfers
from gradreg.verification.models import TransferCode, TransferCodeRun
from gradreg.workflow.models import AuditEvent, AuditHead

ROWS = 20_000
TARGET_SECONDS = 5.0


def _q(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _clear_codes(school: School) -> None:
    """What the runs (and the floor) wrote: the codes, the runs and their audit chains."""
    with connection.cursor() as cur:
        # the audit log refuses deletes through the ORM: the benchmark's own rows go by SQL
        for model in (AuditEvent, AuditHead):
            cur.execute(f"DELETE FROM {_q(model)} WHERE school_id = %s AND item_type = %s",
                        [school.pk, transfers.ITEM_TYPE])
        cur.execute(f"DELETE FROM {_q(TransferCode)} WHERE school_id = %s", [school.pk])
        cur.execute(f"DELETE FROM {_q(TransferCodeRun)} WHERE school_id = %s", [school.pk])
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # each run starts from the same table state, not among the previous run's dead rows
            cur.execute(f"VACUUM {_q(TransferCode)}")


def _report_destinations(school: School) -> int:
    """EMS holds a destination for every graduate of the school (one INSERT … SELECT)."""
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {_q(ReportedDestination)} (graduate_id, school_id, source, destination, destination_code, "
            "employer_name, credit_code, employer_region, work_region, position, agreement_no, subtype, details, "
            "source_type, source_id, read_only, reported_at, updated_at) "
            "SELECT id, school_id, 'ems_upload', '签就业协议形式就业', '10', '广州云启科技有限公司', '', '440106', '', "
            f"'', '', '', '{{}}', '', NULL, %s, %s, %s FROM {_q(Graduate)} WHERE school_id = %s",
            [False, timezone.now(), timezone.now(), school.pk])
        return cur.rowcount


def _clear_destinations(school: School) -> None:
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {_q(ReportedDestination)} WHERE school_id = %s", [school.pk])


def _run(user, n: int) -> float:
    t = time.perf_counter()
    run = transfers.generate(user, "archive")
    seconds = time.perf_counter() - t
    if run.created != n:
        raise CommandError(f"转递编号生成数不对：{run.created}/{n}")
    return seconds


def _floor(school: School, n: int) -> float:
    """The raw set-based writes: the same graduates' rows, codes drawn by the database, one INSERT … SELECT."""
    if connection.vendor == "postgresql":
        code, token, now = ("upper(substr(md5(random()::text || g.id), 1, 16))",
                            "substr(md5(random()::text || g.id || 'q'), 1, 22)", "now()")
    else:
        code, token, now = "upper(hex(randomblob(8)))", "lower(hex(randomblob(11)))", "CURRENT_TIMESTAMP"
    t = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {_q(TransferCode)} (graduate_id, kind, school_id, department_id, code, qr_token, "
            "generated_at, updated_at, stale_at, stale_reason) "
            f"SELECT g.id, 'archive', g.school_id, g.department_id, {code}, {token}, {now}, {now}, NULL, '{{}}' "
            f"FROM {_q(Graduate)} g JOIN {_q(ReportedDestination)} r ON r.graduate_id = g.id "
            "WHERE g.school_id = %s AND g.is_valid", [school.pk])
        written = cur.rowcount
    seconds = time.perf_counter() - t
    if written != n:
        raise CommandError(f"基线写入行数不对：{written}/{n}")
    return seconds


def bench_transfer_codes(cmd, n: int = ROWS, repeat: int = 3) -> None:
    """Emit transfer_codes (seconds against the floor); `cmd` is the bench command (its roster import helpers)."""
    school, user, layout = cmd._import_school()
    _clear_codes(school)  # leftovers of an interrupted run
    _clear_destinations(school)
    cmd._clear_import(school)
    try:
        cmd._run_import(user, cmd._xlsx(cmd._import_rows(n, layout, current_cohort())), n)
        if _report_destinations(school) != n:
            raise CommandError("毕业去向写入数不对")
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute(f"ANALYZE {_q(ReportedDestination)}, {_q(Graduate)}")
        cmd.stderr.write(f"已导入 {n} 名毕业生并写入毕业去向")
        _run(user, n)  # warm-up
        _clear_codes(school)
        seconds, floors = [], []
        for i in range(repeat):
            seconds.append(_run(user, n))
            _clear_codes(school)
            floors.append(_floor(school, n))
            _clear_codes(school)
            cmd.stderr.write(f"  第 {i + 1} 次：生成转递编号 {seconds[-1]:.3f} 秒，基线 {floors[-1]:.3f} 秒")
    finally:
        _clear_codes(school)
        _clear_destinations(school)
        cmd._clear_import(school)
    value, floor = statistics.median(seconds), statistics.median(floors)
    cmd.emit("transfer_codes", value * 1000, "ms", floor * 1000)
    if value > TARGET_SECONDS or value > 5 * floor:
        cmd.stderr.write(f"警告：转递编号生成 {value:.2f} 秒，目标 ≤ {TARGET_SECONDS} 秒且 ≤ 5 倍基线（{floor:.2f} 秒）")
