"""Bulk data for benchmarks: N graduates spread over generated schools, with valid identifiers.

On PostgreSQL the graduates go in with COPY (a million in a couple of minutes); on SQLite with
bulk_create. Re-running adds only what is missing up to N: the same N twice does nothing.

Layout: S schools (default one per 10,000 graduates), each with 10 departments of unequal size
(weights 10, 9, ..., 1: the first department of a school holds 18% of it), two majors each. About
70% of the graduates belong to the current cohort, 15% to last year's, the rest to the three before;
1% are invalidated. The benchmark accounts are the first school's user and its first (largest)
department's user.

With --signings, about 60% of the graduates also get one signing each (COPY on PostgreSQL), from a
pool of registered employers (one per 300 graduates, at most 3,000): 60% 签约成功 (with a 协议书编号
unique per school and year), 10% each 学生已同意签约 (online, waiting for the department), 就业协议
审核中 (offline, waiting for the department) and 等待学校审核 (online), the rest spread over the other
states; both initiators. The submitted graduate info is what `take_snapshot` makes of the graduate, so
reviews pass the EMS comparison. Re-running continues after the last graduate that has a signing: once
done, it adds nothing. One signed agreement in ten then gets an offline termination (40% waiting for the
department, the rest in the 解约管理 list's other states), in one INSERT … SELECT, once.

With --destinations (which implies --signings), graduates without a signing get 去向登记 (about 20% of all
graduates) and 补登 (about 2%), in the states of their tables (gradreg.devtools.scale_destinations).

With --archives, 档案/户口 records (about 40% 已登记) and applications in every state, and a school of its own
whose one department has --archive-quick applications 待院系审核 for the 快速审核 benchmark
(gradreg.devtools.scale_archives).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import time
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count, Max
from django.db.models.functions import Substr
from django.utils import timezone

from gradreg.accounts.models import Role, User
from gradreg.codes.loader import region_codes_in_use
from gradreg.destinations.models import PaperAgreement, Registration
from gradreg.devtools import gen
from gradreg.devtools.scale_archives import (
    QUICK_GRADUATES,
    QUICK_INDEX,
    archive_mix,
    quick_layout,
    seed_archives,
)
from gradreg.devtools.scale_destinations import mix_of, scale_items, seed_destinations
from gradreg.ems.models import Graduate, TrainingMode
from gradreg.organisations.models import Department, Employer, Major, Province, ReviewStatus, School
from gradreg.roster.gates import current_cohort
from gradreg.signing.models import AgreementCounter, Initiator, RejectCategory, Signing, SigningStatus, Termination
from gradreg.signing.models import SigningStatus as S
from gradreg.signing.models import TerminationStatus as TS

BENCH_PASSWORD = "Bench-2026-Pass"
SCHOOL_CODE_PREFIX = "9"  # scale schools: 90001, 90002, ...
SCHOOL_NAME_PREFIX = "基准测试大学"
DEPARTMENTS_PER_SCHOOL = 10
GRADUATES_PER_SCHOOL = 10_000
CHUNK = 50_000  # rows per transaction: an interrupted run keeps what it wrote and resumes from there
EXAM_PREFIX_DIGIT = "9"  # exam_no = yy + "44" + "9" + 9-digit index

# department slot table: department k of a school gets weight 10 - k
DEPT_SLOTS = [k for k in range(DEPARTMENTS_PER_SCHOOL) for _ in range(DEPARTMENTS_PER_SCHOOL - k)]
DEPT_NAMES = ["计算机学院", "机械工程学院", "经济管理学院", "外国语学院", "电子信息学院",
              "土木工程学院", "化学化工学院", "数学学院", "文学院", "法学院"]
MAJOR_NAMES = ["计算机科学与技术", "软件工程", "机械设计制造及其自动化", "自动化", "工商管理", "金融学", "英语",
               "日语", "电子信息工程", "通信工程", "土木工程", "给排水科学与工程", "化学工程与工艺", "应用化学",
               "数学与应用数学", "统计学", "汉语言文学", "新闻学", "法学", "知识产权"]
BIRTH_DAYS = 1095  # birth dates spread over three years

COLUMNS = (
    "exam_no", "student_no", "name", "gender", "id_number", "ethnicity", "political_status", "education_level",
    "school_id", "department_id", "major_id", "schooling_years", "training_mode", "directed_unit",
    "origin_region", "graduation_year", "graduation_date", "phone", "email", "hukou_moved_to_school",
    "is_valid", "invalidated_at", "invalid_reason", "restored_at", "created_at", "updated_at",
)


# --- signings (--signings) ---
SIGNING_ACCOUNT = "bench_seed"  # recorded as the creator of generated signings; inactive, no password
# out of 1000 graduates who may sign online (98% of all): about 60% of all graduates get a signing
SIGNING_PER_MILLE = 612
GRADUATES_PER_EMPLOYER = 300  # the employer pool: one per 300 graduates, at most gen.SCALE_EMPLOYERS (3,000)

SIGNING_COLUMNS = (
    "initiator", "status", "graduate_id", "school_id", "department_id", "employer_id", "graduation_year",
    "graduate_name", "exam_no",
    "employer_name", "credit_code", "employer_nature", "employer_industry", "employer_region", "employer_address",
    "contact_name", "contact_phone",
    "position", "job_category", "work_region", "monthly_salary", "probation_months", "service_years",
    "breach_terms", "archive_unit", "archive_address", "hukou_unit", "hukou_address", "other_terms",
    "expires_at", "decline_reason", "graduate_snapshot", "refreshed_info", "last_reason", "reject_category",
    "returned", "stamped_file", "stamped_content_type", "stamped_sha256", "stamped_at",
    "explanation_file", "explanation_content_type", "explanation_sha256",
    "agreement_no", "agreement_file", "agreement_sha256", "agreement_generated_at", "verify_token",
    "created_by_id", "submitted_at", "signed_at", "created_at", "updated_at",
)


def scale_schools():
    return School.objects.filter(code__startswith=SCHOOL_CODE_PREFIX, name__startswith=SCHOOL_NAME_PREFIX)


def scale_graduates():
    return Graduate.objects.filter(school__in=scale_schools())


def scale_signings():

    return Signing.objects.filter(school__in=scale_schools())


class Command(BaseCommand):
    help = "批量生成基准测试数据（学校、院系、专业、毕业生及基准测试账号），重复执行只补足到 N 名"

    def add_arguments(self, parser):
        parser.add_argument("--graduates", type=int, required=True, metavar="N", help="毕业生总数")
        parser.add_argument("--schools", type=int, metavar="S", help=f"学校数（默认每 {GRADUATES_PER_SCHOOL} 名毕业生一所）")
        parser.add_argument("--signings", action="store_true",
                            help="同时生成签约数据：约 60%% 的毕业生各一条签约，及至多 3000 家用人单位")
        parser.add_argument("--destinations", action="store_true",
                            help="同时生成去向登记（约 20%% 的毕业生）和补登（约 2%%），只给没有签约的毕业生；含 --signings")
        parser.add_argument("--archives", action="store_true",
                            help="同时生成档案/户口登记信息（约 40%% 已登记）和各状态的申请，及快速审核测试院系")
        parser.add_argument("--archive-quick", type=int, default=QUICK_GRADUATES, metavar="N",
                            help=f"快速审核测试院系的毕业生数（每人一条待院系审核的档案申请，默认 {QUICK_GRADUATES}）")

    def handle(self, *args, graduates: int, schools: int | None, signings: bool, destinations: bool = False,
               archives: bool = False, archive_quick: int = QUICK_GRADUATES, **options):
        if getattr(settings, "GRADREG_ENV", "") == "production":
            raise CommandError("生产环境禁止生成基准测试数据。")
        if graduates < 0:
            raise CommandError("--graduates 不能为负数。")

        started = time.monotonic()
        n_schools = schools or max(1, math.ceil(graduates / GRADUATES_PER_SCHOOL))
        cohort = current_cohort()
        province, _ = Province.objects.get_or_create(code="44", defaults={"name": "广东省"})
        layout = self._organisations(province, n_schools)
        self._accounts(layout)

        existing = scale_graduates().count()
        to_add = graduates - existing
        if to_add <= 0:
            self.stdout.write(f"已有 {existing} 名基准测试毕业生（目标 {graduates}），无需生成。")
        else:
            start = self._next_index()
            regions = gen.birth_region_codes(born_from=cohort - 4 - 24)
            if not regions:
                raise CommandError("行政区划代码表为空，请先执行 migrate。")
            gen_rows = RowGenerator(layout, regions, cohort)
            write = self._copy if connection.vendor == "postgresql" else self._bulk_create
            done = 0
            while done < to_add:
                n = min(CHUNK, to_add - done)
                with transaction.atomic():
                    write(gen_rows, start + done, n)
                done += n
                self.stderr.write(f"  已写入 {done}/{to_add}（{time.monotonic() - started:.0f} 秒）")
            if connection.vendor == "postgresql":
                # VACUUM sets the visibility map, so the list COUNTs are index-only scans; it cannot run
                # inside a transaction (tests), where fresh statistics are what matters anyway
                sql = "ANALYZE ems_graduate" if connection.in_atomic_block else "VACUUM (ANALYZE) ems_graduate"
                t = time.monotonic()
                with connection.cursor() as c:
                    c.execute(sql)
                self.stderr.write(f"  {sql.split(' ')[0]} {time.monotonic() - t:.1f} 秒")
            self.stdout.write(
                f"新增 {to_add} 名毕业生，现有基准测试毕业生 {existing + to_add} 名，"
                f"学校 {len(layout)} 所，用时 {time.monotonic() - started:.1f} 秒。"
            )
        if signings or destinations:  # destinations go to graduates without a signing: signings first
            self._signings(layout, graduates)
            self._terminations()
        if destinations:
            self._destinations(layout)
        if archives:
            self._archives(layout, province, cohort, archive_quick)
        self.stdout.write(
            f"基准测试账号：bench_dept（{layout[0][1][0][0].name}）、bench_school（{layout[0][0].name}），"
            f"密码 {BENCH_PASSWORD}"
        )

    # --- organisations and accounts ------------------------------------------------------------------

    def _organisations(self, province, n_schools: int):
        """[(school, [(department, [major, major]), ...]), ...] for schools 1..n_schools (created as needed)."""
        have = {s.code: s for s in scale_schools()}
        layout = []
        with transaction.atomic():
            for i in range(1, n_schools + 1):
                code = f"{SCHOOL_CODE_PREFIX}{i:04d}"
                school = have.get(code)
                if school is None:
                    school = School.objects.create(
                        code=code, name=f"{SCHOOL_NAME_PREFIX}{i:03d}", province=province,
                        review_label="审核" if i % 2 else "鉴证",
                    )
                depts = {d.code: d for d in school.departments.all()}
                majors = {m.code: m for m in school.majors.all()}
                entries = []
                for k in range(DEPARTMENTS_PER_SCHOOL):
                    dcode = f"{k + 1:02d}"
                    dept = depts.get(dcode) or Department.objects.create(school=school, code=dcode, name=DEPT_NAMES[k])
                    ms = []
                    for j in range(2):
                        mcode = f"{dcode}{j + 1:02d}"
                        m = majors.get(mcode) or Major.objects.create(
                            school=school, department=dept, code=mcode, name=MAJOR_NAMES[2 * k + j]
                        )
                        ms.append(m)
                    entries.append((dept, ms))
                layout.append((school, entries))
        return layout

    def _accounts(self, layout):
        school, entries = layout[0]
        for username, role, scope, display in (
            ("bench_school", Role.SCHOOL, {"school": school}, f"{school.name}（基准测试）"),
            ("bench_dept", Role.DEPARTMENT, {"school": school, "department": entries[0][0]},
             f"{entries[0][0].name}（基准测试）"),
        ):
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, role=role, display_name=display, **scope)
                user.set_password(BENCH_PASSWORD)
                user.save()
            elif user.must_change_password or not user.check_password(BENCH_PASSWORD):
                user.must_change_password = False
                user.set_password(BENCH_PASSWORD)
                user.save(update_fields=["must_change_password", "password"])

    def _next_index(self) -> int:
        """One past the highest index already used (exam numbers carry the index in their last 9 digits)."""
        top = scale_graduates().aggregate(m=Max(Substr("exam_no", 6)))["m"]
        return int(top) + 1 if top else 0

    # --- signings ------------------------------------------------------------------------------------

    def _signing_account(self) -> User:
        """The account recorded as creator of the generated signings; it never logs in."""
        user = User.objects.filter(username=SIGNING_ACCOUNT).first()
        if user is None:
            user = User(username=SIGNING_ACCOUNT, role=Role.OPERATOR, display_name="基准测试数据生成", is_active=False)
            user.set_unusable_password()
            user.save()
        return user

    def _employers(self, count: int) -> list[tuple[int, dict]]:
        """The pool of registered, approved employers: [(pk, fields), ...] in pool order (created as needed)."""

        regions = sorted(c for c in region_codes_in_use() if c.startswith("44"))
        pool = [gen.employer_for(k, regions) for k in range(count)]
        have = dict(Employer.objects.filter(credit_code__in=[e["credit_code"] for e in pool])
                    .values_list("credit_code", "pk"))
        missing = [e for e in pool if e["credit_code"] not in have]
        if missing:
            now = timezone.now()
            Employer.objects.bulk_create(
                [Employer(**e, approved=True, review_status=ReviewStatus.APPROVED, reviewed_at=now, registered_at=now)
                 for e in missing], batch_size=1000,
            )
            have = dict(Employer.objects.filter(credit_code__in=[e["credit_code"] for e in pool])
                        .values_list("credit_code", "pk"))
            self.stderr.write(f"  新增用人单位 {len(missing)} 家")
        return [(have[e["credit_code"]], e) for e in pool]

    def _signings(self, layout, graduates: int) -> None:

        started = time.monotonic()
        creator = self._signing_account()
        employers = self._employers(min(gen.SCALE_EMPLOYERS, max(20, graduates // GRADUATES_PER_EMPLOYER)))
        gen_rows = SigningGenerator(layout, employers, creator.pk)
        # graduates are visited in id order; the last one holding a signing says where a run stopped
        last = scale_signings().aggregate(m=Max("graduate_id"))["m"] or 0
        school_ids = [school.pk for school, _ in layout]
        write = self._copy_signings if connection.vendor == "postgresql" else self._bulk_create_signings
        added = 0
        while True:
            # the school ids as a list: with the subquery the planner expects one school and sorts them all
            batch = list(Graduate.objects.filter(school_id__in=school_ids, pk__gt=last).order_by("pk")
                         .values_list(*gen.GRADUATE_FIELDS)[:CHUNK])
            if not batch:
                break
            with transaction.atomic():
                n = write(gen_rows.rows(batch))
            last = batch[-1][0]
            if n:
                added += n
                self.stderr.write(f"  签约已写入 {added}（{time.monotonic() - started:.0f} 秒）")
        total = scale_signings().count()
        if not added:
            self.stdout.write(f"已有 {total} 条基准测试签约，无需生成。")
            return
        self._agreement_counters()
        if connection.vendor == "postgresql":
            sql = "ANALYZE signing_signing" if connection.in_atomic_block else "VACUUM (ANALYZE) signing_signing"
            t = time.monotonic()
            with connection.cursor() as c:
                c.execute(sql)
            self.stderr.write(f"  {sql.split(' ')[0]} {time.monotonic() - t:.1f} 秒")
        mix = scale_signings().values("status").annotate(n=Count("id")).order_by("-n")
        shown = "，".join(f"{SigningStatus(r['status']).label} {r['n']}" for r in mix)
        self.stdout.write(f"新增 {added} 条签约，现有基准测试签约 {total} 条（{shown}），用时 {time.monotonic() - started:.1f} 秒。")

    def _destinations(self, layout) -> None:
        started = time.monotonic()
        registrations, papers = seed_destinations(layout, self._signing_account().pk, log=self.stderr.write)
        school_ids = [school.pk for school, _ in layout]
        if not registrations and not papers:
            self.stdout.write(f"已有 {scale_items(Registration, school_ids).count()} 条基准测试去向登记、"
                              f"{scale_items(PaperAgreement, school_ids).count()} 条补登，无需生成。")
            return
        self.stdout.write(f"新增 {registrations} 条去向登记（{mix_of(Registration, school_ids)}）、{papers} 条补登"
                          f"（{mix_of(PaperAgreement, school_ids)}），用时 {time.monotonic() - started:.1f} 秒。")

    def _archives(self, layout, province, cohort: int, quick: int) -> None:
        """档案/户口 data for the scale graduates, and the 快速审核 school with its graduates (written here, as
        the others are)."""
        started = time.monotonic()
        quick_school = quick_layout(province, BENCH_PASSWORD)
        have = Graduate.objects.filter(school=quick_school[0][0]).count()
        if have < quick:
            gen_rows = RowGenerator(quick_school, gen.birth_region_codes(born_from=cohort - 4 - 24), cohort)
            write = self._copy if connection.vendor == "postgresql" else self._bulk_create
            with transaction.atomic():
                write(gen_rows, QUICK_INDEX + have, quick - have)
            self.stderr.write(f"  快速审核测试院系新增毕业生 {quick - have} 名")
        school_ids = [school.pk for school, _ in layout + quick_school]
        records, applications = seed_archives(school_ids, quick_school[0][0].pk, self._signing_account().pk,
                                              log=self.stderr.write)
        if not records and not applications:
            self.stdout.write("已有基准测试档案/户口数据，无需生成。")
            return
        self.stdout.write(f"新增 {records} 条档案/户口登记信息、{applications} 条申请（{archive_mix(school_ids)}），"
                          f"用时 {time.monotonic() - started:.1f} 秒。")

    def _terminations(self) -> None:
        """Offline terminations of one signed agreement in ten, in the states the 解约管理 list shows.

        One INSERT … SELECT over the signed signings (no rows through Python); skipped when the bench
        signings already have terminations. Only states that leave the signing signed are used.
        """
        signings = scale_signings()
        if Termination.objects.filter(signing__in=signings).exists():
            return
        started = time.monotonic()
        creator = self._signing_account()
        # (id / 10) % 10 picks the state: 40 % wait for the department, the rest spread over the others
        states = [TS.OFFLINE_WAIT_DEPT] * 4 + [TS.WAIT_SCHOOL, TS.WAIT_SCHOOL, TS.RETURNED, TS.FAILED,
                                               TS.CANCELLED, TS.OTHER_DECLINED]
        case = " ".join(f"WHEN {i} THEN '{state.value}'" for i, state in enumerate(states))
        school_ids = list(scale_schools().values_list("pk", flat=True))
        marks = ", ".join(["%s"] * len(school_ids))
        now = timezone.now()
        sql = f"""
            INSERT INTO signing_termination (
                status, online, applicant, reason, answer_reason, material_file, material_content_type,
                material_sha256, last_reason, reject_category, returned, graduation_year, graduate_name,
                exam_no, employer_name, created_at, updated_at, created_by_id, department_id, employer_id,
                graduate_id, school_id, signing_id)
            SELECT CASE (s.id / 10) %% 10 {case} END, %s, %s, %s, '', '', '', '', '', '', %s,
                   s.graduation_year, s.graduate_name, s.exam_no, s.employer_name, %s, %s, %s,
                   s.department_id, s.employer_id, s.graduate_id, s.school_id, s.id
            FROM signing_signing s
            WHERE s.school_id IN ({marks}) AND s.status = %s AND s.id %% 10 = 0
        """
        params = [False, Initiator.GRADUATE.value, "基准测试：毕业生申请解约", False, now, now, creator.pk,
                  *school_ids, SigningStatus.SIGNED.value]
        with transaction.atomic(), connection.cursor() as c:
            c.execute(sql, params)
            added = c.rowcount
            if connection.vendor == "postgresql":
                c.execute("ANALYZE signing_termination")
        self.stdout.write(f"新增 {added} 条基准测试解约，用时 {time.monotonic() - started:.1f} 秒。")

    def _agreement_counters(self) -> None:
        """Each school's 协议书编号 counter continues after the highest generated number of its year."""

        top: dict[tuple[int, int], int] = {}
        for school_id, no in scale_signings().exclude(agreement_no="").values_list("school_id", "agreement_no"):
            _, year, seq = no.rsplit("-", 2)
            key = (school_id, int(year))
            if int(seq) > top.get(key, 0):
                top[key] = int(seq)
        with transaction.atomic():
            for (school_id, year), seq in top.items():
                AgreementCounter.objects.get_or_create(school_id=school_id, year=year)
                AgreementCounter.objects.filter(school_id=school_id, year=year, last__lt=seq).update(last=seq)

    def _copy_signings(self, rows) -> int:
        json_at = [SIGNING_COLUMNS.index("graduate_snapshot"), SIGNING_COLUMNS.index("refreshed_info")]
        sql = f"COPY signing_signing ({', '.join(SIGNING_COLUMNS)}) FROM STDIN"
        n = 0
        with connection.cursor() as c:
            with c.copy(sql) as copy:
                for row in rows:
                    row = list(row)
                    for k in json_at:
                        row[k] = json.dumps(row[k], ensure_ascii=False)
                    copy.write_row(row)
                    n += 1
        return n

    def _bulk_create_signings(self, rows) -> int:

        objs = [Signing(**dict(zip(SIGNING_COLUMNS, row))) for row in rows]
        Signing.objects.bulk_create(objs, batch_size=500)
        return len(objs)

    # --- writers --------------------------------------------------------------------------------------

    def _copy(self, gen_rows, start: int, n: int) -> None:
        sql = f"COPY ems_graduate ({', '.join(COLUMNS)}) FROM STDIN"
        with connection.cursor() as c:
            with c.copy(sql) as copy:
                write_row = copy.write_row
                for row in gen_rows.rows(start, n):
                    write_row(row)

    def _bulk_create(self, gen_rows, start: int, n: int) -> None:
        objs = [Graduate(**dict(zip(COLUMNS, row))) for row in gen_rows.rows(start, n)]
        Graduate.objects.bulk_create(objs, batch_size=1000)


