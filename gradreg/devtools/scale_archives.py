"""seed_scale --archives: 档案/户口 records and applications for the benchmark graduates, written in bulk.

Each graduate of the scale schools draws, from a hash of their id, their 档案 state: about 40% 已登记 (from
an approved application 60% of the time — that application is in the 申请记录 list too — from the
department 25%, from EMS 15%; one in twenty of them has a 修改 application in review), about 6% a 登记
application in review (待院系审核 or 待学校审核, the record 审核中), 2% a rejected and 1% a withdrawn one
(未登记 again). Graduates whose 户口 moved to the school get 户口 info in the same proportions. Half the
档案 types are 转回生源地, most of those to the graduate's own 生源所在地 (what 快速审核 passes). Values are
built from a few filled-in forms cleaned by the modules' own validator (`clean_info`). Rows go in with COPY
on PostgreSQL (bulk_create elsewhere), not through the services: no audit trail or outbox is written.

The 快速审核 benchmark needs one department with more waiting applications than any scale department
has graduates: `quick_layout` adds a school of its own (基准档案测试学院, one department, QUICK_GRADUATES
graduates, the command writes them), whose every graduate has a 登记 application 待院系审核, about 85% of
them 转回生源地 to their 生源所在地; its reviewers are bench_archive_dept and bench_archive_school.

Re-running continues after the last graduate who has a record or an application: once done, it adds nothing.
"""
from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone

from gradreg.accounts.models import Role, User
from gradreg.archives.models import (
    ApplicationStatus,
    ApplicationType,
    RecordSource,
    RecordState,
    TransferApplication,
    TransferRecord,
)
from gradreg.codes.loader import region_codes_in_use
from gradreg.devtools import gen
from gradreg.devtools.scale_destinations import RowWriter
from gradreg.ems.models import Graduate
from gradreg.ems.transfer_modules import ARCHIVE, HUKOU, Module
from gradreg.ems.transfer_validation import clean_info, type_code
from gradreg.organisations.models import Department, Major, School

CHUNK = 50_000  # graduates read per transaction: an interrupted run keeps what it wrote
QUICK_SCHOOL_CODE = "80002"
QUICK_SCHOOL_NAME = "基准档案测试学院"
QUICK_DEPARTMENT = "档案快速审核学院"
QUICK_GRADUATES = 30_000
QUICK_USERS = ("bench_archive_dept", "bench_archive_school")
QUICK_INDEX = 900_000_000  # its graduates' exam-number indexes, far past the scale schools'
VARIANTS = 16  # distinct filled-in forms per module and type
# per mille of graduates: 已登记, then a 登记 in review, rejected, withdrawn (the rest: nothing)
REGISTERED, IN_REVIEW, REJECTED, CANCELLED = 400, 60, 20, 10
# 档案 types by weight (code: per mille); 户口 likewise
TYPE_WEIGHTS = {ARCHIVE.kind: {"1": 500, "2": 250, "3": 150, "4": 80, "5": 20},
                HUKOU.kind: {"1": 550, "2": 250, "3": 100, "4": 100}}
HOME_MISMATCH = 150  # per mille of 转回生源地 given another 所在地 than the 生源所在地
REJECT_REASON = "接收单位名称与地址不一致，请核实后重新登记"
FIELDS = ("id", "exam_no", "name", "school_id", "department_id", "graduation_year", "origin_region",
          "hukou_moved_to_school")


def _slots(weights: dict[str, int]) -> list[str]:
    return [code for code, n in weights.items() for _ in range(n)]


class InfoGenerator:
    """Clean info of a module: `info(module, type, variant, region)` (cached: the validator runs once per form)."""

    def __init__(self):
        self.regions = sorted(c for c in region_codes_in_use() if c.startswith("44"))
        self._clean: dict[tuple, dict[str, str]] = {}
        self.home = {m.kind: type_code(m, m.home_origin) for m in (ARCHIVE, HUKOU)}
        self.types = {kind: _slots(w) for kind, w in TYPE_WEIGHTS.items()}

    def raw(self, module: Module, code: str, k: int, region: str) -> dict[str, str]:
        city = ("广州市", "深圳市", "佛山市", "东莞市")[k % 4]
        if module is HUKOU:
            return {"transfer_type": code, "address": f"{city}人民路{k + 1}号", "region": region,
                    "unit_name": f"{city}公安局某某分局第{k + 1}派出所" if k % 3 else ""}
        return {"transfer_type": code, "unit_name": f"{city}人才服务中心第{k + 1}档案室", "address": f"{city}中山路{k + 1}号",
                "region": region, "postcode": f"51{k % 10}000" if k % 4 else "", "contact": "人事档案科" if k % 2 else "",
                "phone": f"020-3{k:03d}8888" if k % 3 else ""}

    def info(self, module: Module, code: str, k: int, region: str) -> dict[str, str]:
        key = (module.kind, code, k, region)
        if key not in self._clean:
            self._clean[key] = clean_info(module, self.raw(module, code, k, region))
        return self._clean[key]

    def draw(self, module: Module, g: dict[str, Any], h: int, *, home: bool = False) -> dict[str, str]:
        """The info of a graduate: `home` forces 转回生源地 to their 生源所在地 (快速审核's candidates)."""
        code = self.home[module.kind] if home else self.types[module.kind][h % 1000]
        if code == self.home[module.kind] and (home or (h >> 10) % 1000 >= HOME_MISMATCH):
            region = g["origin_region"]
        else:
            region = self.regions[(h >> 12) % len(self.regions)]
        return self.info(module, code, (h >> 20) % VARIANTS, region)


