"""Demo data for `make run`: one province, two schools, their departments and majors, a few hundred
graduates, employers, one account per role with a fixed password, and signings, 去向登记 and 补登 of
示例大学 计算机学院 in their states. Idempotent: a second run finds everything in place and changes nothing."""
from __future__ import annotations

import datetime as dt
import json
import random
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from gradreg.accounts.models import Role, User
from gradreg.archives import services as archives
from gradreg.archives.models import TransferApplication, TransferRecord
from gradreg.codes.destinations import destination_type
from gradreg.codes.loader import region_problem
from gradreg.common.ids import make_credit_code
from gradreg.destinations import services as destinations
from gradreg.destinations.models import PaperAgreement, Registration
from gradreg.destinations.services import PAPER_KEY
from gradreg.devtools import gen
from gradreg.ems.models import Graduate, TrainingMode
from gradreg.ems.transfer_modules import ARCHIVE, HUKOU, Module
from gradreg.ems.transfer_validation import type_code
from gradreg.organisations.models import (
    Department,
    Employer,
    Major,
    Province,
    ReviewStatus,
    School,
    check_credit_code,
)
from gradreg.roster.gates import current_cohort
from gradreg.signing import services
from gradreg.signing.models import Signing
from gradreg.verification import confirmation, transfers
from gradreg.verification.models import Confirmation, TransferCodeRun
from gradreg.workflow.outbox import deliver_pending

PROVINCE = ("44", "广东省")
# (code, name, review_label, [(department code, name, [(major code, name), ...]), ...])
SCHOOLS = [
    ("10001", "示例大学", "审核", [
        ("01", "计算机学院", [("080901", "计算机科学与技术"), ("080902", "软件工程")]),
        ("02", "外国语学院", [("050201", "英语"), ("050207", "日语")]),
        ("03", "经济管理学院", [("120201K", "工商管理"), ("020301K", "金融学")]),
    ]),
    ("10002", "示例理工学院", "鉴证", [
        ("01", "机械工程学院", [("080202", "机械设计制造及其自动化"), ("080801", "自动化")]),
        ("02", "电子信息学院", [("080701", "电子信息工程"), ("080703", "通信工程")]),
        ("03", "土木工程学院", [("081001", "土木工程"), ("081003", "给排水科学与工程")]),
    ]),
]
# (credit-code number, valid checksum?, name, 单位性质, 行业, 所在地, 联系人)
EMPLOYERS = [
    (101, True, "广州云启科技有限公司", "39", "34", "440106", "陈经理"),
    (102, True, "深圳前海数联金融服务有限公司", "32", "35", "440305", "林女士"),
    (103, True, "广东粤港建设集团有限公司", "31", "24", "440104", "黄工"),
    (104, True, "佛山智造装备股份有限公司", "39", "22", "440604", "何先生"),
    (105, False, "东莞市早期试点贸易有限公司", "39", "31", "441900", "梁女士"),
]
EMPLOYER_ACCOUNT_FOR = 101

# Fixed demo passwords (shown on the console; never use this command in production).
PASSWORDS = {
    Role.OPERATOR: "Demo-2026-Admin",
    Role.PROVINCE: "Demo-2026-Province",
    Role.SCHOOL: "Demo-2026-School",
    Role.DEPARTMENT: "Demo-2026-Dept",
    Role.EMPLOYER: "Demo-2026-Company",
    Role.GRADUATE: "Demo-2026-Student",
}
ROLE_ORDER = [Role.GRADUATE, Role.EMPLOYER, Role.DEPARTMENT, Role.SCHOOL, Role.PROVINCE, Role.OPERATOR]

# Demo signings of 示例大学 计算机学院, by index into its current valid graduates (ordered by 考生号).
# Online (demo_employer invites): (index, steps after the invitation); the demo graduate (index 0) has
# one to answer.
ONLINE_PLANS = [(0, []), (1, ["agree"]), (2, ["agree", "approve"]), (3, ["agree", "approve", "approve"]),
                (4, ["decline"])]
