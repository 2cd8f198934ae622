"""Session login for API clients: GET csrf, POST login (CSRF-checked), POST logout, GET me."""
from __future__ import annotations

import time

from django.contrib.auth import authenticate, login, logout
from django.middleware.csrf import get_token
from ninja import Router, Schema, Status
from ninja.security import django_auth
from ninja.utils import check_csrf

from gradreg.accounts.middleware import LOGIN_AT, SEEN_AT
from gradreg.common.api import Problem
from gradreg.common.errors import DomainError, Forbidden


class LoginIn(Schema):
    username: str
    password: str


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    role_label: str
    province: str | None
    school: str | None
    department: str | None
    employer: str | None
    must_change_password: bool


router = Router(tags=["auth"])


@router.get("/auth/csrf", response={200: dict})
def csrf(request):
    """Sets the csrftoken cookie; send it back as the X-CSRFToken header on every write."""
    return {"csrftoken": get_token(request)}


@router.post("/auth/login", response={200: MeOut, 400: Problem, 401: Problem, 403: Problem})
def api_login(request, payload: LoginIn):
    # login CSRF: a session-based client must prove it read our cookie first
    if check_csrf(request) is not None:
        raise Forbidden("CSRF 校验失败：请先请求 /api/v1/auth/csrf 并在 X-CSRFToken 头中带回令牌。")
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            raise Forbidden("登录失败次数过多，该账号已被锁定30分钟。")
        raise DomainError("用户名或密码错误。", code="invalid_login")
    login(request, user)
    now = time.time()
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now
    return me_of(user)


@router.post("/auth/logout", auth=django_auth, response={204: None})
def api_logout(request):
    logout(request)
    return Status(204, None)


def me_of(user) -> MeOut:
    return MeOut(
        id=user.pk,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        role_label=user.get_role_display(),
        province=str(user.province or (user.school.province if user.school_id else "")) or None,
        school=str(user.school) if user.school_id else None,
        department=str(user.department) if user.department_id else None,
        employer=str(user.employer) if user.employer_id else None,
        must_change_password=user.must_change_password,
    )


@router.get("/me", auth=django_auth, response=MeOut)
def me(request):
    return me_of(request.user)
