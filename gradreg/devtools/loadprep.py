"""The data `manage.py loadtest` writes to: a school of its own, topped up before every run.

The write traffic (approvals, agreements, invitations) happens in 负载测试大学 (code 80101), never in the
seed_scale schools, so `make bench` measures the same lists however often the load test ran. Each run
consumes what it uses and the next tops the pools up again:
- approve pool: online signings 学生已同意签约 waiting for the school's department (one graduate each);
- agree pool: graduates with an account and one open invitation from the load test's employer;
- invitees: graduates with neither a signing nor an account, whom the employer invites by name + 考生号.
The public look-up line reads one 档案登记信息表 by its QR address (`sheet_qr_path`): a graduate of the school
with an EMS destination and a current 转递编号, made once and kept.
Rows are bulk-written (as seed_scale does); the moves the run makes go through the pages and the engine.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Max
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone

from gradreg.accounts.models import Role, User
from gradreg.common.ids import make_credit_code
from gradreg.devtools import gen
from gradreg.devtools.management.commands.seed_scale import BENCH_PASSWORD, COLUMNS, RowGenerator
from gradreg.ems.models import DestinationSource, Graduate, ReportedDestination
from gradreg.organisations.models import Department, Employer, Major, Province, ReviewStatus, School
from gradreg.roster.gates import current_cohort
from gradreg.roster.snapshot import take_snapshot
from gradreg.signing.models import Initiator, Signing, SigningStatus
from gradreg.verification import codeformat
from gradreg.verification.models import SheetKind, TransferCode

SCHOOL_CODE = "80101"
SCHOOL_NAME = "负载测试大学"
DEPT_USER = "load_dept"
EMPLOYER_USER = "load_employer"
EMPLOYER_NAME = "广州负载测试科技有限公司"
EMPLOYER_CODE_NUMBER = 8_000_001  # credit-code number: apart from seed_demo's and seed_scale's
INDEX_BASE = 950_000_000  # graduate indexes of this school: above seed_scale's, and past the 快速审核 school's (QUICK_INDEX)
TERMS = {
    "position": "软件开发工程师", "job_category": "13", "work_region": "440106", "monthly_salary": "9000",
    "probation_months": "3", "service_years": "3", "breach_terms": "任何一方违约，应向对方支付违约金人民币5000元。",
    "archive_unit": "广州市人才服务中心", "archive_address": "广州市天河区天河路1号", "hukou_unit": "",
    "hukou_address": "", "other_terms": "",
}


@dataclass
class Plan:
    """What a run may use: accounts (all with BENCH_PASSWORD) and the targets of its writes."""

    dept_user: str
    employer_user: str
    home_user: str
    approve_pks: list[int]
    agree: list[tuple[str, int]]  # (graduate username, invitation pk)
    invitees: list[tuple[str, str]]  # (name, 考生号)
    password: str = BENCH_PASSWORD


def _school() -> tuple[School, Department, list[Major]]:
    province, _ = Province.objects.get_or_create(code="44", defaults={"name": "广东省"})
    school, _ = School.objects.get_or_create(code=SCHOOL_CODE, defaults={"name": SCHOOL_NAME, "province": province})
    dept, _ = Department.objects.get_or_create(school=school, code="01", defaults={"name": "计算机学院"})
    majors = [Major.objects.get_or_create(school=school, code=code, defaults={"department": dept, "name": name})[0]
              for code, name in (("0101", "计算机科学与技术"), ("0102", "软件工程"))]
    return school, dept, majors


def _user(username: str, hashed: str, **fields) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, password=hashed, **fields)
        user.save()
    elif user.must_change_password or not user.is_active or not user.check_password(BENCH_PASSWORD):
        user.password, user.must_change_password, user.is_active = hashed, False, True
        user.save(update_fields=["password", "must_change_password", "is_active"])
    return user


def _employer() -> Employer:
    code = make_credit_code(EMPLOYER_CODE_NUMBER)
    now = timezone.now()
    employer, _ = Employer.objects.get_or_create(credit_code=code, defaults={
        "name": EMPLOYER_NAME, "nature_code": "39", "industry_code": "34", "region_code": "440106",
        "address": "广州市天河区负载路1号", "contact_name": "陈经理", "contact_phone": gen.phone_for(8_000_001),
        "approved": True, "review_status": ReviewStatus.APPROVED, "reviewed_at": now, "registered_at": now,
    })
    return employer


class _Graduates:
    """New graduates of the school who may sign online in the current cohort (valid, training mode 1)."""

    def __init__(self, school: School, dept: Department, majors: list[Major]):
        self.school, self.dept, self.majors = school, dept, majors
        self.cohort = current_cohort()
        regions = gen.birth_region_codes(born_from=self.cohort - 4 - 24)
        # one department repeated in every slot of seed_scale's table
        layout = [(school, [(dept, majors)] * 10)]
        self.rows = RowGenerator(layout, regions, self.cohort)
        top = Graduate.objects.filter(school=school).aggregate(m=Max(Substr("exam_no", 6)))["m"]
        self.next = max(int(top) + 1 if top else 0, INDEX_BASE)

    def make(self, n: int) -> list[Graduate]:
        out: list[Graduate] = []
        majors = {m.pk: m for m in self.majors}
        while len(out) < n:
            for row in self.rows.rows(self.next, 2 * (n - len(out)) + 10):
                f = dict(zip(COLUMNS, row))
                self.next += 1
                if f["graduation_year"] != self.cohort or f["training_mode"] != "1" or not f["is_valid"]:
                    continue
                major = majors[f.pop("major_id")]
                del f["school_id"], f["department_id"]
                out.append(Graduate(**f, school=self.school, department=self.dept, major=major))
                if len(out) == n:
                    break
        return Graduate.objects.bulk_create(out, batch_size=1000)


def _signing(g: Graduate, employer: Employer, creator: User, status: str, now: dt.datetime) -> Signing:
    agreed = status == SigningStatus.AGREED
    return Signing(
        initiator=Initiator.EMPLOYER, status=status, graduate=g, school=g.school, department=g.department,
        graduation_year=g.graduation_year, graduate_name=g.name, exam_no=g.exam_no, employer=employer,
        employer_name=employer.name, credit_code=employer.credit_code, employer_nature=employer.nature_code,
        employer_industry=employer.industry_code, employer_region=employer.region_code,
        employer_address=employer.address, contact_name=employer.contact_name,
        contact_phone=employer.contact_phone, **TERMS,
        expires_at=now + dt.timedelta(days=settings.INVITATION_VALID_DAYS),
        graduate_snapshot=take_snapshot(g) if agreed else {}, submitted_at=now if agreed else None,
        created_by=creator,
    )


def prepare(*, approve_pool: int, agree_pool: int, invitees: int, log=lambda text: None) -> Plan:
    """Top the pools up to the given sizes (idempotent: a second call with the same sizes adds nothing)."""
    hashed = make_password(BENCH_PASSWORD)  # hashed once: every load-test account shares it
    school, dept, majors = _school()
    employer = _employer()
    _user(DEPT_USER, hashed, role=Role.DEPARTMENT, school=school, department=dept, display_name="计算机学院（负载测试）")
    creator = _user(EMPLOYER_USER, hashed, role=Role.EMPLOYER, employer=employer, display_name=EMPLOYER_NAME)
    grads = _Graduates(school, dept, majors)
    now = timezone.now()
    S = SigningStatus

    approve = list(Signing.objects.filter(department=dept, status=S.AGREED, initiator=Initiator.EMPLOYER,
                                          graduate__is_valid=True, graduation_year=grads.cohort)
                   .order_by("id").values_list("pk", flat=True))
    if len(approve) < approve_pool:
        with transaction.atomic():
            made = grads.make(approve_pool - len(approve))
            Signing.objects.bulk_create([_signing(g, employer, creator, S.AGREED, now) for g in made], batch_size=500)
        log(f"审核通过池：新增 {len(made)} 条学生已同意签约的签约")

    def open_invitations():
        # a day of validity left, so that no invitation expires during the run
        return (Signing.objects.filter(employer=employer, status=S.INVITED, school=school,
                                       expires_at__gt=now + dt.timedelta(days=1), graduate__account__isnull=False)
                .order_by("id").values_list("graduate__account__username", "pk"))

    agree = list(open_invitations())
    if len(agree) < agree_pool:
        with transaction.atomic():
            made = grads.make(agree_pool - len(agree))
            User.objects.bulk_create([User(username=g.exam_no, password=hashed, role=Role.GRADUATE, graduate=g,
                                           display_name=g.name) for g in made], batch_size=500)
            Signing.objects.bulk_create([_signing(g, employer, creator, S.INVITED, now) for g in made], batch_size=500)
        log(f"同意签约池：新增 {len(made)} 名有账号和签约邀请的毕业生")
        agree = list(open_invitations())

    def free():
        return (Graduate.objects.filter(school=school, signings__isnull=True, account__isnull=True)
                .order_by("id").values_list("name", "exam_no"))

    invite = list(free())
    if len(invite) < invitees:
        with transaction.atomic():
            grads.make(invitees - len(invite))
        log(f"邀请池：新增 {invitees - len(invite)} 名没有签约的毕业生")
        invite = list(free())

    home = (User.objects.filter(role=Role.GRADUATE, graduate__school=school).order_by("id")
            .values_list("username", flat=True).first())
    return Plan(dept_user=DEPT_USER, employer_user=EMPLOYER_USER, home_user=home or "",
                approve_pks=approve_pks_after(dept, approve_pool, grads.cohort),
                agree=agree[:agree_pool], invitees=invite[:invitees])


def approve_pks_after(dept: Department, limit: int, cohort: int) -> list[int]:
    return list(Signing.objects.filter(department=dept, status=SigningStatus.AGREED, initiator=Initiator.EMPLOYER,
                                       graduate__is_valid=True, graduation_year=cohort)
                .order_by("id").values_list("pk", flat=True)[:limit])


def sheet_qr_path() -> str:
    """The QR address of a 档案登记信息表 whose 转递编号 verifies now (idempotent: made on the first run, then
    reused): what an archive agency opens when it scans the sheet, the public look-up's most common form."""
    school, dept, majors = _school()
    cohort = current_cohort()
    code = (TransferCode.objects.filter(school=school, kind=SheetKind.ARCHIVE, stale_at__isnull=True,
                                        graduate__is_valid=True, graduate__graduation_year=cohort)
            .order_by("id").first())
    if code is None:
        now = timezone.now()
        with transaction.atomic():
            g = _Graduates(school, dept, majors).make(1)[0]
            ReportedDestination.objects.create(graduate=g, school=school, source=DestinationSource.PLATFORM,
                                               destination="签就业协议形式就业", destination_code="10",
                                               employer_name=EMPLOYER_NAME, employer_region="440106",
                                               reported_at=now)
            code = TransferCode.objects.create(graduate=g, kind=SheetKind.ARCHIVE, school=school, department=dept,
                                               code=codeformat.new_code(), qr_token=codeformat.new_qr_token(),
                                               generated_at=now, updated_at=now)
    return reverse("verification:sheet_qr", args=[code.kind, code.qr_token])
