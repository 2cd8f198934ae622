"""Employers register themselves (or are entered in the admin), an operator reviews them.

Registration and review run the employer review table (flows.py): the engine moves `review_status`,
records the audit trail and tells the employer's users.
"""
from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from gradreg.accounts.models import Role, User
from gradreg.accounts.services import STAFF_USERNAME  # letters first: never a graduate's all-digit 考生号
from gradreg.codes.loader import code_map, region_problem
from gradreg.common.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from gradreg.common.uploads import CheckedUpload, check_upload, discard_on_commit, store_upload
from gradreg.common.validators import check_contact_phone
from gradreg.notifications.channels import get_sender
from gradreg.notifications.services import deliver
from gradreg.organisations.models import CHECKSUM_UNCONFIRMED, Employer, ReviewStatus, check_credit_code
from gradreg.organisations.selectors import employer_may_edit
from gradreg.workflow import engine

from .flows import EMPLOYER_REVIEW

log = logging.getLogger("gradreg.organisations")

LICENCE_MAX_BYTES = 5 * 1024 * 1024
LICENCE_FOLDER = "employer-licences"
# The unit's own fields, in form order; every one is required when the employer registers itself.
UNIT_FIELDS = (
    "name", "credit_code", "nature_code", "industry_code", "region_code", "address", "contact_name", "contact_phone",
)
USERNAME_RULE = "用户名须以字母开头，由3至30位字母、数字、下划线、点或连字符组成。"


class InvalidFields(Invalid):
    """`Invalid` with the registration form's wording: one error is shown as is, several are counted."""

    def __init__(self, errors: dict[str, list[str]], *, codes: list[str]) -> None:
        field, messages = next(iter(errors.items()))
        count = sum(len(m) for m in errors.values())
        message = messages[0] if count == 1 else f"共有{count}处填写有误，请按提示修改后重新提交。"
        DomainError.__init__(self, message, field=field, code=codes[0] if count == 1 else "invalid")
        self.errors = errors


class _Problems:
    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}
        self.codes: list[str] = []

    def add(self, field: str, message: str, code: str = "invalid") -> None:
        self.errors.setdefault(field, []).append(message)
        self.codes.append(code)

    def raise_if_any(self) -> None:
        if self.errors:
            raise InvalidFields(self.errors, codes=self.codes)


def _text(value: Any) -> str:
    return str(value or "").strip()


def _clean_unit(
    data: dict[str, Any], problems: _Problems, *, complete: bool, exclude_pk: int | None = None,
    confirm_checksum: bool = True,
) -> dict[str, Any]:
    """Normalise and check the unit's fields; `complete` makes every field required (self-registration).

    A 信用代码 failing its check digit (some early pilot codes do) is accepted, flagged for review, only
    when `credit_code_confirmed` says the user checked it against the licence (`confirm_checksum`).
    """
    out: dict[str, Any] = {}
    name = _text(data.get("name"))
    if not name:
        problems.add("name", "请填写单位名称。")
    elif len(name) > 200:
        problems.add("name", "单位名称不能超过200个字。")
    out["name"] = name

    try:
        if not _text(data.get("credit_code")):
            raise ValueError("请填写统一社会信用代码（18位，见营业执照）。")
        code, needs_review = check_credit_code(_text(data.get("credit_code")))
    except ValueError as e:
        problems.add("credit_code", str(e))
    else:
        taken = Employer.objects.filter(credit_code=code)
        if exclude_pk is not None:
            taken = taken.exclude(pk=exclude_pk)
        if taken.exists():
            problems.add("credit_code", "该统一社会信用代码的单位已存在。如需找回账号，请联系平台管理员。", "duplicate")
        if needs_review and confirm_checksum and not data.get("credit_code_confirmed"):
            problems.add("credit_code", CHECKSUM_UNCONFIRMED.format(code=code), "credit_code_unconfirmed")
        out["credit_code"], out["credit_code_needs_review"] = code, needs_review

    for field, table, label in (("nature_code", "dwxz", "单位性质"), ("industry_code", "dwhy", "所属行业")):
        if field not in data and not complete:
            continue
        value = _text(data.get(field))
        if not value:
            if complete:
                problems.add(field, f"请选择{label}。")
        elif value not in code_map(table):
            problems.add(field, f"{label}代码无效，请从列表中选择。")
        out[field] = value

    if "region_code" in data or complete:
        region = _text(data.get("region_code"))
        if not region:
            if complete:
                problems.add("region_code", "请填写单位所在地的6位行政区划代码。")
        elif problem := region_problem(region, "单位所在地"):
            problems.add("region_code", problem)
        out["region_code"] = region

    for field, label, limit in (("address", "地址", 200), ("contact_name", "联系人", 50)):
        if field not in data and not complete:
            continue
        value = _text(data.get(field))
        if not value and complete:
            problems.add(field, f"请填写{label}。")
        elif len(value) > limit:
            problems.add(field, f"{label}不能超过{limit}个字。")
        out[field] = value

    if "contact_phone" in data or complete:
        phone, error = check_contact_phone(data.get("contact_phone"))
        if not phone:
            if complete:
                problems.add("contact_phone", "请填写联系电话。")
        elif error:
            problems.add("contact_phone", error)
        out["contact_phone"] = phone
    return out


