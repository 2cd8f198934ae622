"""Account writes: staff accounts created by the level above (graduates activate theirs on the roster,
`gradreg.roster.activation`).

No account is ever created with a default password: a staff account gets a random one-time password,
shown once to its creator, which must be changed at first login.
"""
from __future__ import annotations

import logging
import re
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from gradreg.common.errors import DomainError, Forbidden, NotFound
from gradreg.organisations.models import Department, Province, School
from gradreg.workflow.audit import record

from .models import Role, User
from .selectors import staff_users_managed_by

log = logging.getLogger("gradreg.accounts")


def password_problems(password: str, user: User) -> list[str]:
    """Why `password` is not good enough for `user`, in the validators' Chinese messages (none: it is)."""
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        return list(exc.messages)
    return []


def save_new_user(
    user: User, *, taken: DomainError, actor: User, action: str, action_label: str, data: dict, ip: str | None
) -> None:
    """Save a new account and record its creation; a username taken meanwhile answers `taken`."""
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise taken from None
    record(item_type="user", item_id=user.pk, actor=actor, action=action, action_label=action_label, data=data,
           ip=ip, school_id=user.school_id)


# --- staff accounts created by the level above --------------------------------------------------

# Who creates whom: the operator creates province and school users, a school user its departments'.
CREATABLE: dict[str, tuple[str, ...]] = {
    Role.OPERATOR: (Role.PROVINCE, Role.SCHOOL),
    Role.SCHOOL: (Role.DEPARTMENT,),
}
# Letters first: a graduate's username is their all-digit 考生号, so the two can never collide.
STAFF_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{2,29}$")


def creatable_roles(actor: User) -> tuple[str, ...]:
    if not actor.is_authenticated or not actor.is_active:
        return ()
    return CREATABLE.get(actor.role, ())


def one_time_password() -> str:
    """A random password that satisfies the configured validators (the holder must change it at once)."""
    length = max(12, settings.PASSWORD_MIN_LENGTH)
    while True:
        candidate = secrets.token_urlsafe(length)
        # at least one letter and one digit; no leading '-' that reads like an option when pasted
        if (
            not candidate.startswith("-")
            and any(c.isalpha() for c in candidate)
            and any(c.isdigit() for c in candidate)
            and not password_problems(candidate, User(username="", role=Role.SCHOOL))
        ):
            return candidate


@transaction.atomic
def staff_user_create(
    *,
    actor: User,
    username: str,
    display_name: str,
    role: str,
    province: Province | None = None,
    school: School | None = None,
    department: Department | None = None,
    ip: str | None = None,
) -> tuple[User, str]:
    """Create a province, school or department user; returns it and its one-time password (shown once)."""
    if role not in creatable_roles(actor):
        raise Forbidden("您无权创建该类账号。")
    username = (username or "").strip()
    display_name = (display_name or "").strip()
    if not STAFF_USERNAME.match(username):
        raise DomainError("用户名须以字母开头，由3至30位字母、数字、下划线、点或连字符组成。", field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError("该用户名已被使用，请换一个。", field="username")
    if not display_name:
        raise DomainError("请填写姓名。", field="display_name")
    user = User(username=username, display_name=display_name[:50], role=role, created_by=actor, must_change_password=True)
    if role == Role.PROVINCE:
        if province is None:
            raise DomainError("请选择省份。", field="province")
        user.province = province
    elif role == Role.SCHOOL:
        if school is None:
            raise DomainError("请选择学校。", field="school")
        user.school = school
    elif role == Role.DEPARTMENT:
        if department is None:
            raise DomainError("请选择院系。", field="department")
        if actor.role == Role.SCHOOL and department.school_id != actor.school_id:
            raise Forbidden("只能为本校的院系创建账号。")
        user.department = department
        user.school_id = department.school_id
    password = one_time_password()
    user.set_password(password)
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError("".join(messages), field=field if field in {"username", "display_name"} else None) from None
    save_new_user(
        user, taken=DomainError("该用户名已被使用，请换一个。", field="username"), actor=actor, action="create",
        action_label="创建账号", data={"role": role, "username": username, "unit": user.unit_name}, ip=ip,
    )
    log.info("user %s created account %s (%s)", actor.pk, user.pk, role)
    return user, password


def _managed_for_update(actor: User, user_id: int) -> User:
    user = staff_users_managed_by(actor).select_for_update().filter(pk=user_id).first()
    if user is None:
        raise NotFound("账号不存在，或您无权管理该账号。")
    return user


@transaction.atomic
def staff_user_reset_password(*, actor: User, user_id: int, ip: str | None = None) -> tuple[User, str]:
    """A new one-time password (shown once); the holder must change it again, and any lockout ends."""
    user = _managed_for_update(actor, user_id)
    password = one_time_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    from axes.utils import reset as axes_reset

    axes_reset(username=user.username)
    record(item_type="user", item_id=user.pk, actor=actor, action="reset_password", action_label="重置密码", ip=ip,
           school_id=user.school_id)
    return user, password


@transaction.atomic
def staff_user_set_active(*, actor: User, user_id: int, active: bool, ip: str | None = None) -> User:
    """Disable (active=False) or re-enable an account the actor manages; both are audited."""
    user = _managed_for_update(actor, user_id)
    if user.is_active == active:
        raise DomainError("该账号已经是启用状态。" if active else "该账号已经停用。", code="conflict")
    user.is_active = active
    user.save(update_fields=["is_active"])
    record(
        item_type="user", item_id=user.pk, actor=actor, action="enable" if active else "disable",
        action_label="启用账号" if active else "停用账号",
        from_state="disabled" if active else "active", to_state="active" if active else "disabled", ip=ip,
        school_id=user.school_id,
    )
    return user

