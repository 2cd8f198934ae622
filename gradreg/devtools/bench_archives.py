"""The 档案 benchmarks of `manage.py bench` (seed_scale --archives; skipped without its data, or with
--skip-archives). Every write runs in a transaction that is rolled back, so the data stays as it was.

- archive_quick_review: seconds of 快速审核 (gradreg.archives.quick.quick_review) by the 快速审核 department's
  reviewer over its waiting applications (about 20,000), against the same writes in plain SQL — one UPDATE
  of the rows' status, one INSERT … SELECT of their audit events and one of their chains' heads (targets:
  ≤ 10 s, ratio ≤ 5). The unit names the number of applications.
- archive_quick_review_school: the school's 快速审核 of the same applications right after (each registered,
  its record upserted, an EMS outbox row), against plain SQL of the same writes (UPDATE, the audit events,
  the heads moved, the records updated, the outbox rows).
- archive_batch_review: 批量审核 of a 100-row page (gradreg.workflow.batch.perform_many with
  services.act_for(ARCHIVE), one transaction per item, as ListSpec.run_batch runs it) against 100 bare
  transactions of the same writes through the ORM (UPDATE status, INSERT audit event, INSERT head: the
  baseline of signing_approve and destination_approve; target ratio ≤ 5); archive_batch_review_sql: the
  same against those writes in plain SQL.
- archive_list: the 申请记录 page of the department (待院系审核, page 1) against its same-layout floor page
  (target ≤ 2.5); archive_list_deep: page 50 of every state against page 1 (target ≤ 1.5);
  archive_list_queries_20 / _100: queries per page (target ≤ 8).
"""
from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from gradreg.accounts.models import Role, User
from gradreg.archives import services
from gradreg.archives.flows import APPLICATION
from gradreg.archives.models import ApplicationStatus, TransferApplication, TransferRecord
from gradreg.archives.quick import quick_review, quick_review_candidates
from gradreg.archives.selectors import ApplicationFilters, application_rows, application_search
from gradreg.common.pagination import paginate
from gradreg.devtools.bench_cases import ListCase
from gradreg.devtools.scale_archives import QUICK_USERS
from gradreg.ems.transfer_modules import ARCHIVE
from gradreg.workflow.batch import perform_many
from gradreg.workflow.models import AuditEvent, AuditHead, OutboxEvent

QUICK_REPEAT = 3
BATCH = 100
AUDIT_COLUMNS = ("item_type, item_id, school_id, seq, action, action_label, from_state, to_state, actor_id, "
                 "actor_name, actor_role, actor_unit, at, ip, reason, data, prev_hash, hash")


def has_archives() -> bool:
    return User.objects.filter(username=QUICK_USERS[0], role=Role.DEPARTMENT).exists() and \
        TransferApplication.objects.filter(status=ApplicationStatus.WAIT_DEPT).exists()


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds of `fn()` inside a transaction that is rolled back, and its result."""
    t = time.perf_counter()
    with transaction.atomic():
        value = fn()
        transaction.set_rollback(True)
    return time.perf_counter() - t, value


def _ids_sql(ids: list[int]) -> str:
    return ",".join(str(int(pk)) for pk in ids)


def _bare_move(ids: list[int], source: str, target: str, actor_id: int, *, heads_exist: bool) -> None:
    """The writes of a set move in plain SQL: the status, one audit event per row, the heads."""
    table, ids_sql = TransferApplication._meta.db_table, _ids_sql(ids)
    events, heads = AuditEvent._meta.db_table, AuditHead._meta.db_table
    item_type = APPLICATION.item_type
    with connection.cursor() as c:
        c.execute(f"UPDATE {table} SET status = %s, updated_at = now() WHERE id IN ({ids_sql})", [target])
        c.execute(f"INSERT INTO {events} ({AUDIT_COLUMNS}) SELECT %s, a.id, a.school_id, 1, 'approve', '审核通过', "
                  f"%s, %s, %s, 'bench', 'department', 'bench', now(), NULL, '', '{{}}', repeat('0', 64), "
                  f"md5(a.id::text) || md5(a.id::text) FROM {table} a WHERE a.id IN ({ids_sql})",
                  [item_type, source, target, actor_id])
        if heads_exist:
            c.execute(f"UPDATE {heads} SET count = count + 1, last_hash = md5(item_id::text) || md5(item_id::text) "
                      f"WHERE item_type = %s AND item_id IN ({ids_sql})", [item_type])
        else:
            c.execute(f"INSERT INTO {heads} (item_type, item_id, school_id, count, last_hash) SELECT %s, a.id, "
                      f"a.school_id, 1, md5(a.id::text) || md5(a.id::text) FROM {table} a WHERE a.id IN ({ids_sql})",
                      [item_type])


def _bare_register(ids: list[int]) -> None:
    """The school's registration in plain SQL: the records updated from the applications, one outbox row each."""
    apps, records, outbox = (TransferApplication._meta.db_table, TransferRecord._meta.db_table,
                             OutboxEvent._meta.db_table)
    ids_sql = _ids_sql(ids)
    with connection.cursor() as c:
        c.execute(f"UPDATE {records} r SET state = 'registered', source = 'application', version = r.version + 1, "
                  f"transfer_type = a.transfer_type, unit_name = a.unit_name, address = a.address, region = a.region, "
                  f"postcode = a.postcode, contact = a.contact, phone = a.phone, registered_at = now(), "
                  f"updated_at = now() FROM {apps} a WHERE a.id IN ({ids_sql}) AND r.graduate_id = a.graduate_id "
                  f"AND r.kind = a.kind")
        c.execute(f"INSERT INTO {outbox} (topic, school_id, idempotency_key, payload, status, attempts, last_error, "
                  f"created_at, available_at) SELECT %s, a.school_id, 'bench:' || a.id, json_build_object("
                  f"'graduate_id', a.graduate_id, 'region', a.region, 'unit_name', a.unit_name), 'pending', 0, '', "
                  f"now(), now() FROM {apps} a WHERE a.id IN ({ids_sql})", [ARCHIVE.topic])


