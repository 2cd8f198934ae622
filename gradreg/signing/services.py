"""Writes of 在线签约 and 解约: every page, API operation and command calls these, which call the engine."""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from gradreg.accounts.models import Role
from gradreg.codes.loader import code_map, region_problem
from gradreg.common.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from gradreg.common.uploads import check_upload, store_upload
from gradreg.common.validators import check_contact_phone
from gradreg.ems.models import Graduate
from gradreg.ems.validation import check_id_number
from gradreg.organisations.models import check_credit_code
from gradreg.organisations.selectors import ensure_employer_may_invite
from gradreg.roster.gates import cohort_may_act, ensure_may_sign_online
from gradreg.roster.review import refresh_info
from gradreg.workflow import engine

from .flows import (
    OFFLINE_SIGNING,
    ONLINE_SIGNING,
    signing_termination_workflow,
    signing_workflow,
    termination_workflow,
)
from .models import (
    EMPLOYER_FIELDS,
    TERM_FIELDS,
    TERMINATION_STATES,
    Initiator,
    Signing,
    SigningStatus,
    Termination,
    TerminationStatus,
)
from .selectors import signing_get_for, signings_visible_to, termination_get_for

log = logging.getLogger(__name__)
S, TS = SigningStatus, TerminationStatus

NOT_FOUND = "未找到与所填姓名和证件号码一致、可以签约的毕业生。请核对后重试。"
LOOKUP_FAILS_PER_HOUR = 20

FIELD_LABELS = {f.name: str(f.verbose_name) for f in Signing._meta.fields}


# ---- validation of agreement info (shared by invitations, applications and edits) -----------------

def clean_terms(data: dict[str, Any], *, with_employer: bool) -> dict[str, Any]:
    """Check every agreement field at once; returns clean values or raises Invalid naming each bad field."""
    names = TERM_FIELDS + (EMPLOYER_FIELDS if with_employer else ())
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for name in names:
        value = data.get(name, "")
        clean[name] = value.strip() if isinstance(value, str) else value

    def err(name: str, msg: str) -> None:
        errors.setdefault(name, []).append(msg)

    for name, kind in (("monthly_salary", "金额"), ("service_years", "年限")):
        raw = clean.get(name)
        if raw in ("", None):
            if name == "monthly_salary":
                err(name, "请填写月薪")
            clean[name] = Decimal(0) if name == "service_years" else None
            continue
        try:
            clean[name] = Decimal(str(raw))
        except InvalidOperation:
            err(name, f"应为数字{kind}")
    raw = clean.get("probation_months")
    try:
        clean["probation_months"] = int(raw) if raw not in ("", None) else 0
    except (TypeError, ValueError):
        err("probation_months", "应为整数月数")
    if clean.get("job_category") and clean["job_category"] not in code_map("gzzwlb"):
        err("job_category", "不在职位类别代码表中")
    if clean.get("work_region") and (problem := region_problem(clean["work_region"], "工作地点")):
        err("work_region", problem)
    if with_employer:
        for name in ("employer_nature", "employer_industry", "employer_region", "employer_address",
                     "contact_name", "contact_phone"):
            if not clean.get(name):
                err(name, "此项为必填项")
        if clean.get("credit_code"):
            try:
                clean["credit_code"], _ = check_credit_code(clean["credit_code"])
            except ValueError as e:
                err("credit_code", str(e))
        if clean.get("employer_nature") and clean["employer_nature"] not in code_map("dwxz"):
            err("employer_nature", "不在单位性质代码表中")
        if clean.get("employer_industry") and clean["employer_industry"] not in code_map("dwhy"):
            err("employer_industry", "不在行业代码表中")
        if clean.get("employer_region") and (problem := region_problem(clean["employer_region"], "单位所在地")):
            err("employer_region", problem)
        phone, problem = check_contact_phone(clean.get("contact_phone", ""))
        clean["contact_phone"] = phone
        if problem and phone:
            err("contact_phone", problem)
    # the model's own rules (required fields, lengths, ranges) for whatever is not already wrong
    probe = Signing(**{k: v for k, v in clean.items() if k not in errors})
    try:
        probe.clean_fields(exclude=[f.name for f in Signing._meta.fields if f.name not in names or f.name in errors])
    except ValidationError as e:
        for name, msgs in e.message_dict.items():
            errors.setdefault(name, []).extend(msgs)
    if errors:
        raise Invalid(errors, labels=FIELD_LABELS)
    return clean


