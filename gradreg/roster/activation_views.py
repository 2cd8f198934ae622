"""Graduate self-activation: 考生号 + 身份证号 → one-time code to the roster's phone/e-mail → own password."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from gradreg.accounts.forms import add_domain_error
from gradreg.accounts.models import Role, User
from gradreg.accounts.views import mark_session_start
from gradreg.common.errors import DomainError
from gradreg.common.views import client_ip

from .activation import graduate_activation_confirm, graduate_activation_start
from .activation_forms import ActivationConfirmForm, ActivationStartForm

PENDING = "_activation"  # {"graduate": pk, "exam_no": ..., "to": masked address, "channel": label}


@require_http_methods(["GET", "POST"])
def activate(request):
    if request.user.is_authenticated:
        return redirect("accounts:modules")
    form = ActivationStartForm(request.POST if request.method == "POST" else None)
    already_active = False
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            started = graduate_activation_start(
                exam_no=d["exam_no"], id_number=d["id_number"], channel=d["channel"], ip=client_ip(request)
            )
        except DomainError as exc:
            add_domain_error(form, exc)
            already_active = exc.code == "already_active"
        else:
            request.session[PENDING] = {
                "graduate": started.graduate_id,
                "exam_no": started.exam_no,
                "to": started.sent_to,
                "channel": started.channel_label,
            }
            messages.success(request, f"验证码已通过{started.channel_label}发送至 {started.sent_to}，请查收。")
            return redirect("accounts:activate_confirm")
    return render(request, "accounts/activate.html", {"form": form, "already_active": already_active})


@require_http_methods(["GET", "POST"])
def activate_confirm(request):
    if request.user.is_authenticated:
        return redirect("accounts:modules")
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict) or not pending.get("graduate"):
        messages.info(request, "请先填写考生号和身份证号获取验证码。")
        return redirect("accounts:activate")
    preview = User(username=pending.get("exam_no", ""), role=Role.GRADUATE)
    form = ActivationConfirmForm(request.POST if request.method == "POST" else None, user=preview)
    if request.method == "POST" and form.is_valid():
        try:
            user = graduate_activation_confirm(
                graduate_id=pending["graduate"],
                code=form.cleaned_data["code"],
                password=form.cleaned_data["password1"],
                ip=client_ip(request),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session.pop(PENDING, None)
            mark_session_start(request)
            messages.success(request, "账号已激活。今后请使用考生号和您设置的密码登录。")
            return redirect("accounts:modules")
    return render(request, "accounts/activate_confirm.html", {"form": form, "pending": pending})