class ArchiveGenerator:
    """(model, row) of the records and applications each graduate gets."""

    def __init__(self, creator_id: int, now: dt.datetime | None = None):
        self.infos = InfoGenerator()
        self.creator_id = creator_id
        self.now = now or timezone.now()

    def rows(self, graduates: Iterable[tuple], quick: frozenset[int] = frozenset()) -> Iterator[tuple[type, dict]]:
        for values in graduates:
            g = dict(zip(FIELDS, values))
            if g["school_id"] in quick:
                yield from self.quick(g)
                continue
            yield from self.module_rows(ARCHIVE, g, gen.mix(g["id"] ^ 0x2545F491))
            if g["hukou_moved_to_school"]:
                yield from self.module_rows(HUKOU, g, gen.mix(g["id"] ^ 0x68E31DA4))

    def quick(self, g: dict[str, Any]) -> Iterator[tuple[type, dict]]:
        h = gen.mix(g["id"] ^ 0x1B56C4E9)
        info = self.infos.draw(ARCHIVE, g, h, home=h % 100 < 85)
        yield TransferRecord, self.record(ARCHIVE, g, info, RecordState.PENDING, "", h)
        yield TransferApplication, self.application(ARCHIVE, g, info, ApplicationStatus.WAIT_DEPT,
                                                    ApplicationType.REGISTER, h)

    def module_rows(self, module: Module, g: dict[str, Any], h: int) -> Iterator[tuple[type, dict]]:
        bucket, h2 = h % 1000, gen.mix(h)
        info = self.infos.draw(module, g, h2)
        if bucket < REGISTERED:
            source = (RecordSource.APPLICATION if h2 % 20 < 12 else
                      RecordSource.DEPARTMENT if h2 % 20 < 17 else RecordSource.EMS)
            yield TransferRecord, self.record(module, g, info, RecordState.REGISTERED, source, h2)
            if source == RecordSource.APPLICATION:
                yield TransferApplication, self.application(module, g, info, ApplicationStatus.APPROVED,
                                                            ApplicationType.REGISTER, h2)
            if (h2 >> 8) % 20 == 0:
                changed = self.infos.draw(module, g, gen.mix(h2))
                status = ApplicationStatus.WAIT_DEPT if (h2 >> 13) & 1 else ApplicationStatus.WAIT_SCHOOL
                yield TransferApplication, self.application(module, g, changed, status, ApplicationType.MODIFY, h)
        elif bucket < REGISTERED + IN_REVIEW:
            status = ApplicationStatus.WAIT_DEPT if h2 % 5 < 3 else ApplicationStatus.WAIT_SCHOOL
            yield TransferRecord, self.record(module, g, info, RecordState.PENDING, "", h2)
            yield TransferApplication, self.application(module, g, info, status, ApplicationType.REGISTER, h2)
        elif bucket < REGISTERED + IN_REVIEW + REJECTED + CANCELLED:
            status = (ApplicationStatus.REJECTED if bucket < REGISTERED + IN_REVIEW + REJECTED
                      else ApplicationStatus.CANCELLED)
            yield TransferRecord, self.record(module, g, {}, RecordState.NONE, "", h2)
            yield TransferApplication, self.application(module, g, info, status, ApplicationType.REGISTER, h2)

    def record(self, module: Module, g: dict[str, Any], info: dict[str, str], state: str, source: str,
               h: int) -> dict[str, Any]:
        registered = state == RecordState.REGISTERED
        updated = self.now - dt.timedelta(minutes=(h >> 3) % (120 * 1440) + 1)
        return {**(info if registered else {}), "kind": module.kind, "graduate_id": g["id"],
                "school_id": g["school_id"], "department_id": g["department_id"], "state": state, "source": source,
                "registered_at": updated if registered else None, "updated_at": updated, "inactive_at": None,
                "version": 1 if registered else 0}

    def application(self, module: Module, g: dict[str, Any], info: dict[str, str], status: str, apply_type: str,
                    h: int) -> dict[str, Any]:
        open_ = status in (ApplicationStatus.WAIT_DEPT, ApplicationStatus.WAIT_SCHOOL)
        updated = self.now - dt.timedelta(minutes=(h >> 5) % ((30 if open_ else 150) * 1440) + 1)
        created = updated - dt.timedelta(minutes=(h >> 9) % (5 * 1440) + 30)
        decided = status in (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED, ApplicationStatus.CANCELLED)
        return {**info, "kind": module.kind, "graduate_id": g["id"], "school_id": g["school_id"],
                "department_id": g["department_id"], "graduation_year": g["graduation_year"],
                "graduate_name": g["name"], "exam_no": g["exam_no"], "status": status, "apply_type": apply_type,
                "created_by_id": self.creator_id, "created_at": created, "updated_at": updated,
                "last_reason": REJECT_REASON if status == ApplicationStatus.REJECTED else "", "reject_category": "",
                "returned": False, "reviewer_edited_at": None, "decided_at": updated if decided else None}


