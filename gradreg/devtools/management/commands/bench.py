"""Benchmarks against a seed_scale dataset; prints one JSON object per line:

    {"name", "value", "unit", "baseline", "ratio", "scale"}

ratio = value / baseline, both measured in this run (median of repeated measurements, after a
warm-up). "scale" is the number of graduates in the database. Progress goes to stderr.

- roster_list: server time of the department roster list (/roster/graduates/, 20 a page, with its
  count) through the test Client and the whole middleware stack, against the "framework floor": a page
  with the same layout and no data (gradreg.devtools.bench_urls, devtools/templates/bench/floor.html).
- roster_list_raw_sql: the list's own SQL (the COUNT and the page's SELECT), run raw on the cursor;
  its baseline is the roster_list page time, so its ratio is the share of the page spent in SQL.
- roster_list_deep: page 50 against page 1 of the same list (target ratio <= 1.5).
- roster_list_queries_20 / _100: SQL queries for one page at page sizes 20 and 100 (baseline 8).
- roster_import: rows/s of gradreg.ems.importer.roster_import on a generated 100,000-row .xlsx for a
  school of its own, against reading the same file with python-calamine and COPYing the rows into a
  bare temporary table. The imported rows are deleted afterwards, so the dataset stays as it was.
- archive_import: rows/s of the 档案信息 批量导入 on 20,000 of those graduates against the same floor
  (gradreg.devtools.bench_archives_import).
- transfer_codes: ms of one 批量生成转递编号 by a school user for 20,000 of those graduates (each given a
  destination) against one INSERT … SELECT of the same rows (targets <= 5 s and ratio <= 5;
  gradreg.devtools.bench_transfer_codes). `--only transfer_codes` runs it alone.

With signings in the database (seed_scale --signings; skipped otherwise, or with --skip-signing):
- signing_list: the department review list (/signing/review/, 签约状态 学生已同意签约 and 签约发起方
  单位, page 1) against a floor page with its layout and 20 static rows (target ratio <= 2.5).
- signing_list_deep: page 50 against page 1 of a department list long enough to have a page 50
  (the same filters if they give 50 pages, else all the department's signings; the unit says which).
- signing_list_queries_20 / _100: SQL queries for one page at page sizes 20 and 100 (baseline 8).
- signing_approve: median ms of one department approval through gradreg.signing.services.signing_act,
  against a transaction that only updates the row's status and inserts one AuditEvent and one
  OutboxEvent (target ratio <= 5). Both run in a transaction that is rolled back.
- signing_export: rows/s of gradreg.signing.exports.signing_export on 20,000 rows, the streamed
  response read to the end, against writing the same cells with bare xlsxwriter (target >= 0.5).
- signing_export_memory: peak traced memory (MB) of that export at 20,000 rows against 2,000 rows
  (target <= 1.3).

With registrations in the database (seed_scale --destinations; skipped otherwise, or with --skip-destinations):
- destination_list: 去向登记管理 (/destinations/, 去向登记审核中,等待学院审核, page 1) against a floor page with
  its layout and 20 rows that are no query (target ratio <= 2.5).
- destination_list_deep: page 50 against page 1 of the first of the department's and the school's lists in
  every state long enough to have a page 50 (the unit says whose; target ratio <= 1.5).
- destination_list_queries_20 / _100: SQL queries for one page of every state at page sizes 20 and 100
  (baseline 8; the two are equal).
- destination_approve: median ms of the school's approval through gradreg.destinations.services
  (等待学校审核 → 审核通过,已登记: status, audit event, EMS outbox row, the live destination), against a
  transaction that only updates the row's status and inserts one AuditEvent and one OutboxEvent (target
  ratio <= 5). Both rolled back.
- destination_approve_dept: the same for the department's approval (等待学院审核 → 等待学校审核), which writes
  no outbox row: the move signing_approve measures for signings.

With 档案 data (seed_scale --archives; skipped otherwise, or with --skip-archives): archive_quick_review,
archive_quick_review_school, archive_batch_review, archive_list, archive_list_deep, archive_list_queries
(gradreg.devtools.bench_archives).
"""
from __future__ import annotations

import hashlib
import io
import json
import statistics
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Model
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from gradreg.accounts.models import Role, User
from gradreg.common.xlsx import safe_cell
from gradreg.destinations.flows import REGISTRATION
from gradreg.destinations.models import Registration, RegistrationStatus
from gradreg.destinations.selectors import Filters
from gradreg.destinations.selectors import search as destination_search
from gradreg.destinations.services import registration_act
from gradreg.devtools import bench_archives, gen
from gradreg.devtools.bench_archives_import import ROWS as ARCHIVE_ROWS
from gradreg.devtools.bench_archives_import import bench_archive_import
from gradreg.devtools.bench_cases import ListCase
from gradreg.devtools.bench_transfer_codes import ROWS as TRANSFER_ROWS
from gradreg.devtools.bench_transfer_codes import bench_transfer_codes
from gradreg.ems import importer
from gradreg.ems.importer import COLUMNS, roster_import
from gradreg.ems.models import Graduate
from gradreg.organisations.models import Department, Major, Province, School
from gradreg.roster.gates import cohort_may_act, current_cohort, may_sign_online
from gradreg.roster.snapshot import key_differences
from gradreg.signing import exports
from gradreg.signing.exports import signing_export
from gradreg.signing.forms import ReviewFilterForm
from gradreg.signing.models import Initiator, RejectCategory, Signing, SigningStatus
from gradreg.signing.selectors import signing_search
from gradreg.signing.services import signing_act
from gradreg.workflow.models import AuditEvent, OutboxEvent