# Offline e-agreement applications (线下签约) with employers not on the platform, which the reviewers'
# lists open on: (index, employer as the graduate types it in, position, department's steps): one waits
# for 学院, one for 学校. The employer: (credit-code number, name, 单位性质, 行业, 所在地, 联系人, phone number).
OFFLINE_PLANS = [
    (5, (201, "广州市海珠区启明软件工作室", "39", "34", "440105", "罗先生", 201), "数据分析师", []),
    (6, (202, "佛山南海信达信息技术有限公司", "39", "34", "440605", "冯女士", 202), "信息化工程师", ["approve"]),
]
DEMO_TERMS = dict(job_category="13", work_region="440106", monthly_salary="9000", probation_months="3",
                  service_years="3", breach_terms="任何一方违约，应向对方支付违约金人民币5000元。",
                  archive_unit="广州市人才服务中心", archive_address="广州市天河区天河路1号",
                  hukou_unit="", hukou_address="", other_terms="")

# Demo 去向登记 and 补登 of 示例大学 计算机学院, made through gradreg.destinations.services (audit, outbox and
# EMS as for real ones), by index into the same graduates after the signing ones: (index, type key, moves
# after the graduate submits: "approve" and "return" by the reviewer whose turn it is (学院, then 学校),
# "void" by the graduate). The demo graduate (index 0) keeps none: free to register in the demo.
REGISTRATION_PLANS = [
    (7, "study_domestic.postgraduate", ()),  # 等待学院审核
    (8, "contract", ()),
    (9, "startup", ("approve",)),  # 等待学校审核
    (10, "research_assistant", ("approve",)),
    (11, "national_project.western", ("return",)),  # 退回修改 (by 学院)
    (12, "other_offer", ("approve", "return")),  # 退回修改 (by 学校)
    (13, "study_abroad", ("approve", "approve")),  # 审核通过
    (14, "unemployed.job_seeking", ("approve", "approve")),  # 审核通过: 未就业（求职中）, holds no one
    (15, "local_project.selected_graduate", ("approve", "approve")),
    (16, "freelance", ("approve", "approve", "void")),  # 已作废 by the graduate
]
PAPER_PLANS = [(17, ()), (18, ("approve", "approve"))]  # 补登: one waiting for 学院, one approved
# and the first 21/41 graduate of the department files the 定向/委培 supplement (the only type they may file)
DIRECTED_PLAN = ("directed", ())
RETURN_REASON = "证明材料不清晰，请上传盖章清晰的完整扫描件后重新提交。"
# Demo 档案/户口 applications of 示例大学 计算机学院, through gradreg.archives.services: (index, moves after the
# graduate submits: "approve" by 学院 then 学校, "reject" by 学院, "cancel" by the graduate). 档案: by index
# into the same graduates after the destination ones; the first two go back to their 生源地 (快速审核 finds
# them). 户口: by index into the department's graduates whose 户口 moved to the school (the demo graduate
# aside). ARCHIVE_RECORDS: registered by the department itself.
ARCHIVE_PLANS = [(20, ()), (21, ()), (22, ()), (23, ("approve",)), (24, ("approve",)), (25, ("approve", "approve")),
                 (26, ("approve", "approve")), (27, ("reject",)), (28, ("cancel",))]
ARCHIVE_RECORDS = (29, 30)
HUKOU_PLANS = [(0, ()), (1, ("approve",)), (2, ("approve", "approve")), (3, ("reject",)), (4, ("cancel",))]
HUKOU_RECORDS = (5,)
REJECT_REASON = "接收单位名称与地址不一致，请核实后重新提交。"

CURRENT_PER_DEPARTMENT = 50  # 6 departments: 300 graduates of the current cohort
LAST_YEAR_PER_DEPARTMENT = 5  # 30
OLDER_PER_DEPARTMENT = (3, 2)  # cohort-2, cohort-3: 30
INVALID_PER_DEPARTMENT = 1  # current cohort, is_valid False


