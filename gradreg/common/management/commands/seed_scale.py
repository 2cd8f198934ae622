"""Bulk data for benchmarks: N graduates spread over generated schools, with valid identifiers.

On PostgreSQL the graduates go in with COPY (a million in a couple of minutes); on SQLite with
bulk_create. Re-running adds only what is missing up to N: the same N twice does nothing.

Layout: S schools (default one per 10,000 graduates), each with 10 departments of unequal size
(weights 10, 9, ..., 1: the first department of a school holds 18% of it), two majors each. About
70% of the graduates belong to the current cohort, 15% to last year's, the rest to the three before;
1% are invalidated. The benchmark accounts are the first school's user and its first (largest)
department's user.
"""
from __future__ import annotations

import datetime as dt
import math
import time
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Max
from django.db.models.functions import Substr
from django.utils import timezone

from gradreg.accounts.models import Role, User
from gradreg.common.management import gen
from gradreg.ems.models import Graduate
from gradreg.organisations.models import Department, Major, Province, School

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


def scale_schools():
    return School.objects.filter(code__startswith=SCHOOL_CODE_PREFIX, name__startswith=SCHOOL_NAME_PREFIX)


def scale_graduates():
    return Graduate.objects.filter(school__in=scale_schools())


class Command(BaseCommand):
    help = "批量生成基准测试数据（学校、院系、专业、毕业生及基准测试账号），重复执行只补足到 N 名"

    def add_arguments(self, parser):
        parser.add_argument("--graduates", type=int, required=True, metavar="N", help="毕业生总数")
        parser.add_argument("--schools", type=int, metavar="S", help=f"学校数（默认每 {GRADUATES_PER_SCHOOL} 名毕业生一所）")
        parser.add_argument("--signings", action="store_true", help="同时生成签约数据（签约模块就绪后）")

    def handle(self, *args, graduates: int, schools: int | None, signings: bool, **options):
        if getattr(settings, "GRADREG_ENV", "") == "production":
            raise CommandError("生产环境禁止生成基准测试数据。")
        if graduates < 0:
            raise CommandError("--graduates 不能为负数。")
        from gradreg.roster.gates import current_cohort

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
        if signings:
            self.stderr.write("提示：签约数据模型尚未建立，--signings 本次未生成签约数据。")
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


def _mix(x: int) -> int:
    """A 32-bit integer hash: attributes drawn from it do not follow the index's arithmetic patterns."""
    x = ((x ^ (x >> 16)) * 0x45D9F3B) & 0xFFFFFFFF
    x = ((x ^ (x >> 16)) * 0x45D9F3B) & 0xFFFFFFFF
    return x ^ (x >> 16)


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
            h = _mix(i)
            h2 = _mix(i ^ 0x5BD1E995)
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