QUERY_BASELINE = 8
IMPORT_SCHOOL_CODE = "80001"
IMPORT_SCHOOL_NAME = "基准导入测试学院"
IMPORT_USER = "bench_import"
IMPORT_DEPARTMENTS = 5
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# what a department reviewer works through: online signings the graduate has agreed to
SIGNING_FILTER = "status=agreed&initiator=employer"
# lists for the page-50 comparison, the first with 50 pages of 20 is used
SIGNING_DEEP_FILTERS = (SIGNING_FILTER, "status=&initiator=employer", "status=")
# 去向登记管理 as a department reviewer opens it (its default, 去向登记审核中,等待学院审核), and every state
DESTINATION_FILTER = f"status={RegistrationStatus.WAIT_DEPT}"
DESTINATION_ALL = "status="


def _median(values: list[float]) -> float:
    return statistics.median(values)


@dataclass(frozen=True)
class Move:
    """An approval benchmarked against a bare transaction of the same writes (status, audit event, outbox row)."""

    name: str
    what: str  # the item, in the progress messages
    act: Callable[..., Any]  # the service: act(actor=, pk=, action="approve")
    model: type[Model]
    item_type: str  # the audit's name of the item's table
    source: str
    target: str
    topic: str
    payload_key: str
    unit: str
    stamps: tuple[str, ...] = ()  # time fields the approval sets besides updated_at