class RowGenerator:
    """Graduate rows (tuples in COLUMNS order) as a pure function of their index."""

    def __init__(self, layout, regions: list[str], cohort: int):
        self.layout = [(s.pk, s.code, [(d.pk, [m.pk for m in ms]) for d, ms in entries]) for s, entries in layout]
        self.regions = regions
        self.cohort = cohort
        # a bijection i -> j over [0, M) spreads ID numbers over regions, birth dates and sequence numbers;
        # i < M guarantees that no two graduates share an ID number
        self.space = len(regions) * BIRTH_DAYS * 1000
        p = 1_000_003
        while math.gcd(p, self.space) != 1:
            p += 2
        self.mult = p
        self.now = timezone.now()
        self.births = {
            year: dt.date(year - 24, 1, 1) for year in range(cohort - 4, cohort + 1)
        }

    def rows(self, start: int, n: int):
        cohort, now, layout, regions = self.cohort, self.now, self.layout, self.regions
        n_schools, n_regions, space, mult = len(layout), len(regions), self.space, self.mult
        years4 = Decimal("4")
        years3 = Decimal("3")
        id_number, name_for, phone_for = gen.id_number, gen.name_for, gen.phone_for
        units = gen.DIRECTED_UNITS
        reasons = gen.INVALID_REASONS
        n_slots = len(DEPT_SLOTS)
        for i in range(start, start + n):
            if i >= space:
                raise CommandError("毕业生数量超出可生成的不重复身份证号范围。")
            j = (i * mult + 7) % space
            seq = j % 1000
            day = (j // 1000) % BIRTH_DAYS
            region = regions[(j // (1000 * BIRTH_DAYS)) % n_regions]
            h = gen.mix(i)
            h2 = gen.mix(i ^ 0x5BD1E995)
            bucket = h % 100
            if bucket < 70:
                year = cohort
            elif bucket < 85:
                year = cohort - 1
            else:
                year = cohort - 2 - bucket % 3
            school_id, school_code, depts = layout[i % n_schools]
            dept_id, majors = depts[DEPT_SLOTS[h2 % n_slots]]
            level_bucket = (h >> 7) % 20
            level = "31" if level_bucket < 15 else ("11" if level_bucket < 18 else "41")
            yrs = years4 if level == "31" else years3
            mode_bucket = (h >> 12) % 100
            mode = "1" if mode_bucket < 96 else ("21", "22", "41", "42")[mode_bucket - 96]
            invalid = (h >> 19) % 100 == 0
            birth = self.births[year] + dt.timedelta(days=day)
            yield (
                f"{year % 100:02d}44{EXAM_PREFIX_DIGIT}{i:09d}",
                f"{school_code}{year}{i:09d}",
                name_for(i),
                "1" if seq % 2 else "2",
                id_number(region, birth, seq),
                "01" if (h2 >> 9) % 17 else "03",
                "03" if (h2 >> 14) % 5 else ("01" if (h2 >> 20) & 1 else "13"),
                level,
                school_id,
                dept_id,
                majors[(h2 >> 8) & 1],
                yrs,
                mode,
                units[i % len(units)] if mode != "1" else "",
                region,
                year,
                dt.date(year, 6, 30),
                phone_for(i),
                f"g{i}@bench.example.edu.cn",
                (h2 >> 22) % 3 == 0,
                not invalid,
                now if invalid else None,
                reasons[i % len(reasons)] if invalid else "",
                None,
                now,
                now,
            )



class SigningGenerator:
    """One signing (a tuple in SIGNING_COLUMNS order) for some of the graduates, as a function of their index."""

    def __init__(self, layout, employers: list[tuple[int, dict]], creator_id: int):

        self.S = S
        self.school_codes = {s.pk: s.code for s, _ in layout}
        self.snapshot = gen.Snapshots(layout)
        self.tz = timezone.get_current_timezone()
        self.employers = employers
        self.creator_id = creator_id
        self.now = timezone.now()
        self.valid_days = settings.INVITATION_VALID_DAYS
        # the mix: 签约成功 600, 学生已同意 100, 就业协议审核中(学院) 100, 等待学校(线上) 100, the rest share 100
        self.others = (S.INVITED, S.DECLINED, S.WITHDRAWN, S.EXPIRED, S.DRAFT_WAIT_SCHOOL, S.DRAFT_RETURNED,
                       S.DRAFT_WITHDRAWN, S.AWAIT_UPLOAD, S.UPLOAD_WAIT_DEPT, S.UPLOAD_WAIT_SCHOOL, S.UPLOAD_RETURNED,
                       S.REJECTED, S.TERMINATED)
        self.online_only = frozenset({S.INVITED, S.DECLINED, S.WITHDRAWN, S.EXPIRED, S.AGREED, S.ONLINE_WAIT_SCHOOL})
        self.offline_only = frozenset({S.DRAFT_WAIT_DEPT, S.DRAFT_WAIT_SCHOOL, S.DRAFT_RETURNED, S.DRAFT_WITHDRAWN,
                                       S.AWAIT_UPLOAD, S.UPLOAD_WAIT_DEPT, S.UPLOAD_WAIT_SCHOOL, S.UPLOAD_RETURNED})
        self.settled = frozenset({S.SIGNED, S.REJECTED, S.TERMINATED, S.DECLINED, S.WITHDRAWN, S.EXPIRED})
        # before the graduate agrees (online) nothing of theirs is captured
        self.no_snapshot = frozenset({S.INVITED, S.DECLINED, S.WITHDRAWN, S.EXPIRED})
        self.with_agreement = frozenset({S.SIGNED, S.TERMINATED, S.AWAIT_UPLOAD, S.UPLOAD_WAIT_DEPT,
                                         S.UPLOAD_WAIT_SCHOOL, S.UPLOAD_RETURNED})
        self.with_upload = frozenset({S.UPLOAD_WAIT_DEPT, S.UPLOAD_WAIT_SCHOOL, S.UPLOAD_RETURNED, S.SIGNED,
                                      S.TERMINATED})
        self.categories = list(RejectCategory.values)

    def status(self, per_mille: int) -> str:
        S = self.S
        if per_mille < 600:
            return S.SIGNED
        if per_mille < 700:
            return S.AGREED
        if per_mille < 800:
            return S.DRAFT_WAIT_DEPT
        if per_mille < 900:
            return S.ONLINE_WAIT_SCHOOL
        return self.others[(per_mille - 900) * len(self.others) // 100]

    def rows(self, graduates):

        S, now, tz, employers, n_employers = self.S, self.now, self.tz, self.employers, len(self.employers)
        valid = dt.timedelta(days=self.valid_days)
        for g in graduates:
            (pk, exam_no, student_no, name, gender, id_number, ethnicity, political, level, school_id, dept_id,
             major_id, years, mode, year, grad_date) = g
            if mode in TrainingMode.SUPPLEMENT_ONLY:
                continue  # 21/41 only file the 定向/委培 supplement
            i = int(exam_no[5:])
            h = gen.mix(i ^ 0x2545F491)
            if h % 1000 >= SIGNING_PER_MILLE:
                continue
            h2 = gen.mix(i ^ 0x68E31DA4)
            status = self.status((h >> 10) % 1000)
            if status in self.online_only:
                online = True
            elif status in self.offline_only:
                online = False
            else:
                online = (h >> 20) % 100 < 55
            k = h2 % n_employers
            employer_id, e = employers[k]
            job, position = gen.positions_for(k)[(h2 >> 12) % 3]

            # when things happened: open items changed in the last weeks, settled ones over the season
            window = (self.valid_days - 1 if status == S.INVITED else 30 if status not in self.settled else 240) * 1440
            updated = now - dt.timedelta(minutes=(h2 >> 3) % window + 1)
            if status == S.INVITED:
                created = updated
            elif status == S.EXPIRED:
                created = updated - valid
            else:
                created = updated - dt.timedelta(minutes=(h >> 4) % (10 * 1440) + 60)
            submitted = None if status in self.no_snapshot else created + (updated - created) / 4
            expires = created + valid if online else None
            generated = submitted + (updated - submitted) / 2 if status in self.with_agreement else None
            signed = (updated if status == S.SIGNED else generated) if status in (S.SIGNED, S.TERMINATED) else None
            stamped = not online and status in self.with_upload
            stamped_at = generated + (updated - generated) / 2 if stamped else None

            school_code = self.school_codes[school_id]
            snapshot = {} if status in self.no_snapshot else self.snapshot(dict(zip(gen.GRADUATE_FIELDS, g)))
            returned = status in (S.DRAFT_RETURNED, S.UPLOAD_RETURNED) or (not online and (h2 >> 22) % 20 == 0)
            rejected = status == S.REJECTED
            if rejected:
                category = self.categories[(h2 >> 24) % len(self.categories)]
                reason = "学生关键信息与就业管理系统不一致" if category == "graduate_info" else "协议信息不完整，请核实后重新办理"
            elif returned:
                category, reason = "", "协议条款填写不完整，请补充违约条款和档案接收信息后重新提交"
            else:
                category, reason = "", ""
            # the number carries the local year it was issued in, as next_agreement_no does
            agreement_no = f"{school_code}-{generated.astimezone(tz).year}-{i + 1:06d}" if generated else ""
            digest = hashlib.blake2b(f"{i}".encode(), digest_size=32, key=b"gradreg-bench").hexdigest()
            yield (
                "employer" if online else "graduate", status, pk, school_id, dept_id, employer_id if online else None,
                year, name, exam_no,
                e["name"], e["credit_code"], e["nature_code"], e["industry_code"], e["region_code"], e["address"],
                e["contact_name"], e["contact_phone"],
                position, job, e["region_code"], Decimal(4000 + (h2 % 161) * 100), (h2 >> 9) % 7,
                Decimal((h >> 14) % 4), "违约金5000元" if (h >> 16) % 3 == 0 else "", e["name"], e["address"],
                "", "", "",
                expires, "已接受其他单位录用" if status == S.DECLINED else "", snapshot, {}, reason, category,
                returned, f"stamped/bench/{i}.jpg" if stamped else "", "image/jpeg" if stamped else "",
                digest if stamped else "", stamped_at,
                "", "", "",  # no 情况说明 at scale
                agreement_no, f"agreements/{school_code}/{agreement_no}.pdf" if generated else "",
                digest[::-1] if generated else "", generated, f"bench{digest[:24]}",
                self.creator_id, submitted, signed, created, updated,
            )