def _employer_fields(employer) -> dict[str, Any]:
    return {
        "employer_name": employer.name, "credit_code": employer.credit_code,
        "employer_nature": employer.nature_code, "employer_industry": employer.industry_code,
        "employer_region": employer.region_code, "employer_address": employer.address,
        "contact_name": employer.contact_name, "contact_phone": employer.contact_phone,
    }


def _scope_fields(graduate: Graduate) -> dict[str, Any]:
    return {
        "graduate": graduate, "school_id": graduate.school_id, "department_id": graduate.department_id,
        "graduation_year": graduate.graduation_year, "graduate_name": graduate.name, "exam_no": graduate.exam_no,
    }


# ---- 4.1 employer invitations -----------------------------------------------------------------------

def _lookup_key(actor) -> str:
    return f"gradreg:invite-lookup-fail:{actor.employer_id}"


def find_graduate_for_invitation(*, actor, name: str, id_number: str = "", exam_no: str = "") -> Graduate:
    """An exact name + ID number (or 考生号) match, never a search: a wrong pair answers like an unknown one."""
    if actor.role != Role.EMPLOYER or not actor.employer_id:
        raise Forbidden("只有用人单位可以发起签约邀请。")
    key = _lookup_key(actor)
    if cache.get(key, 0) >= LOOKUP_FAILS_PER_HOUR:
        raise DomainError("核对失败次数过多，请一小时后再试。", code="throttled")
    name, id_number, exam_no = (name or "").strip(), (id_number or "").strip().upper(), (exam_no or "").strip()
    if not name or not (id_number or exam_no):
        raise DomainError("请填写毕业生姓名，以及身份证号或考生号。", code="lookup_required", field="name")
    if id_number:
        id_number, problem = check_id_number(id_number)
        if problem:  # the typed number alone is wrong: nothing about the roster is told
            raise DomainError(f"{problem}。", code="invalid_id_number", field="id_number")
    qs = Graduate.objects.filter(name=name, is_valid=True)
    qs = qs.filter(id_number=id_number) if id_number else qs.filter(exam_no=exam_no)
    for graduate in qs.select_related("school", "department", "major").order_by("-graduation_year"):
        if cohort_may_act(graduate.graduation_year):
            return graduate
    cache.add(key, 0, 3600)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, 3600)
    raise DomainError(NOT_FOUND, code="graduate_not_found", field="name")


def invitation_create(
    *, actor, name: str, id_number: str = "", exam_no: str = "", terms: dict[str, Any], ip: str | None = None
) -> Signing:
    if actor.role != Role.EMPLOYER or not actor.employer_id:
        raise Forbidden("只有用人单位可以发起签约邀请。")
    employer = actor.employer
    ensure_employer_may_invite(employer)
    clean = clean_terms(terms, with_employer=False)
    graduate = find_graduate_for_invitation(actor=actor, name=name, id_number=id_number, exam_no=exam_no)
    ensure_may_sign_online(graduate)
    with transaction.atomic():
        if Signing.objects.filter(graduate=graduate, employer=employer, status=S.INVITED,
                                  expires_at__gt=timezone.now()).exists():
            raise Conflict("您已向该毕业生发出签约邀请，对方尚未处理，请勿重复邀请。", code="duplicate_invitation")
        days = settings.INVITATION_VALID_DAYS
        fields = {**clean, **_employer_fields(employer), **_scope_fields(graduate), "employer": employer,
                  "initiator": Initiator.EMPLOYER, "created_by": actor,
                  "expires_at": timezone.now() + dt.timedelta(days=days)}
        return engine.start(ONLINE_SIGNING, actor=actor, lock=graduate, action="invite", fields=fields, ip=ip)


