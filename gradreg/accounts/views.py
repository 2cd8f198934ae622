"""Login, logout, module selection, password change."""
from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .forms import LoginForm, OwnPasswordChangeForm
from .middleware import LOGIN_AT, SEEN_AT
from .modules import modules_for


def mark_session_start(request) -> None:
    """The clock the absolute and idle timeouts run from."""
    now = time.time()
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        mark_session_start(self.request)
        return response


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, "您已退出登录。")
    return redirect("accounts:login")


def home(request):
    if request.user.is_authenticated:
        return redirect("accounts:modules")
    return redirect("accounts:login")


@login_required
def modules(request):
    return render(request, "accounts/modules.html", {"modules": modules_for(request.user)})


@login_required
def password_change(request):
    form = OwnPasswordChangeForm(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        if user.must_change_password:
            user.must_change_password = False
            user.save(update_fields=["must_change_password"])
        update_session_auth_hash(request, user)
        messages.success(request, "密码已修改。")
        return redirect("accounts:modules")
    return render(request, "accounts/password_change.html", {"form": form})