def _check_licence(f, problems: _Problems, *, required: bool) -> CheckedUpload | None:
    if f is None and required:
        problems.add("licence", "请上传营业执照（jpg、png 图片或 pdf 文件）。")
        return None
    try:
        return check_upload(f, field="licence", max_bytes=LICENCE_MAX_BYTES, required=required)
    except DomainError as e:
        problems.add("licence", e.message, e.code)
        return None


def _discard(name: str) -> None:
    """A stored upload whose record was never written (the transaction rolled back)."""
    try:
        default_storage.delete(name)
    except Exception:  # a leftover file is harmless; the refusal must still reach the user
        log.warning("could not remove orphan upload %s", name, exc_info=True)


@transaction.atomic
def employer_create(*, name: str, credit_code: str, **fields: Any) -> Employer:
    """Create an employer (admin, imports); a 信用代码 failing its check digit is accepted but flagged for review."""
    problems = _Problems()
    unit_fields = {k: fields.pop(k) for k in UNIT_FIELDS if k in fields}
    data = _clean_unit({"name": name, "credit_code": credit_code, **unit_fields}, problems, complete=False,
                       confirm_checksum=False)
    problems.raise_if_any()
    employer = Employer(**data, **fields)
    employer.full_clean()
    employer.save()
    return employer


@transaction.atomic
def employer_register(
    *,
    name: str,
    credit_code: str,
    nature_code: str,
    industry_code: str,
    region_code: str,
    address: str,
    contact_name: str,
    contact_phone: str,
    licence,
    username: str,
    password: str,
    password_confirm: str | None = None,
    credit_code_confirmed: bool = False,
    ip: str | None = None,
) -> User:
    """An employer registers itself: the unit (pending review) and its login account, or nothing at all.

    Every problem is reported at once, by field (InvalidFields). Returns the new account; when the login
    name is already taken, an unsaved one (nothing is stored and the name's owner is told), so that the
    caller's answer, built from the username alone, is the same and a visitor cannot probe for names.
    """
    problems = _Problems()
    unit = _clean_unit(
        {"name": name, "credit_code": credit_code, "nature_code": nature_code, "industry_code": industry_code,
         "region_code": region_code, "address": address, "contact_name": contact_name,
         "contact_phone": contact_phone, "credit_code_confirmed": credit_code_confirmed},
        problems, complete=True,
    )
    checked = _check_licence(licence, problems, required=True)
    username = _text(username)
    if not username:
        problems.add("username", "请设置登录用户名。")
    elif not STAFF_USERNAME.match(username):
        problems.add("username", USERNAME_RULE)
    owner = User.objects.filter(username__iexact=username).first() if username and "username" not in problems.errors else None
    user = User(username=username, role=Role.EMPLOYER, display_name=unit["name"][:50])
    if not password:
        problems.add("password", "请设置登录密码。")
    else:
        try:
            validate_password(password, user=user)
        except ValidationError as exc:
            for message in exc.messages:
                problems.add("password", message, "weak_password")
    if password_confirm is not None and password and password != password_confirm:
        problems.add("password_confirm", "两次输入的密码不一致。")
    problems.raise_if_any()
    if owner is not None:
        # The answer must not tell a stranger the name is taken: it reads as a registration, and the
        # account's owner hears of it through their own channels. Nothing is stored.
        _tell_owner_of_registration_attempt(owner, ip=ip)
        return user

    assert checked is not None  # required=True: a missing file was a problem above
    stored = store_upload(checked, folder=LICENCE_FOLDER)
    try:
        now = timezone.now()
        employer = Employer(
            **unit, review_status=ReviewStatus.PENDING, licence=stored, licence_content_type=checked.content_type,
            registered_at=now,
        )
        employer.full_clean()
        user.employer = employer
        user.set_password(password)
        try:
            with transaction.atomic():
                employer.save()
                user.employer = employer
                user.save()
        except IntegrityError:
            # Someone registered the same code or username between our check and the insert.
            race = _Problems()
            if User.objects.filter(username__iexact=username).exists():
                race.add("username", "该用户名已被使用，请换一个。", "duplicate")
            else:
                race.add("credit_code", "该统一社会信用代码的单位已存在。如需找回账号，请联系平台管理员。", "duplicate")
            race.raise_if_any()
        # the unit and its account are saved together (an account needs its unit): the engine records it
        engine.record_created(
            EMPLOYER_REVIEW, employer, actor=user, action="register",
            data={"credit_code": employer.credit_code, "username": username,
                  "credit_code_needs_review": employer.credit_code_needs_review, "licence_sha256": checked.sha256},
            ip=ip,
        )
    except BaseException:
        _discard(stored)
        raise
    log.info("employer %s registered with account %s from %s", employer.pk, user.pk, ip)
    return user