def expire_invitations(*, now: dt.datetime | None = None) -> int:
    """Move every invitation past its date to 邀请已过期 (the platform's own move, audited)."""
    now = now or timezone.now()
    done = 0
    # invalid graduates stay frozen: their invitations keep their state until a restore
    due = Signing.objects.filter(status=S.INVITED, expires_at__lte=now, graduate__is_valid=True)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            s = Signing.objects.select_for_update().filter(pk=pk, status=S.INVITED).first()
            if s is not None:
                engine.move(ONLINE_SIGNING, s, action="expire", reason="邀请超过有效期未处理")
                done += 1
    return done


# ---- 4.2 offline e-agreement applications ------------------------------------------------------------

def offline_apply(*, actor, data: dict[str, Any], ip: str | None = None) -> Signing:
    if actor.role != Role.GRADUATE or not actor.graduate_id:
        raise Forbidden("只有毕业生本人可以申请电子就业协议书。")
    clean = clean_terms(data, with_employer=True)
    graduate = Graduate.objects.select_related("school", "department", "major").get(pk=actor.graduate_id)
    fields = {**clean, **_scope_fields(graduate), "initiator": Initiator.GRADUATE, "created_by": actor}
    return _start(OFFLINE_SIGNING, actor=actor, lock=graduate, action="apply", fields=fields, ip=ip)


def _one_live(run, workflow, **kw):
    """Run an engine move; a second holding signing caught by the partial unique index (which a concurrent
    request the lock did not see could create) is refused as such."""
    try:
        with transaction.atomic():
            return run(workflow, **kw)
    except IntegrityError:
        raise Conflict("您已有正在办理或已生效的签约，不能同时办理两份。", code="live_destination") from None


def _start(workflow, **kw):
    return _one_live(engine.start, workflow, **kw)


def offline_resubmit(*, actor, pk: int, data: dict[str, Any], ip: str | None = None) -> Signing:
    """After 撤回 or 退回修改: the graduate's corrected agreement info, submitted again for review."""
    current = signing_get_for(actor, pk)
    if current.is_online:
        raise Conflict("线上签约的协议信息由用人单位填写，不能修改。")
    clean = clean_terms(data, with_employer=True)
    changes = {k: v for k, v in clean.items() if getattr(current, k) != v}
    audit_changes = {k: str(v) for k, v in changes.items()}
    return _perform(OFFLINE_SIGNING, actor=actor, pk=pk, action="resubmit",
                    data={"changes": changes, "changed": audit_changes}, ip=ip)


def _perform(workflow, **kw):
    return _one_live(engine.perform, workflow, **kw)


def stamped_upload(*, actor, pk: int, file, explanation=None, ip: str | None = None) -> Signing:
    """回传 the stamped agreement, or a 情况说明 of a wrong e-agreement, or both (jpg/png/pdf, sniffed, capped)."""
    signing_get_for(actor, pk)  # scope first: nothing is stored for an item the actor cannot see
    upload = check_upload(file, field="stamped", required=explanation is None)
    note = check_upload(explanation, field="explanation", required=False)
    with _stored(upload, "stamped") as name, _stored(note, "explanation") as note_name:
        data = {"stamped_file": name, "explanation_file": note_name}
        for prefix, checked in (("stamped", upload), ("explanation", note)):
            if checked is not None:
                data |= {f"{prefix}_content_type": checked.content_type, f"{prefix}_sha256": checked.sha256}
        return engine.perform(OFFLINE_SIGNING, actor=actor, pk=pk, action="upload", data=data, ip=ip)


@contextmanager
def _stored(upload, folder: str) -> Iterator[str]:
    """Store an upload for a transition; if the transition is refused, the file goes too."""
    if upload is None:
        yield ""
        return
    name = store_upload(upload, folder=folder)
    try:
        yield name
    except BaseException:
        default_storage.delete(name)
        raise