class Command(BaseCommand):
    help = "生成演示数据（省份、学校、院系、专业、毕业生、用人单位及各角色演示账号），可重复执行"

    def add_arguments(self, parser):
        parser.add_argument("--accounts-json", metavar="PATH", help="把演示账号（含密码）写入 JSON 文件")

    def handle(self, *args, **options):
        if getattr(settings, "GRADREG_ENV", "") == "production":
            raise CommandError("生产环境禁止生成演示数据（演示账号使用公开的固定密码）。")

        cohort = current_cohort()
        regions = gen.birth_region_codes(prefix="44", born_from=cohort - 32)
        if not regions:
            raise CommandError("行政区划代码表为空，请先执行 migrate（或 load_codes）。")
        with transaction.atomic():
            counts = {"graduates": 0, "accounts": 0}
            province, _ = Province.objects.get_or_create(code=PROVINCE[0], defaults={"name": PROVINCE[1]})
            departments = self._organisations(province)
            employers = self._employers()
            counts["graduates"] = self._graduates(cohort, departments, regions)
            accounts, counts["accounts"] = self._accounts(province, departments, employers, cohort)
            counts["signings"] = self._signings(cohort)
            counts["destinations"] = self._destinations(cohort, regions)
            counts["archives"] = self._archives(cohort)
            counts["handover"] = self._handover(cohort)
        self._report(accounts, counts, options.get("accounts_json"))

    # --- signings ---------------------------------------------------------------------------------

    def _signings(self, cohort: int) -> int:
        """Signings of 示例大学 计算机学院 in different states, made through the services like real ones: one
        waiting at each step of the online and the offline flow, so every demo reviewer's list opens on work.
        A graduate who already has a signing is left as they are (a second run, or a demo played with)."""
        users = {u.username: u for u in User.objects.filter(
            username__in=["demo_employer", "s10001_d01", "s10001_school"])}
        employer, dept, school = users["demo_employer"], users["s10001_d01"], users["s10001_school"]
        graduates = list(Graduate.objects.filter(
            school__code="10001", department__code="01", graduation_year=cohort, is_valid=True, training_mode="1",
        ).order_by("exam_no")[:len(ONLINE_PLANS) + len(OFFLINE_PLANS)])
        taken = set(Signing.objects.filter(graduate__in=graduates).values_list("graduate_id", flat=True))
        made = 0
        for index, steps in ONLINE_PLANS:
            if index >= len(graduates) or graduates[index].pk in taken:
                continue
            g = graduates[index]
            with transaction.atomic():
                signing = services.invitation_create(
                    actor=employer, name=g.name, id_number=g.id_number,
                    terms={**DEMO_TERMS, "position": f"软件开发工程师（{index + 1}）"})
                reviewers = iter([dept, school])  # the first pass is the department's, the second the school's
                for step in steps:
                    actor = next(reviewers) if step == "approve" else self._graduate_account(g)
                    services.signing_act(actor=actor, pk=signing.pk, action=step,
                                         reason="岗位与专业不符，暂不考虑" if step == "decline" else "")
            made += 1
        for index, typed_employer, position, steps in OFFLINE_PLANS:
            if index >= len(graduates) or graduates[index].pk in taken:
                continue
            g = graduates[index]
            with transaction.atomic():
                # 线下签约: the graduate types in the employer's particulars and applies for the e-agreement
                signing = services.offline_apply(actor=self._graduate_account(g), data={
                    **DEMO_TERMS, **_typed_employer(*typed_employer), "position": position})
                for step in steps:
                    services.signing_act(actor=dept, pk=signing.pk, action=step)
            made += 1
        return made

    # --- destinations ------------------------------------------------------------------------------

    def _destinations(self, cohort: int, regions: list[str]) -> int:
        """去向登记 and 补登 of 示例大学 计算机学院 in each state of their tables (REGISTRATION_PLANS, PAPER_PLANS).
        A graduate who already has a signing, a registration or a 补登 is left as they are."""
        users = {u.username: u for u in User.objects.filter(username__in=["s10001_d01", "s10001_school"])}
        reviewers = [users["s10001_d01"], users["s10001_school"]]
        graduates = list(Graduate.objects.filter(
            school__code="10001", department__code="01", graduation_year=cohort, is_valid=True, training_mode="1",
        ).order_by("exam_no")[:max(i for i, *_ in REGISTRATION_PLANS + PAPER_PLANS) + 1])
        directed = (Graduate.objects.filter(school__code="10001", department__code="01", graduation_year=cohort,
                                            is_valid=True, training_mode__in=TrainingMode.SUPPLEMENT_ONLY)
                    .order_by("exam_no").first())
        plans = [(Registration, graduates[i], key, steps) for i, key, steps in REGISTRATION_PLANS if i < len(graduates)]
        plans += [(PaperAgreement, graduates[i], PAPER_KEY, steps) for i, steps in PAPER_PLANS if i < len(graduates)]
        if directed is not None:
            plans.append((Registration, directed, *DIRECTED_PLAN))
        people = [g.pk for _, g, _, _ in plans]
        taken = (set(Signing.objects.filter(graduate__in=people).values_list("graduate_id", flat=True))
                 | set(Registration.objects.filter(graduate__in=people).values_list("graduate_id", flat=True))
                 | set(PaperAgreement.objects.filter(graduate__in=people).values_list("graduate_id", flat=True)))
        units = [_employer_fields(n, name, nature, industry, region)
                 for n, valid, name, nature, industry, region, _ in EMPLOYERS if valid]
        act = {Registration: destinations.registration_act, PaperAgreement: destinations.paper_act}
        made = 0
        for k, (model, g, key, steps) in enumerate(plans):
            if g.pk in taken:
                continue
            module = "paper" if model is PaperAgreement else "registration"
            dtype = destination_type(key, module)
            graduate = self._graduate_account(g)
            values = gen.destination_values(dtype, k, graduation_year=cohort, regions=regions,
                                            employer=units[k % len(units)])
            proof = SimpleUploadedFile(f"{dtype.proof or '证明材料'}.png", gen.proof_png(key), content_type="image/png")
            with transaction.atomic():
                item = destinations.submit(model, actor=graduate, type_key=key, data=values,
                                           file=proof if dtype.proof else None)
                level = 0  # whose turn it is: 学院, then 学校
                for step in steps:
                    if step == "void":
                        act[model](actor=graduate, pk=item.pk, action="void")
                        continue
                    act[model](actor=reviewers[level], pk=item.pk, action=step,
                               reason=RETURN_REASON if step == "return" else "")
                    level += step == "approve"
            made += 1
        return made

    # --- 档案/户口 ------------------------------------------------------------------------------------

    def _archives(self, cohort: int) -> int:
        """档案 and 户口 applications of 示例大学 计算机学院 in each state (ARCHIVE_PLANS, HUKOU_PLANS) and a few
        records the department registered itself, through the services. A graduate who already has info or an
        application of the module is left as they are; the demo graduate (index 0) gets none."""
        users = {u.username: u for u in User.objects.filter(username__in=["s10001_d01", "s10001_school"])}
        reviewers = [users["s10001_d01"], users["s10001_school"]]
        department = Graduate.objects.filter(school__code="10001", department__code="01", graduation_year=cohort,
                                             is_valid=True, training_mode="1").order_by("exam_no")
        graduates = list(department)
        if len(graduates) < 2:
            return 0
        demo = graduates[0]
        hukou = list(department.filter(hukou_moved_to_school=True).exclude(pk=demo.pk))
        wanted = max(*(i for i, _ in HUKOU_PLANS), *HUKOU_RECORDS) + 1
        if len(hukou) < wanted:  # the roster's draw left too few: some more 户口 move to the school
            more = [g.pk for g in reversed(graduates[1:]) if not g.hukou_moved_to_school][:wanted - len(hukou)]
            Graduate.objects.filter(pk__in=more).update(hukou_moved_to_school=True)
            hukou = list(department.filter(hukou_moved_to_school=True).exclude(pk=demo.pk))
        made = 0
        for m, people, plans, direct in ((ARCHIVE, graduates, ARCHIVE_PLANS, ARCHIVE_RECORDS),
                                         (HUKOU, hukou, HUKOU_PLANS, HUKOU_RECORDS)):
            taken = (set(TransferApplication.objects.filter(kind=m.kind).values_list("graduate_id", flat=True))
                     | set(TransferRecord.objects.filter(kind=m.kind).values_list("graduate_id", flat=True)) | {demo.pk})
            for k, (index, steps) in enumerate(plans):
                if index >= len(people) or people[index].pk in taken:
                    continue
                g = people[index]
                with transaction.atomic():
                    item = archives.submit(actor=self._graduate_account(g), module=m, data=_transfer_info(m, g, k))
                    for level, step in enumerate(steps):
                        actor = self._graduate_account(g) if step == "cancel" else reviewers[level]
                        archives.act(actor=actor, module=m, pk=item.pk, action=step,
                                     reason=REJECT_REASON if step == "reject" else "")
                made += 1
            for k, index in enumerate(direct):
                if index < len(people) and people[index].pk not in taken:
                    archives.write_record(actor=reviewers[0], module=m, graduate_id=people[index].pk,
                                          data=_transfer_info(m, people[index], k + 5))
                    made += 1
        return made

    # --- 登记确认 and 转递编号 -----------------------------------------------------------------------------

    def _handover(self, cohort: int) -> int:
        """Of 示例大学 计算机学院's graduates EMS holds a destination for, two confirm 确认无误 and one 确认有误 (登记确认);
        then `s10001_d01` generates the 档案 转递编号 once (户档转递与核验信息), so both lists open on real rows. EMS
        first applies what the approvals above sent it (the outbox, delivered here as the worker would)."""
        while deliver_pending(limit=500)["sent"]:
            pass
        reported = list(Graduate.objects.filter(school__code="10001", department__code="01", graduation_year=cohort,
                                                is_valid=True, reported_destination__isnull=False).order_by("exam_no"))
        made = 0
        done = set(Confirmation.objects.filter(graduate__in=reported).values_list("graduate_id", flat=True))
        for k, g in enumerate(reported[:3]):
            if g.pk not in done:
                confirmation.confirm(actor=self._graduate_account(g), correct=k < 2,
                                     description="" if k < 2 else CONFIRM_WRONG)
                made += 1
        dept = User.objects.get(username="s10001_d01")
        if reported and not TransferCodeRun.objects.filter(school_id=dept.school_id).exists():
            made += transfers.generate(dept, "archive").created
        return made

    def _graduate_account(self, g: Graduate) -> User:
        """Demo graduates without an account answer through one created for them (no password: cannot log in)."""
        user, created = User.objects.get_or_create(
            username=g.exam_no, defaults={"role": Role.GRADUATE, "graduate": g, "display_name": g.name})
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        return user

    # --- organisations ---------------------------------------------------------------------------

    def _organisations(self, province) -> list[tuple[Department, list[Major]]]:
        out = []
        for code, name, label, depts in SCHOOLS:
            school, _ = School.objects.get_or_create(
                code=code, defaults={"name": name, "province": province, "review_label": label}
            )
            for dcode, dname, majors in depts:
                dept, _ = Department.objects.get_or_create(school=school, code=dcode, defaults={"name": dname})
                ms = []
                for mcode, mname in majors:
                    m, _ = Major.objects.get_or_create(
                        school=school, code=mcode, defaults={"name": mname, "department": dept}
                    )
                    ms.append(m)
                out.append((dept, ms))
        return out

    def _employers(self) -> dict[int, Employer]:
        out = {}
        for n, valid, name, nature, industry, region, contact in EMPLOYERS:
            code, needs_review = check_credit_code(make_credit_code(n, valid=valid))
            employer, _ = Employer.objects.get_or_create(
                credit_code=code,
                defaults=dict(
                    name=name, credit_code_needs_review=needs_review, nature_code=nature, industry_code=industry,
                    region_code=region, address=f"{name}办公楼", contact_name=contact,
                    contact_phone=gen.phone_for(n), approved=True,
                    review_status=ReviewStatus.APPROVED,
                ),
            )
            out[n] = employer
        return out

    # --- graduates --------------------------------------------------------------------------------

    def _graduates(self, cohort: int, departments, regions: list[str]) -> int:
        rows = list(demo_graduates(cohort, departments, regions))
        years = {r["graduation_year"] for r in rows}
        have = set(
            Graduate.objects.filter(graduation_year__in=years, exam_no__in=[r["exam_no"] for r in rows])
            .values_list("graduation_year", "exam_no")
        )
        taken_ids = set(
            Graduate.objects.filter(graduation_year__in=years).values_list("graduation_year", "id_number")
        )
        new = []
        for r in rows:
            if (r["graduation_year"], r["exam_no"]) in have:
                continue
            if (r["graduation_year"], r["id_number"]) in taken_ids:
                continue  # someone entered this person by hand already: leave theirs alone
            taken_ids.add((r["graduation_year"], r["id_number"]))
            new.append(Graduate(**r))
        Graduate.objects.bulk_create(new, batch_size=500)
        return len(new)

    # --- accounts ---------------------------------------------------------------------------------

    def _accounts(self, province, departments, employers, cohort):
        specs = []  # (role, username, display_name, scope kwargs, school name, department name)
        specs.append((Role.OPERATOR, "admin", "系统管理员", {"is_staff": True, "is_superuser": True}, None, None))
        specs.append((Role.PROVINCE, "gd_province", "广东省毕业生就业指导中心", {"province": province}, None, None))
        schools = School.objects.filter(code__in=[s[0] for s in SCHOOLS]).order_by("code")
        for school in schools:
            specs.append((Role.SCHOOL, f"s{school.code}_school", f"{school.name}就业指导中心",
                          {"school": school}, school.name, None))
        for dept, _ in departments:
            specs.append((Role.DEPARTMENT, f"s{dept.school.code}_d{dept.code}", f"{dept.name}辅导员",
                          {"school": dept.school, "department": dept}, dept.school.name, dept.name))
        employer = employers[EMPLOYER_ACCOUNT_FOR]
        specs.append((Role.EMPLOYER, "demo_employer", employer.name, {"employer": employer}, None, None))
        for g in demo_account_graduates(cohort):
            specs.append((Role.GRADUATE, g.exam_no, g.name, {"graduate": g}, g.school.name, g.department.name))

        accounts, changed = [], 0
        for role, username, display_name, scope, school_name, dept_name in specs:
            password = PASSWORDS[role]
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, role=role, display_name=display_name, **scope)
                _check_password_strength(password, user)
                user.set_password(password)
                user.save()
                changed += 1
            else:
                dirty = []
                if user.role != role:
                    raise CommandError(f"用户名 {username} 已被角色为“{user.get_role_display()}”的账号占用，无法创建演示账号。")
                for field in ("must_change_password",):
                    if getattr(user, field):
                        setattr(user, field, False)
                        dirty.append(field)
                if not user.is_active:
                    user.is_active = True
                    dirty.append("is_active")
                if not user.check_password(password):
                    user.set_password(password)
                    dirty.append("password")
                if dirty:
                    user.save(update_fields=dirty)
                    changed += 1
            accounts.append({
                "role": str(role), "username": username, "password": password,
                "school": school_name, "department": dept_name,
            })
        return accounts, changed

    # --- output -----------------------------------------------------------------------------------

    def _report(self, accounts, counts, json_path):
        self.stdout.write(
            f"演示数据已就绪（本次新增毕业生 {counts['graduates']} 名、签约 {counts['signings']} 条、去向登记与补登 "
            f"{counts['destinations']} 条、档案/户口申请与登记 {counts['archives']} 条，新建或修正账号 {counts['accounts']} 个；"
            f"库中共有学校 {School.objects.count()} 所、毕业生 {Graduate.objects.count()} 名）。"
        )
        labels = dict(Role.choices)
        rows = [
            [labels[a["role"]], a["username"], a["password"], a["school"] or "-", a["department"] or "-"]
            for a in accounts
        ]
        self.stdout.write(gen.table(rows, ["角色", "用户名", "密码", "学校", "院系"]))
        grads = [a["username"] for a in accounts if a["role"] == Role.GRADUATE]
        self.stdout.write(f"毕业生以考生号登录：{'、'.join(grads)}")
        if json_path:
            Path(json_path).write_text(json.dumps(accounts, ensure_ascii=False, indent=2), encoding="utf-8")
            self.stdout.write(f"账号已写入 {json_path}")