def _tell_owner_of_registration_attempt(owner: User, *, ip: str | None) -> None:
    """Someone tried to register an employer under `owner`'s login name: tell the owner, not the visitor."""
    text = (f"有人尝试使用您的登录用户名“{owner.username}”注册用人单位账号，该注册未被受理。"
            "如是您本人，请直接登录；如忘记密码，请联系平台管理员重置。")
    deliver([{"recipient": owner, "title": "有人尝试使用您的用户名注册", "body": text}])
    phone = owner.employer.contact_phone if owner.employer_id else ""
    if phone:
        get_sender().send(channel="sms", to=phone, text=text)
    log.info("employer registration under the existing username of account %s from %s", owner.pk, ip)


def _ensure_operator(actor: User) -> None:
    if not (actor.is_authenticated and actor.is_active and actor.role == Role.OPERATOR):
        raise Forbidden("只有平台管理员可以审核用人单位。")


def _locked(employer_id: int) -> Employer:
    employer = Employer.objects.select_for_update().filter(pk=employer_id).first()
    if employer is None:
        raise NotFound("未找到该用人单位。")
    return employer


@transaction.atomic
def employer_approve(*, actor: User, employer_id: int, ip: str | None = None) -> Employer:
    """通过: the employer may invite graduates from now on."""
    _ensure_operator(actor)
    employer = _locked(employer_id)
    if employer.review_status != ReviewStatus.PENDING:
        raise Conflict(f"该单位当前为“{employer.review_state_label}”状态，不能审核通过。")
    return engine.perform(EMPLOYER_REVIEW, actor=actor, pk=employer_id, action="approve", ip=ip)


@transaction.atomic
def employer_reject(*, actor: User, employer_id: int, reason: str, ip: str | None = None) -> Employer:
    """不通过 with a reason the employer sees; it may correct its data and submit again."""
    _ensure_operator(actor)
    reason = _text(reason)
    if not reason:
        raise DomainError("请填写不通过的原因。", field="reason")
    if len(reason) > 500:
        raise DomainError("不通过的原因不能超过500个字。", field="reason")
    employer = _locked(employer_id)
    if employer.review_status != ReviewStatus.PENDING:
        raise Conflict(f"该单位当前为“{employer.review_state_label}”状态，不能审核。")
    return engine.perform(EMPLOYER_REVIEW, actor=actor, pk=employer_id, action="reject", reason=reason, ip=ip)


@transaction.atomic
def employer_resubmit(
    *,
    actor: User,
    employer_id: int,
    name: str,
    credit_code: str,
    nature_code: str,
    industry_code: str,
    region_code: str,
    address: str,
    contact_name: str,
    contact_phone: str,
    licence=None,
    credit_code_confirmed: bool = False,
    ip: str | None = None,
) -> Employer:
    """The employer corrects its data (and may upload a new licence); the review starts again.

    Allowed after 未通过, or while pending with something missing (an employer entered without a licence).
    """
    if not (actor.is_authenticated and actor.role == Role.EMPLOYER and actor.employer_id == employer_id):
        raise NotFound("未找到该用人单位。")
    employer = _locked(employer_id)
    if not employer_may_edit(employer):
        raise Conflict(
            "单位信息已审核通过，不能自行修改。" if employer.approved else "单位信息正在审核中，暂不能修改。"
        )
    problems = _Problems()
    unit = _clean_unit(
        {"name": name, "credit_code": credit_code, "nature_code": nature_code, "industry_code": industry_code,
         "region_code": region_code, "address": address, "contact_name": contact_name,
         "contact_phone": contact_phone, "credit_code_confirmed": credit_code_confirmed},
        problems, complete=True, exclude_pk=employer.pk,
    )
    checked = _check_licence(licence, problems, required=not employer.licence)
    problems.raise_if_any()
    changed = sorted(k for k, v in unit.items() if getattr(employer, k) != v)
    stored = store_upload(checked, folder=LICENCE_FOLDER) if checked else None
    try:
        changes = dict(unit)
        replaced = employer.licence
        if stored and checked:
            changes.update(licence=stored, licence_content_type=checked.content_type)
        data = {"changes": changes, "changed": changed, "licence_sha256": checked.sha256 if checked else None}
        try:
            with transaction.atomic():
                employer = engine.perform(EMPLOYER_REVIEW, actor=actor, pk=employer_id, action="resubmit", data=data,
                                          ip=ip)
                if stored:
                    # the new licence replaces the old one in storage; the audit trail keeps the old one's hash
                    discard_on_commit(replaced)
        except IntegrityError:
            race = _Problems()
            race.add("credit_code", "该统一社会信用代码的单位已存在。如需找回账号，请联系平台管理员。", "duplicate")
            race.raise_if_any()
    except BaseException:
        if stored:
            _discard(stored)
        raise
    return employer