# ---- the 快速审核 school -------------------------------------------------------------------------------------

def quick_layout(province, password: str):
    """The 快速审核 school: [(school, [(department, [major, major])] * 10)] as `RowGenerator` takes a layout
    (every department slot the one department), its reviewers made (or their password reset)."""
    school, _ = School.objects.get_or_create(code=QUICK_SCHOOL_CODE, defaults={"name": QUICK_SCHOOL_NAME,
                                                                               "province": province})
    dept, _ = Department.objects.get_or_create(school=school, code="01", defaults={"name": QUICK_DEPARTMENT})
    majors = [Major.objects.get_or_create(school=school, department=dept, code=f"01{j:02d}",
                                          defaults={"name": name})[0]
              for j, name in ((1, "档案学"), (2, "信息资源管理"))]
    for username, role, scope in ((QUICK_USERS[0], Role.DEPARTMENT, {"school": school, "department": dept}),
                                  (QUICK_USERS[1], Role.SCHOOL, {"school": school})):
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, role=role, display_name=f"{dept.name if role == Role.DEPARTMENT else school.name}"
                        "（基准测试）", **scope)
        user.must_change_password = False
        user.set_password(password)
        user.save()
    return [(school, [(dept, majors)] * 10)]


def quick_school() -> School | None:
    return School.objects.filter(code=QUICK_SCHOOL_CODE, name=QUICK_SCHOOL_NAME).first()


# ---- writing -----------------------------------------------------------------------------------------------

def seed_archives(school_ids: list[int], quick_school_id: int | None, creator_id: int, *,
                  log: Callable[[str], None]) -> tuple[int, int]:
    """Records and applications for the graduates of `school_ids` after the last one who has either; the
    numbers added (records, applications)."""
    started = time.monotonic()
    last = max(TransferRecord.objects.filter(school_id__in=school_ids).aggregate(m=Max("graduate_id"))["m"] or 0,
               TransferApplication.objects.filter(school_id__in=school_ids).aggregate(m=Max("graduate_id"))["m"] or 0)
    generator = ArchiveGenerator(creator_id)
    quick = frozenset({quick_school_id} if quick_school_id else ())
    writers = {TransferRecord: RowWriter(TransferRecord), TransferApplication: RowWriter(TransferApplication)}
    added = {TransferRecord: 0, TransferApplication: 0}
    while True:
        batch = list(Graduate.objects.filter(school_id__in=school_ids, pk__gt=last).order_by("pk")
                     .values_list(*FIELDS)[:CHUNK])
        if not batch:
            break
        for model, row in generator.rows(batch, quick):
            writers[model].rows.append(row)
        with transaction.atomic():
            for model, writer in writers.items():
                added[model] += writer.write()
        last = batch[-1][0]
        log(f"  档案/户口登记信息已写入 {added[TransferRecord]}，申请 {added[TransferApplication]}"
            f"（{time.monotonic() - started:.0f} 秒）")
    if any(added.values()) and connection.vendor == "postgresql":
        for model in writers:
            table = model._meta.db_table
            with connection.cursor() as c:
                c.execute(f"ANALYZE {table}" if connection.in_atomic_block else f"VACUUM (ANALYZE) {table}")
    return added[TransferRecord], added[TransferApplication]


def archive_mix(school_ids: list[int]) -> str:
    """"档案 待院系审核 n, …" of the applications by module and status, most first."""
    labels = dict(ApplicationStatus.choices)
    counts = (TransferApplication.objects.filter(school_id__in=school_ids).values("kind", "status")
              .annotate(n=Count("id")).order_by("-n"))
    return "，".join(f"{'档案' if r['kind'] == ARCHIVE.kind else '户口'}{labels[r['status']]} {r['n']}" for r in counts)
