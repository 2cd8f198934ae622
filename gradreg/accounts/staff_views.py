"""账号管理: the operator manages province and school users, a school user its department users."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from gradreg.common.errors import Forbidden, NotFound
from gradreg.common.pagination import page_query, paginate
from gradreg.common.views import client_ip, run_service

from .forms import StaffCreateForm
from .selectors import staff_user_search, staff_users_managed_by
from .services import (
    creatable_roles,
    staff_user_create,
    staff_user_reset_password,
    staff_user_set_active,
)


def _manager_only(user) -> None:
    if not creatable_roles(user):
        raise Forbidden("只有系统管理员和学校用户可以管理账号。")


@login_required
def staff_list(request):
    _manager_only(request.user)
    q = request.GET.get("q", "").replace("\x00", "")[:50]  # PostgreSQL refuses NUL bytes in text
    page = paginate(staff_user_search(request.user, q), request.GET.get("page"), request.GET.get("page_size", 20))
    return render(request, "accounts/staff_list.html", {"page": page, "q": q, "query": page_query(request.GET)})


@login_required
@require_http_methods(["GET", "POST"])
def staff_create(request):
    _manager_only(request.user)
    form = StaffCreateForm(request.POST if request.method == "POST" else None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        # a Forbidden is a refusal of the actor, not of the input: the 403 page, not a form error
        done = run_service(request, lambda: staff_user_create(
            actor=request.user, username=d["username"], display_name=d["display_name"], role=d["role"],
            province=d.get("province"), school=d.get("school"), department=d.get("department"),
            ip=client_ip(request)), form=form, reraise=(Forbidden,))
        if done.ok:
            user, password = done.value
            # Rendered, not redirected: the password exists only in this one response.
            return render(request, "accounts/staff_password.html", {"account": user, "password": password, "created": True})
    return render(request, "accounts/staff_create.html", {"form": form})


def _managed(request, pk: int):
    account = staff_users_managed_by(request.user).select_related("province", "school", "department").filter(pk=pk).first()
    if account is None:
        raise NotFound("账号不存在，或您无权管理该账号。")
    return account


@login_required
@require_http_methods(["GET", "POST"])
def staff_reset_password(request, pk: int):
    _manager_only(request.user)
    account = _managed(request, pk)
    if request.method == "POST":
        account, password = staff_user_reset_password(actor=request.user, user_id=account.pk, ip=client_ip(request))
        return render(request, "accounts/staff_password.html", {"account": account, "password": password, "created": False})
    return render(request, "accounts/staff_confirm.html", {
        "account": account, "action": "reset", "title": "重置密码",
        "question": "重置后原密码立即失效，系统生成新的一次性密码，对方登录后须重新设置密码。",
    })


TOGGLE = {
    False: ("disable", "停用账号", "已停用", "停用后该账号不能再登录，已登录的会话立即失效；之后可以重新启用。"),
    True: ("enable", "启用账号", "已启用", "启用后该账号可以再次使用原密码登录。"),
}


def _toggle(request, pk: int, *, active: bool):
    _manager_only(request.user)
    account = _managed(request, pk)
    action, title, done, question = TOGGLE[active]
    if request.method == "POST":
        staff_user_set_active(actor=request.user, user_id=account.pk, active=active, ip=client_ip(request))
        messages.success(request, f"账号 {account.username} {done}。")
        return redirect("accounts:staff_list")
    return render(request, "accounts/staff_confirm.html", {
        "account": account, "action": action, "title": title, "question": question,
    })


@login_required
@require_http_methods(["GET", "POST"])
def staff_disable(request, pk: int):
    return _toggle(request, pk, active=False)


@login_required
@require_http_methods(["GET", "POST"])
def staff_enable(request, pk: int):
    return _toggle(request, pk, active=True)