def bench_quick_review(cmd) -> None:
    dept = User.objects.get(username=QUICK_USERS[0])
    school = User.objects.filter(username=QUICK_USERS[1], role=Role.SCHOOL).first()
    ids = list(quick_review_candidates(dept, ARCHIVE).order_by("pk").values_list("pk", flat=True))
    if not ids:
        cmd.stderr.write("快速审核测试院系没有待审核的申请，跳过快速审核测试。")
        return
    cmd.stderr.write(f"快速审核 {len(ids)} 条与纯 SQL 基线各计时 {QUICK_REPEAT} 次（每次回滚）...")
    moves, bares, school_moves, school_bares = [], [], [], []
    for _ in range(QUICK_REPEAT):
        seconds, n = _timed(lambda: quick_review(actor=dept, module=ARCHIVE))
        if n != len(ids):
            cmd.stderr.write(f"  快速审核通过 {n} 条，候选 {len(ids)} 条")
        moves.append(seconds)
        bares.append(_timed(lambda: _bare_move(ids, ApplicationStatus.WAIT_DEPT, ApplicationStatus.WAIT_SCHOOL,
                                               dept.pk, heads_exist=False))[0])
        if school is not None:
            school_moves.append(_school_pass(dept, school))
            school_bares.append(_timed(lambda: _school_bare(ids, dept.pk))[0])
    cmd.emit("archive_quick_review", statistics.median(moves),
             f"s for {len(ids)} applications (baseline = UPDATE + INSERT audit events + INSERT heads in plain SQL, s)",
             statistics.median(bares))
    if school_moves:
        cmd.emit("archive_quick_review_school", statistics.median(school_moves),
                 f"s for {len(ids)} applications (baseline = UPDATE + audit events + heads + records + outbox in plain "
                 f"SQL, s)", statistics.median(school_bares))
    _vacuum()


def _school_pass(dept: User, school: User) -> float:
    """The school's 快速审核 right after the department's, both rolled back; the school's seconds."""
    with transaction.atomic():
        quick_review(actor=dept, module=ARCHIVE)
        t = time.perf_counter()
        quick_review(actor=school, module=ARCHIVE)
        seconds = time.perf_counter() - t
        transaction.set_rollback(True)
    return seconds


def _school_bare(ids: list[int], actor_id: int) -> None:
    """The department's writes untimed would change nothing here: the school's bare writes over the same rows."""
    _bare_move(ids, ApplicationStatus.WAIT_SCHOOL, ApplicationStatus.APPROVED, actor_id, heads_exist=False)
    _bare_register(ids)