class Command(BaseCommand):
    help = "性能基准测试（需先运行 seed_scale）：每行输出一个 JSON 对象"

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=31, help="每项页面计时的重复次数（取中位数）")
        parser.add_argument("--warmup", type=int, default=10, help="页面计时前的预热请求数")
        parser.add_argument("--import-rows", type=int, default=100_000, help="导入测试的行数")
        parser.add_argument("--import-repeat", type=int, default=3, help="导入测试的重复次数（取中位数）")
        parser.add_argument("--skip-import", action="store_true", help="跳过名单导入测试（及档案导入、转递编号生成）")
        parser.add_argument("--only", choices=["transfer_codes"], help="只运行这一项（不需要 seed_scale 的数据）")
        parser.add_argument("--user", default="bench_dept", help="名单页测试所用的院系用户")
        parser.add_argument("--skip-signing", action="store_true", help="跳过签约相关测试")
        parser.add_argument("--school-user", default="bench_school", help="去向登记测试所用的学校用户（学校审核通过、深页）")
        parser.add_argument("--skip-destinations", action="store_true", help="跳过去向登记相关测试")
        parser.add_argument("--skip-archives", action="store_true", help="跳过档案相关测试（快速审核、批量审核、申请记录）")
        parser.add_argument("--approve-repeat", type=int, default=101, help="审核通过测试的重复次数（取中位数）")
        parser.add_argument("--export-rows", type=int, default=20_000, help="签约导出测试的行数")
        parser.add_argument("--export-small-rows", type=int, default=2_000, help="导出内存对比所用的较小行数")
        parser.add_argument("--export-repeat", type=int, default=3, help="签约导出测试的重复次数（取中位数）")

    def handle(self, *args, **o):
        if getattr(settings, "GRADREG_ENV", "") == "production":
            raise CommandError("不要在生产环境运行基准测试。")
        if settings.DEBUG:
            self.stderr.write("警告：DEBUG=True 会记录每条 SQL，计时偏高。")
        if not settings.DATABASES["default"].get("CONN_MAX_AGE"):
            self.stderr.write("警告：CONN_MAX_AGE=0，每个请求结束都会断开数据库连接（请用 DATABASE_URL 运行）。")
        if o["only"] == "transfer_codes":
            self.scale = Graduate.objects.count()
            bench_transfer_codes(self, min(TRANSFER_ROWS, o["import_rows"]), o["import_repeat"])
            return
        user = User.objects.filter(username=o["user"], role=Role.DEPARTMENT).first()
        if user is None:
            raise CommandError(f"找不到院系用户 {o['user']}，请先运行 seed_scale。")
        self.scale = Graduate.objects.count()
        self.stderr.write(f"数据库：{connection.vendor}，毕业生 {self.scale} 名")
        signing = not o["skip_signing"] and self._has_signings(user)
        school_user = User.objects.filter(username=o["school_user"], role=Role.SCHOOL, school_id=user.school_id).first()
        destinations = not o["skip_destinations"] and self._has_destinations(user, school_user, o["school_user"])
        hosts = [*settings.ALLOWED_HOSTS, "testserver"]
        with override_settings(ROOT_URLCONF="gradreg.devtools.bench_urls", ALLOWED_HOSTS=hosts):
            self.bench_roster_list(user, o["repeat"], o["warmup"])
            if signing:
                self.bench_signing_list(user, o["repeat"], o["warmup"])
            if destinations:
                self.bench_destination_list(user, school_user, o["repeat"], o["warmup"])
        if not o["skip_import"]:
            self.bench_roster_import(o["import_rows"], o["import_repeat"])
            bench_archive_import(self, ARCHIVE_ROWS, o["import_repeat"])
            bench_transfer_codes(self, min(TRANSFER_ROWS, o["import_rows"]), o["import_repeat"])
        if signing:
            self.bench_signing_approve(user, o["approve_repeat"], o["warmup"])
            self.bench_signing_export(o["export_rows"], o["export_small_rows"], o["export_repeat"])
        if destinations:
            self.bench_destination_approve(school_user, user, o["approve_repeat"], o["warmup"])
        if not o["skip_archives"]:  # 档案 (seed_scale --archives; skipped without its data)
            bench_archives.run(self, o["repeat"], batch_repeat=5, user=user)

    def emit(self, name: str, value: float, unit: str, baseline: float) -> None:
        ratio = value / baseline if baseline else None
        line = {
            "name": name,
            "value": round(value, 3),
            "unit": unit,
            "baseline": round(baseline, 3),
            "ratio": float(f"{ratio:.4g}") if ratio is not None else None,
            "scale": self.scale,
        }
        self.stdout.write(json.dumps(line, ensure_ascii=False))
        self.stdout.flush()

    # --- the roster list ------------------------------------------------------------------------------

    def _client(self, user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def _get(self, client: Client, url: str) -> tuple[float, str]:
        t = time.perf_counter()
        r = client.get(url)
        ms = (time.perf_counter() - t) * 1000
        if r.status_code != 200:
            raise CommandError(f"{url} 返回 {r.status_code}（{r.get('Location', '')}）")
        return ms, r.content.decode()

    def _times(self, client: Client, urls: list[str], repeat: int) -> list[list[float]]:
        """Interleaved timings, so drift (autovacuum, caches) affects every URL alike."""
        out: list[list[float]] = [[] for _ in urls]
        for _ in range(repeat):
            for i, url in enumerate(urls):
                out[i].append(self._get(client, url)[0])
        return out

    def _queries(self, client: Client, url: str) -> tuple[int, list[str]]:
        """The page's query count (median of three requests: a periodic session write shows in one only)."""
        counts, sqls = [], []
        for _ in range(3):
            with CaptureQueriesContext(connection) as ctx:
                self._get(client, url)
            counts.append(len(ctx.captured_queries))
            sqls = [q["sql"] for q in ctx.captured_queries]
        return int(_median(counts)), sqls

    def bench_roster_list(self, user: User, repeat: int, warmup: int) -> None:
        list_url, floor_url = reverse("roster:list"), reverse("bench_floor")
        cohort = current_cohort()
        client = self._client(user)
        page1 = f"{list_url}?graduation_year={cohort}&page=1"
        page50 = f"{list_url}?graduation_year={cohort}&page=50"
        for url in (list_url, floor_url, page1, page50):
            for _ in range(warmup):
                self._get(client, url)
        html = self._get(client, list_url)[1]
        if "没有符合条件的毕业生" in html:
            raise CommandError(f"{user.username} 的名单为空，测试没有意义，请先运行 seed_scale。")
        deep_html = self._get(client, page50)[1]
        deep_ok = "第 50 /" in deep_html
        if not deep_ok:
            self.stderr.write("警告：名单不足 50 页，“第50页”实际为最后一页。")

        self.stderr.write(f"名单页与框架基线各计时 {repeat} 次 ...")
        page_ms, floor_ms = (_median(t) for t in self._times(client, [list_url, floor_url], repeat))
        self.emit("roster_list", page_ms, "ms", floor_ms)

        n_queries, sqls = self._queries(client, list_url)
        own = [s for s in sqls if "ems_graduate" in s]
        raw = []
        with connection.cursor() as cur:
            for _ in range(warmup):
                for s in own:
                    cur.execute(s)
                    cur.fetchall()
            for _ in range(repeat):
                t = time.perf_counter()
                for s in own:
                    cur.execute(s)
                    cur.fetchall()
                raw.append((time.perf_counter() - t) * 1000)
        self.emit("roster_list_raw_sql", _median(raw), f"ms ({len(own)} statements; baseline = roster_list page ms)", page_ms)

        self.stderr.write(f"第1页与第50页各计时 {repeat} 次 ...")
        p1_ms, p50_ms = (_median(t) for t in self._times(client, [page1, page50], repeat))
        self.emit("roster_list_deep", p50_ms, "ms (page 50; baseline = page 1 ms)", p1_ms)

        for size in (20, 100):
            n, _ = self._queries(client, f"{list_url}?graduation_year={cohort}&page_size={size}")
            self.emit(f"roster_list_queries_{size}", n, "queries", QUERY_BASELINE)
        self.stderr.write(f"名单页共 {n_queries} 条查询，其中名单自身 {len(own)} 条：")
        for s in own:
            self.stderr.write("  " + s[:300])

    # --- the roster import ----------------------------------------------------------------------------

    def _import_school(self) -> tuple[School, User, list[tuple[str, list[str]]]]:
        province, _ = Province.objects.get_or_create(code="44", defaults={"name": "广东省"})
        school, _ = School.objects.get_or_create(
            code=IMPORT_SCHOOL_CODE, defaults={"name": IMPORT_SCHOOL_NAME, "province": province}
        )
        layout = []
        for k in range(IMPORT_DEPARTMENTS):
            dcode = f"{k + 1:02d}"
            dept, _ = Department.objects.get_or_create(school=school, code=dcode, defaults={"name": f"导入测试学院{dcode}"})
            majors = []
            for j in range(2):
                mcode = f"{dcode}{j + 1:02d}"
                Major.objects.get_or_create(
                    school=school, code=mcode, defaults={"department": dept, "name": f"导入测试专业{mcode}"}
                )
                majors.append(mcode)
            layout.append((dcode, majors))
        user = User.objects.filter(username=IMPORT_USER).first()
        if user is None:
            user = User(username=IMPORT_USER, role=Role.SCHOOL, school=school, display_name=IMPORT_SCHOOL_NAME)
            user.set_unusable_password()
            user.save()
        return school, user, layout

    def _import_rows(self, n: int, layout, cohort: int) -> list[list[str]]:
        """Rows in the template's column order; ID numbers born in a range seed_scale never uses."""
        import datetime as dt

        regions = gen.birth_region_codes(born_from=cohort - 28)
        base = dt.date(cohort - 28, 1, 1)
        rows = []
        for k in range(n):
            seq, day, region = k % 1000, (k // 1000) % 730, regions[(k // 730_000 + k * 7) % len(regions)]
            dcode, majors = layout[k % len(layout)]
            mode = "22" if k % 50 == 0 else "1"
            rows.append([
                f"{cohort % 100:02d}448{k:09d}", f"B{cohort}{k:07d}", gen.name_for(k + 5_000_003),
                "1" if seq % 2 else "2", gen.id_number(region, base + dt.timedelta(days=day), seq),
                "01", "03", "31", dcode, majors[k % 2], "4", mode, "广州市教育局" if mode != "1" else "",
                region, str(cohort), f"{cohort}-06-30", gen.phone_for(k + 3_000_000), f"i{k}@import.example.edu.cn",
                "是" if k % 3 == 0 else "否",
            ])
        return rows

    def _xlsx(self, rows: list[list[str]]) -> bytes:
        import xlsxwriter


        buf = io.BytesIO()
        wb = xlsxwriter.Workbook(buf, {"constant_memory": True, "strings_to_numbers": False})
        ws = wb.add_worksheet("毕业生名单")
        ws.write_row(0, 0, COLUMNS)
        for r, row in enumerate(rows, start=1):
            ws.write_row(r, 0, row)
        wb.close()
        return buf.getvalue()

    def _clear_import(self, school: School) -> None:
        with connection.cursor() as cur:
            cur.execute("DELETE FROM ems_graduate WHERE school_id = %s", [school.pk])
            cur.execute("DELETE FROM ems_rosterimport WHERE school_id = %s", [school.pk])
            if connection.vendor == "postgresql" and not connection.in_atomic_block:
                cur.execute("VACUUM ems_graduate")  # the next import starts from the same table state

    def _run_import(self, user: User, data: bytes, n: int) -> float:

        upload = SimpleUploadedFile("bench_roster.xlsx", data, content_type=XLSX)
        t = time.perf_counter()
        imp = roster_import(actor=user, uploaded_file=upload)
        seconds = time.perf_counter() - t
        if imp.status != "done" or imp.created_count != n:
            shown = "; ".join(f"{e.get('row')}行 {e.get('column')}: {e.get('message')}" for e in (imp.errors or [])[:5])
            raise CommandError(f"导入未成功（{imp.status}，新增 {imp.created_count}/{n}）：{shown}")
        return n / seconds

    def _run_floor(self, data: bytes, width: int) -> float:
        """The floor: python-calamine reads the file, COPY writes the rows into a bare temporary table."""
        from python_calamine import CalamineWorkbook


        names = list(getattr(importer, "FIELDS", ()))[:width]
        if len(names) != width:
            names = [f"c{i}" for i in range(width)]
        cols = ", ".join(names)
        with connection.cursor() as cur:
            cur.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS bench_import_floor ({', '.join(f'{c} text' for c in names)})")
            cur.execute("DELETE FROM bench_import_floor")
        t = time.perf_counter()
        rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python(skip_empty_area=False)
        body = rows[1:]
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                with cur.copy(f"COPY bench_import_floor ({cols}) FROM STDIN") as copy:
                    for row in body:
                        copy.write_row(row[:width])
            else:
                cur.executemany(
                    f"INSERT INTO bench_import_floor ({cols}) VALUES ({', '.join(['%s'] * width)})",
                    [row[:width] for row in body],
                )
        seconds = time.perf_counter() - t
        return len(body) / seconds

    def bench_roster_import(self, n: int, repeat: int) -> None:

        school, user, layout = self._import_school()
        self._clear_import(school)  # leftovers of an interrupted run
        cohort = current_cohort()
        # the generated files are kept between runs (they depend only on n, the cohort and the columns)
        folder = Path(settings.VAR_DIR) / "bench"
        folder.mkdir(parents=True, exist_ok=True)
        tag = hashlib.sha256(json.dumps([n, cohort, COLUMNS], ensure_ascii=False).encode()).hexdigest()[:10]
        big_path, small_path = folder / f"roster_{n}_{tag}.xlsx", folder / f"roster_small_{tag}.xlsx"
        if big_path.exists() and small_path.exists():
            data, small = big_path.read_bytes(), small_path.read_bytes()
            self.stderr.write(f"使用已生成的 {n} 行名单文件 {big_path}")
        else:
            t = time.perf_counter()
            rows = self._import_rows(n, layout, cohort)
            data = self._xlsx(rows)
            small = self._xlsx(rows[: min(1000, n)])
            del rows
            big_path.write_bytes(data)
            small_path.write_bytes(small)
            self.stderr.write(f"已生成 {n} 行的名单文件（{len(data) / 1e6:.1f} MB，{time.perf_counter() - t:.1f} 秒）")
        width = len(COLUMNS)
        try:
            self._run_import(user, small, min(1000, n))  # warm-up
            self._clear_import(school)
            self._run_floor(small, width)
            rates, floors = [], []
            for i in range(repeat):
                rates.append(self._run_import(user, data, n))
                self._clear_import(school)
                floors.append(self._run_floor(data, width))
                self.stderr.write(f"  第 {i + 1} 次：导入 {rates[-1]:.0f} 行/秒，基线 {floors[-1]:.0f} 行/秒")
        finally:
            self._clear_import(school)
            with connection.cursor() as cur:
                cur.execute("DROP TABLE IF EXISTS bench_import_floor")
        self.emit("roster_import", _median(rates), "rows/s", _median(floors))


    # --- signings --------------------------------------------------------------------------------------

    def _has_signings(self, user: User) -> bool:

        if Signing.objects.filter(department_id=user.department_id).exists():
            return True
        self.stderr.write(f"{user.username} 的院系没有签约数据，跳过签约测试（seed_scale --signings 生成）。")
        return False

    def _explain(self, sqls: list[str]) -> None:
        """EXPLAIN ANALYZE of a page's own statements (PostgreSQL), to stderr."""
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cur:
            for sql in sqls:
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                self.stderr.write("  " + sql[:300])
                for (line,) in cur.fetchall():
                    self.stderr.write("    " + line)

    def bench_signing_list(self, user: User, repeat: int, warmup: int) -> None:
        list_url, floor_url = reverse("signing:review_list"), reverse("bench_signing_floor")
        client = self._client(user)
        # the deep page: the first list with 50 pages (a department reviews far fewer than 1,000 at a time)
        deep_filter = SIGNING_DEEP_FILTERS[-1]
        for candidate in SIGNING_DEEP_FILTERS:
            form = ReviewFilterForm(QueryDict(candidate))
            if signing_search(user, form.filters()).count() >= 50 * 20:
                deep_filter = candidate
                break
        shown = deep_filter.replace("status=&", "").replace("status=", "") or "all"
        self._bench_list(ListCase(
            name="signing_list", title="签约列表", client=client, page1=f"{list_url}?{SIGNING_FILTER}&page=1",
            floor=f"{floor_url}?{SIGNING_FILTER}&page=1",
            unit=f"ms ({SIGNING_FILTER}, page 1; baseline = same-layout floor ms)",
            empty=f"{user.username} 没有“{SIGNING_FILTER}”的签约，测试没有意义，请先运行 seed_scale --signings。",
            deep_title=f"签约列表（{deep_filter}）", deep_client=client, deep_page=f"{list_url}?{deep_filter}&page=",
            deep_unit=f"ms (page 50 of the department's {shown} signings; baseline = page 1 ms)",
            sized=f"{list_url}?{SIGNING_FILTER}&page_size=", table="signing_signing",
        ), repeat, warmup)

    def _bench_list(self, case: ListCase, repeat: int, warmup: int) -> None:
        """A review list: page 1 against its same-layout floor, page 50 against page 1, queries at 20 and 100."""
        client, deep_client = case.client, case.deep_client
        deep1, deep50 = case.deep_page + "1", case.deep_page + "50"
        for c, url in ((client, case.page1), (client, case.floor), (deep_client, deep1), (deep_client, deep50)):
            for _ in range(warmup):
                self._get(c, url)
        if "没有符合条件的记录" in self._get(client, case.page1)[1]:
            raise CommandError(case.empty)
        if "第 50 /" not in self._get(deep_client, deep50)[1]:
            self.stderr.write(f"警告：{case.deep_title}不足 50 页，“第50页”实际为最后一页。")

        self.stderr.write(f"{case.title}与同版式基线各计时 {repeat} 次 ...")
        page_ms, floor_ms = (_median(t) for t in self._times(client, [case.page1, case.floor], repeat))
        self.emit(case.name, page_ms, case.unit, floor_ms)

        self.stderr.write(f"{case.deep_title}第1页与第50页各计时 {repeat} 次 ...")
        p1_ms, p50_ms = (_median(t) for t in self._times(deep_client, [deep1, deep50], repeat))
        self.emit(f"{case.name}_deep", p50_ms, case.deep_unit, p1_ms)

        sqls: dict[int, list[str]] = {}
        for size in (20, 100):
            n, sqls[size] = self._queries(client, f"{case.sized}{size}")
            self.emit(f"{case.name}_queries_{size}", n, "queries", QUERY_BASELINE)
        self.stderr.write(f"{case.title}（每页 20 条）共 {len(sqls[20])} 条查询：")
        for sql in sqls[20]:
            self.stderr.write("  " + sql[:300])
        own = [q for q in sqls[20] if case.table in q]
        _, deep_sqls = self._queries(deep_client, deep50)
        self._explain(own + [q for q in deep_sqls if case.table in q and "OFFSET" in q])

    def _approve_targets(self, user: User, limit: int = 50) -> list[int]:
        """Online signings of the user's department waiting for it, whose graduate may still act and whose
        submitted info matches EMS (the approval's own check), so every approval succeeds."""

        qs = (Signing.objects.filter(department_id=user.department_id, status=SigningStatus.AGREED,
                                     graduate__is_valid=True, graduation_year__gte=current_cohort() - 1)
              .select_related("graduate__school", "graduate__major", "graduate__department").order_by("id"))
        out, stale = [], 0
        for s in qs[: limit * 2]:
            g = s.graduate
            if not (cohort_may_act(g.graduation_year) and may_sign_online(g)):
                continue
            if key_differences(s.graduate_snapshot, g):
                stale += 1
                continue
            out.append(s.pk)
            if len(out) == limit:
                break
        if stale:
            self.stderr.write(f"警告：{stale} 条签约的提交信息与就业管理系统不一致，未用于测试。")
        if not out:
            raise CommandError(f"{user.username} 的院系没有可审核通过的签约（学生已同意签约），请先运行 seed_scale --signings。")
        return out

    def bench_signing_approve(self, user: User, repeat: int, warmup: int) -> None:
        self._bench_approve(Move(
            name="signing_approve", what="签约", act=signing_act, model=Signing, item_type="online_signing",
            source=SigningStatus.AGREED, target=SigningStatus.ONLINE_WAIT_SCHOOL, topic="bench.signing_approved",
            payload_key="signing_id",
            unit="ms (median; baseline = UPDATE status + INSERT audit + INSERT outbox, median ms)",
        ), user, self._approve_targets(user), repeat, warmup)

    def _bench_approve(self, move: Move, user: User, pks: list[int], repeat: int, warmup: int) -> None:
        """One approval through its service against a bare transaction of the same writes, both rolled back."""
        actor_pk, role = user.pk, user.role

        def approve(pk: int) -> float:
            actor = User.objects.get(pk=actor_pk)  # as a request has it: nothing related loaded yet
            t = time.perf_counter()
            with transaction.atomic():
                item = move.act(actor=actor, pk=pk, action="approve")
                transaction.set_rollback(True)
            ms = (time.perf_counter() - t) * 1000
            if item.status != move.target:
                raise CommandError(f"{move.what} {pk} 审核通过后状态为 {item.status}")
            return ms

        def bare(pk: int) -> float:
            t = time.perf_counter()
            with transaction.atomic():
                now = timezone.now()
                move.model.objects.filter(pk=pk).update(status=move.target, updated_at=now,
                                                        **{f: now for f in move.stamps})
                AuditEvent(item_type=move.item_type, item_id=pk, seq=1, action="approve", action_label="审核通过",
                           from_state=move.source, to_state=move.target, actor_id=actor_pk, actor_name="bench",
                           actor_role=role, actor_unit="bench", at=now, prev_hash="0" * 64,
                           hash="0" * 64).save(force_insert=True)
                OutboxEvent.objects.create(topic=move.topic, idempotency_key=f"bench:{uuid.uuid4()}",
                                           payload={move.payload_key: pk})
                transaction.set_rollback(True)
            return (time.perf_counter() - t) * 1000

        for k in range(warmup):
            approve(pks[k % len(pks)])
            bare(pks[k % len(pks)])
        with CaptureQueriesContext(connection) as ctx:
            approve(pks[0])
        with CaptureQueriesContext(connection) as bare_ctx:
            bare(pks[0])
        self.stderr.write(f"审核通过与基线各计时 {repeat} 次（{len(pks)} 条{move.what}轮流，每次回滚）...")
        engine_ms, bare_ms = [], []
        for k in range(repeat):  # interleaved, so drift affects both alike
            engine_ms.append(approve(pks[k % len(pks)]))
            bare_ms.append(bare(pks[k % len(pks)]))
        # the rolled-back updates leave dead row versions in the list indexes: clear them, or every run
        # would make the next run's list pages slower
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            with connection.cursor() as cur:
                for table in (move.model._meta.db_table, "workflow_auditevent", "workflow_outboxevent"):
                    cur.execute(f"VACUUM {table}")
        self.emit(move.name, _median(engine_ms), move.unit, _median(bare_ms))
        timed = ctx.captured_queries[1:]  # the first loads the user, before the clock starts
        self.stderr.write(f"一次审核通过共 {len(timed)} 条 SQL（基线 {len(bare_ctx.captured_queries)} 条）：")
        for q in timed:
            self.stderr.write("  " + q["sql"][:200])

    # --- 去向登记 ------------------------------------------------------------------------------------

    def _has_destinations(self, user: User, school_user: User | None, school_username: str) -> bool:
        if school_user is None:
            self.stderr.write(f"找不到 {user.username} 所在学校的学校用户 {school_username}，跳过去向登记测试。")
            return False
        if Registration.objects.filter(school_id=user.school_id, department_id=user.department_id).exists():
            return True
        self.stderr.write(f"{user.username} 的院系没有去向登记数据，跳过去向登记测试（seed_scale --destinations 生成）。")
        return False

    def bench_destination_list(self, user: User, school_user: User, repeat: int, warmup: int) -> None:
        """去向登记管理: the department's default list, and page 50 of the first of the department's and the
        school's whole lists that has 50 pages (a department rarely holds 1,000 registrations)."""
        list_url, floor_url = reverse("destinations:list"), reverse("bench_destination_floor")
        client = self._client(user)
        deep_user = user
        for candidate in (user, school_user):
            deep_user = candidate
            if destination_search(Registration, candidate, Filters()).count() >= 50 * 20:
                break
        deep_client = client if deep_user is user else self._client(deep_user)
        whose = "department" if deep_user is user else "school"
        self._bench_list(ListCase(
            name="destination_list", title="去向登记列表", client=client,
            page1=f"{list_url}?{DESTINATION_FILTER}&page=1", floor=f"{floor_url}?{DESTINATION_FILTER}&page=1",
            unit=f"ms ({DESTINATION_FILTER}, page 1; baseline = same-layout floor ms)",
            empty=f"{user.username} 没有等待学院审核的去向登记，测试没有意义，请先运行 seed_scale --destinations。",
            deep_title=f"{deep_user.username} 的去向登记列表（全部状态）", deep_client=deep_client,
            deep_page=f"{list_url}?{DESTINATION_ALL}&page=",
            deep_unit=f"ms (page 50 of the {whose}'s registrations, every state; baseline = page 1 ms)",
            sized=f"{list_url}?{DESTINATION_ALL}&page_size=", table=Registration._meta.db_table,
        ), repeat, warmup)

    def _destination_targets(self, user: User, status: str, limit: int = 50) -> list[int]:
        """Registrations in `status` waiting for the user (not 未就业: approving one makes a live destination),
        whose graduate may still act and whose submitted info matches EMS (the approval's own check)."""
        scope = {"school_id": user.school_id, **({"department_id": user.department_id} if user.department_id else {})}
        qs = (Registration.objects.filter(**scope, status=status, unemployed=False, graduate__is_valid=True,
                                          graduation_year__gte=current_cohort() - 1)
              .select_related("graduate__school", "graduate__major", "graduate__department").order_by("id"))
        out = []
        for r in qs[: limit * 2]:
            g = r.graduate
            if cohort_may_act(g.graduation_year) and not key_differences(r.graduate_snapshot, g):
                out.append(r.pk)
            if len(out) == limit:
                break
        if not out:
            raise CommandError(f"{user.username} 没有可审核通过的去向登记（{RegistrationStatus(status).label}），"
                               "请先运行 seed_scale --destinations。")
        return out

    def bench_destination_approve(self, school_user: User, dept_user: User, repeat: int, warmup: int) -> None:
        """destination_approve: the school's approval that registers the destination (等待学校审核 → 审核通过,已登记:
        status, audit event, EMS outbox row, the live destination); destination_approve_dept: the department's
        (等待学院审核 → 等待学校审核: status and audit event), as signing_approve measures signing's."""
        bare = "baseline = UPDATE status + INSERT audit + INSERT outbox, median ms"
        self._bench_approve(Move(
            name="destination_approve", what="去向登记", act=registration_act, model=Registration,
            item_type=REGISTRATION.name, source=RegistrationStatus.WAIT_SCHOOL, target=RegistrationStatus.APPROVED,
            topic="bench.destination_reported", payload_key="source_id", stamps=("approved_at",),
            unit=f"ms (median, the school's approval 等待学校审核 → 审核通过; {bare})",
        ), school_user, self._destination_targets(school_user, RegistrationStatus.WAIT_SCHOOL), repeat, warmup)
        self._bench_approve(Move(
            name="destination_approve_dept", what="去向登记", act=registration_act, model=Registration,
            item_type=REGISTRATION.name, source=RegistrationStatus.WAIT_DEPT, target=RegistrationStatus.WAIT_SCHOOL,
            topic="bench.destination_approved", payload_key="source_id",
            unit=f"ms (median, the department's approval 等待学院审核 → 等待学校审核; {bare})",
        ), dept_user, self._destination_targets(dept_user, RegistrationStatus.WAIT_DEPT), repeat, warmup)

    def _export_queryset(self, n: int):
        """n signings of as few schools as hold them, in the review list's order (as an export reads them)."""
        from django.db.models import Count


        if not hasattr(self, "_export_schools"):
            self._export_schools: list[tuple[int, int]] = list(
                Signing.objects.values_list("school_id").annotate(n=Count("id")).order_by("-n", "school_id")
            )
        ids, total = [], 0
        for school_id, count in self._export_schools:
            ids.append(school_id)
            total += count
            if total >= n:
                break
        if total < n:
            raise CommandError(f"签约只有 {total} 条，不足导出测试的 {n} 行。")
        return Signing.objects.filter(school_id__in=ids).order_by("-updated_at", "-id")[:n]

    def _export(self, qs) -> None:

        response = signing_export(qs)
        try:
            size = sum(len(chunk) for chunk in response.streaming_content)
        finally:
            # the file only: response.close() sends request_finished, which may close the connection
            response.file_to_stream.close()
        if size < 1000:
            raise CommandError("导出文件为空")

    def _bare_export(self, header: list[str], cells: list[list]) -> None:
        import xlsxwriter

        with tempfile.TemporaryFile() as fh:
            wb = xlsxwriter.Workbook(fh, {"constant_memory": True})
            ws = wb.add_worksheet("在线签约")
            ws.write_row(0, 0, header)
            for r, row in enumerate(cells, start=1):
                ws.write_row(r, 0, row)
            wb.close()

    def _export_cells(self, n: int) -> tuple[list[str], list[list]]:
        """The cells the export writes for n rows (labels applied, values made safe), fetched beforehand."""

        labels = {"initiator": dict(Initiator.choices), "status": dict(SigningStatus.choices),
                  "reject_category": dict(RejectCategory.choices)}
        rows = exports._rows(self._export_queryset(n), exports.SIGNING_COLUMNS, labels)
        return [h for h, _ in exports.SIGNING_COLUMNS], [[safe_cell(v) for v in row] for row in rows]

    def _peak_mb(self, n: int) -> float:
        qs = self._export_queryset(n)
        tracemalloc.start()
        try:
            self._export(qs)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        return peak / 2**20

    def bench_signing_export(self, n: int, small: int, repeat: int) -> None:
        header, cells = self._export_cells(n)
        self._export(self._export_queryset(small))  # warm-up
        self._bare_export(header, cells[:small])
        self.stderr.write(f"签约导出 {n} 行与 xlsxwriter 基线各计时 {repeat} 次 ...")
        rates, floors = [], []
        for i in range(repeat):
            qs = self._export_queryset(n)
            t = time.perf_counter()
            self._export(qs)
            rates.append(n / (time.perf_counter() - t))
            t = time.perf_counter()
            self._bare_export(header, cells)
            floors.append(n / (time.perf_counter() - t))
            self.stderr.write(f"  第 {i + 1} 次：导出 {rates[-1]:.0f} 行/秒，基线 {floors[-1]:.0f} 行/秒")
        del cells
        self.emit("signing_export", _median(rates), f"rows/s ({n} rows; baseline = bare xlsxwriter, same cells)",
                  _median(floors))
        big, little = self._peak_mb(n), self._peak_mb(small)
        self.emit("signing_export_memory", big, f"MB peak (tracemalloc) at {n} rows; baseline = at {small} rows", little)