# ---- one entry point for every other signing action ---------------------------------------------------

def signing_act(
    *, actor, pk: int, action: str, reason: str = "", category: str = "", ip: str | None = None
) -> Signing:
    # the initiator picks the workflow; the engine reads (and locks) the row itself
    try:
        initiator = signings_visible_to(actor).filter(pk=pk).values_list("initiator", flat=True).first()
    except (ValueError, TypeError):
        initiator = None
    if initiator is None:
        raise NotFound("未找到该签约记录，或您无权查看。")
    workflow = ONLINE_SIGNING if initiator == Initiator.EMPLOYER else OFFLINE_SIGNING
    data = {"category": category} if category else {}
    return _perform(workflow, actor=actor, pk=pk, action=action, reason=reason, data=data, ip=ip)


def signing_refresh_info(*, actor, pk: int, ip: str | None = None) -> dict[str, str]:
    """获取最新学生信息: take EMS's current non-key fields now; they apply when the review passes."""
    with transaction.atomic():
        s = signing_get_for(actor, pk, for_update=True)
        return refresh_info(workflow=signing_workflow(s), item=s, actor=actor, ip=ip)


# ---- terminations -------------------------------------------------------------------------------------

def termination_apply(
    *, actor, signing_id: int, reason: str, file=None, ip: str | None = None
) -> Termination:
    """Either party of an online signing, or the graduate of an offline one, asks to end it."""
    signing = signing_get_for(actor, signing_id)
    if signing.status != S.SIGNED:
        raise Conflict("只有签约成功的协议可以申请解约。")
    if actor.role not in (Role.GRADUATE, Role.EMPLOYER):
        raise Forbidden("解约由毕业生或用人单位申请。")
    workflow = signing_termination_workflow(signing)
    upload = None if signing.is_online else check_upload(file, field="material")
    fields = {
        "signing": signing, "online": signing.is_online, "reason": (reason or "").strip(),
        "applicant": Initiator.EMPLOYER if actor.role == Role.EMPLOYER else Initiator.GRADUATE,
        "graduate": signing.graduate, "school_id": signing.school_id, "department_id": signing.department_id,
        "employer_id": signing.employer_id, "graduation_year": signing.graduation_year,
        "graduate_name": signing.graduate_name, "exam_no": signing.exam_no, "employer_name": signing.employer_name,
        "created_by": actor,
    }
    if not fields["reason"]:
        raise DomainError("请填写解约原因。", code="reason_required", field="reason")
    try:
        with _stored(upload, "termination") as name, transaction.atomic():
            if Termination.objects.filter(signing=signing, status__in=TERMINATION_STATES.open_states()).exists():
                raise Conflict("该签约已有正在办理的解约申请。", code="termination_open")
            data: dict[str, Any] = {}
            if upload is not None:
                data = {"material_file": name, "material_content_type": upload.content_type,
                        "material_sha256": upload.sha256}
            return engine.start(workflow, actor=actor, lock=signing.graduate, action="apply", fields=fields,
                                reason=reason, data=data, ip=ip)
    except IntegrityError:
        raise Conflict("该签约已有正在办理的解约申请。", code="termination_open") from None


def termination_act(
    *, actor, pk: int, action: str, reason: str = "", category: str = "", file=None, ip: str | None = None
) -> Termination:
    t = termination_get_for(actor, pk)
    data: dict[str, Any] = {"category": category} if category else {}
    upload = None
    if action == "resubmit":
        if file is not None:
            upload = check_upload(file, field="material")
        if (reason or "").strip():
            data["new_reason"] = reason.strip()
    with _stored(upload, "termination") as name:
        if upload is not None:
            data.update(material_file=name, material_content_type=upload.content_type,
                        material_sha256=upload.sha256)
        return engine.perform(termination_workflow(t), actor=actor, pk=pk, action=action, reason=reason,
                              data=data, ip=ip)