def bench_batch_review(cmd, repeat: int) -> None:
    dept = User.objects.get(username=QUICK_USERS[0])
    qs = application_search(dept, ARCHIVE, ApplicationFilters(status=ApplicationStatus.WAIT_DEPT))
    qs = qs.filter(graduate__is_valid=True)
    ids = [r["id"] for r in paginate(qs, 1, BATCH, rows=application_rows, max_size=BATCH).items]
    act = services.act_for(ARCHIVE)

    def batch() -> float:
        return _timed(lambda: perform_many(lambda pk: act(actor=dept, pk=pk, action="approve"), ids))[0]

    def bare_sql() -> float:
        def each():
            for pk in ids:
                with transaction.atomic():
                    _bare_move([pk], ApplicationStatus.WAIT_DEPT, ApplicationStatus.WAIT_SCHOOL, dept.pk,
                               heads_exist=False)
        return _timed(each)[0]

    def bare_orm() -> float:
        def each():
            for pk in ids:
                with transaction.atomic():
                    now = timezone.now()
                    TransferApplication.objects.filter(pk=pk).update(status=ApplicationStatus.WAIT_SCHOOL,
                                                                     updated_at=now)
                    AuditEvent(item_type=APPLICATION.item_type, item_id=pk, seq=1, action="approve",
                               action_label="审核通过", from_state=ApplicationStatus.WAIT_DEPT,
                               to_state=ApplicationStatus.WAIT_SCHOOL, actor_id=dept.pk, actor_name="bench",
                               actor_role=dept.role, actor_unit="bench", at=now, prev_hash="0" * 64,
                               hash="0" * 64).save(force_insert=True)
                    AuditHead.objects.create(item_type=APPLICATION.item_type, item_id=pk, count=1, last_hash="0" * 64)
        return _timed(each)[0]

    batch(), bare_sql(), bare_orm()  # warm-up
    cmd.stderr.write(f"批量审核 {len(ids)} 条与逐条基线（ORM、纯 SQL）各计时 {repeat} 次（每次回滚）...")
    times, orms, sqls = [], [], []
    for _ in range(repeat):
        times.append(batch())
        orms.append(bare_orm())
        sqls.append(bare_sql())
    value = statistics.median(times) * 1000
    cmd.emit("archive_batch_review", value, f"ms for {len(ids)} applications (baseline = per row, a transaction "
             "of UPDATE + INSERT audit event + INSERT head through the ORM, ms)", statistics.median(orms) * 1000)
    cmd.emit("archive_batch_review_sql", value, f"ms for {len(ids)} applications (baseline = the same writes per "
             "row in plain SQL, ms)", statistics.median(sqls) * 1000)
    _vacuum()


def bench_list(cmd, repeat: int, warmup: int = 5, user: User | None = None) -> None:
    """申请记录: page 1 of 待院系审核 of a department of the bench (`user`, as the other review lists are measured)
    against its same-layout floor (bench_urls); page 50 of every state of the 30,000-graduate department against its
    page 1; the queries at 20 and 100 rows a page. archive_list_big: page 1 of that department's 20,000-odd waiting
    applications against the floor, where the COUNT alone reads them all."""
    with override_settings(ROOT_URLCONF="gradreg.devtools.bench_urls",
                           ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        _bench_list(cmd, repeat, warmup, user)


def _bench_list(cmd, repeat: int, warmup: int, user: User | None) -> None:
    big = User.objects.get(username=QUICK_USERS[0])
    wait = f"status={ApplicationStatus.WAIT_DEPT}"
    list_url, floor_url = reverse("archives:application_list"), reverse("bench_archive_floor")
    dept = user if user is not None and TransferApplication.objects.filter(
        school_id=user.school_id, department_id=user.department_id, kind=ARCHIVE.kind,
        status=ApplicationStatus.WAIT_DEPT).exists() else big
    client, big_client = cmd._client(dept), cmd._client(big)
    cmd._bench_list(ListCase(
        name="archive_list", title=f"{dept.username} 的申请记录", client=client, page1=f"{list_url}?{wait}&page=1",
        floor=f"{floor_url}?{wait}&page=1", unit=f"ms ({wait}, page 1; baseline = same-layout floor ms)",
        empty=f"{dept.username} 没有待院系审核的档案申请，请先运行 seed_scale --archives。",
        deep_title=f"{big.username} 的申请记录（全部状态）", deep_client=big_client, deep_page=f"{list_url}?status=&page=",
        deep_unit="ms (page 50 of the 30,000-graduate department's applications, every state; baseline = page 1 ms)",
        sized=f"{list_url}?status=&page_size=", table=TransferApplication._meta.db_table,
    ), repeat, warmup)
    if dept is not big:
        page_ms, floor_ms = (statistics.median(t) for t in cmd._times(
            big_client, [f"{list_url}?{wait}&page=1", f"{floor_url}?{wait}&page=1"], repeat))
        cmd.emit("archive_list_big", page_ms,
                 f"ms ({wait}, page 1 of {big.username}'s 20,000-odd; baseline = same-layout floor ms)", floor_ms)


def _vacuum() -> None:
    """The rolled-back writes leave dead row versions in the list indexes: clear them for the next runs."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as c:
            for model in (TransferApplication, TransferRecord, AuditEvent, AuditHead, OutboxEvent):
                c.execute(f"VACUUM {model._meta.db_table}")


def run(cmd, repeat: int, batch_repeat: int, user: User | None = None) -> None:
    """Every 档案 benchmark, as `bench` calls them."""
    if not has_archives():
        cmd.stderr.write("没有档案数据，跳过档案相关测试（seed_scale --archives 生成）。")
        return
    started = timezone.now()
    bench_list(cmd, repeat, user=user)
    bench_batch_review(cmd, batch_repeat)
    bench_quick_review(cmd)
    cmd.stderr.write(f"档案相关测试用时 {(timezone.now() - started).total_seconds():.0f} 秒")
