"""Login, logout, module selection, password change."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .middleware import LOGIN_AT, SEEN_AT
from .modules import modules_for


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码错误。连续失败5次，账号将被锁定30分钟。",
        "inactive": "该账号已停用。",
    }


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        import time

        now = time.time()
        self.request.session[LOGIN_AT] = now
        self.request.session[SEEN_AT] = now
        return response


@require_POST
def logout_view(request):
    from django.contrib.auth import logout

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
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        if user.must_change_password:
            user.must_change_password = False
            user.save(update_fields=["must_change_password"])
        update_session_auth_hash(request, user)
        messages.success(request, "密码已修改。")
        return redirect("accounts:modules")
    return render(request, "accounts/password_change.html", {"form": form})