CONFIRM_WRONG = "单位所在地应为广州市天河区，不是越秀区。"


def _check_password_strength(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:  # the fixed passwords are part of this file: fail loudly
        raise CommandError(f"演示密码 {password} 不符合密码规则：{'；'.join(exc.messages)}") from None


def _employer_fields(n: int, name: str, nature: str, industry: str, region: str) -> dict[str, str]:
    """A demo employer as gen.destination_values takes a unit (what a graduate types for their employer)."""
    return {"name": name, "credit_code": make_credit_code(n), "nature_code": nature, "industry_code": industry,
            "region_code": region}


def _typed_employer(n: int, name: str, nature: str, industry: str, region: str, contact: str,
                    phone: int) -> dict[str, str]:
    """An unregistered employer's particulars as a graduate types them into an offline application."""
    return dict(employer_name=name, credit_code=make_credit_code(n), employer_nature=nature,
                employer_industry=industry, employer_region=region, employer_address=f"{name}办公室",
                contact_name=contact, contact_phone=gen.phone_for(phone))


def _transfer_info(m: Module, g: Graduate, k: int) -> dict[str, str]:
    """Filled-in 档案/户口 info: the first two forms go back to the graduate's 生源地, the others elsewhere."""
    home = k < 2
    code = type_code(m, m.home_origin) if home else str(2 + k % 3)
    region = g.origin_region if home and not region_problem(g.origin_region, "所在地") else "440106"
    city = ("广州市", "深圳市", "佛山市")[k % 3]
    if m is HUKOU:
        return {"transfer_type": code, "address": f"{city}人民路{k + 1}号", "region": region,
                "unit_name": f"{city}公安局某某分局第{k + 1}派出所"}
    return {"transfer_type": code, "unit_name": f"{city}人才服务中心", "address": f"{city}中山路{k + 1}号",
            "region": region, "postcode": "510000", "contact": "人事档案科", "phone": "020-38888888"}


def demo_graduates(cohort: int, departments, regions: list[str]):
    """The demo roster as dicts of Graduate fields; the same list on every run for a given cohort."""
    rng = random.Random(f"gradreg-demo-{cohort}")
    now = timezone.now()
    n = 0
    plan = [(cohort, CURRENT_PER_DEPARTMENT), (cohort - 1, LAST_YEAR_PER_DEPARTMENT),
            (cohort - 2, OLDER_PER_DEPARTMENT[0]), (cohort - 3, OLDER_PER_DEPARTMENT[1])]
    used_ids: set[tuple[int, str]] = set()
    for dept, majors in departments:
        school = dept.school
        for year, how_many in plan:
            for k in range(how_many):
                n += 1
                level = rng.choices(["31", "11", "01", "41"], weights=[70, 20, 3, 7])[0]
                age = {"31": 22, "11": 25, "01": 29, "41": 21}[level]
                years = {"31": Decimal("4"), "11": Decimal("3"), "01": Decimal("4"), "41": Decimal("3")}[level]
                male = rng.random() < 0.52
                region = rng.choice(regions)
                while True:
                    birth = dt.date(year - age - 1, 9, 1) + dt.timedelta(days=rng.randrange(365))
                    seq = rng.randrange(0, 1000, 2) + (1 if male else 0)
                    idn = gen.id_number(region, birth, seq)
                    if (year, idn) not in used_ids:
                        used_ids.add((year, idn))
                        break
                mode = rng.choices(["1", "21", "22", "41", "42"], weights=[90, 2, 3, 2, 3])[0]
                exam_no = f"{year % 100:02d}44{school.code[-2:]}{dept.code[-2:]:0>2}{k + 1:06d}"
                student_no = f"{school.code}{year - int(years)}{level}{dept.code[-2:]:0>2}{k + 1:04d}"
                invalid = year == cohort and k < INVALID_PER_DEPARTMENT
                yield dict(
                    exam_no=exam_no,
                    student_no=student_no,
                    name=gen.name_for(n * 11 + rng.randrange(1000)),
                    gender="1" if male else "2",
                    id_number=idn,
                    ethnicity=rng.choices(["01", "02", "03", "06", "08", "09"], weights=[90, 2, 2, 2, 2, 2])[0],
                    political_status=rng.choices(["03", "01", "13"], weights=[70, 15, 15])[0],
                    education_level=level,
                    school=school,
                    department=dept,
                    major=majors[k % len(majors)],
                    schooling_years=years,
                    training_mode=mode,
                    directed_unit=rng.choice(gen.DIRECTED_UNITS) if mode != "1" else "",
                    origin_region=region if rng.random() < 0.8 else rng.choice(regions),
                    graduation_year=year,
                    graduation_date=dt.date(year, 6, 30),
                    phone=gen.phone_for(year * 10_000 + n),
                    email=f"{student_no.lower()}@stu.example.edu.cn",
                    hukou_moved_to_school=rng.random() < 0.3,
                    is_valid=not invalid,
                    invalidated_at=now - dt.timedelta(days=3 + n % 20) if invalid else None,
                    invalid_reason=gen.INVALID_REASONS[n % len(gen.INVALID_REASONS)] if invalid else "",
                )


def demo_account_graduates(cohort: int) -> list[Graduate]:
    """Two current-cohort graduates get accounts: the first valid, non-directed one of each school."""
    out = []
    for code, *_ in SCHOOLS:
        g = (
            Graduate.objects.filter(school__code=code, graduation_year=cohort, is_valid=True, training_mode="1")
            .select_related("school", "department")
            .order_by("department__code", "exam_no")
            .first()
        )
        if g is not None:
            out.append(g)
    return out
