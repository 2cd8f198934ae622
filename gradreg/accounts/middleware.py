"""Session limits (idle 30 min, absolute 12 h) and the first-login password change."""
from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

LOGIN_AT = "_login_at"
SEEN_AT = "_seen_at"
# Write the last-seen time at most this often: a session write on every request costs a query.
SEEN_RESOLUTION = 60


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            started = request.session.get(LOGIN_AT)
            seen = request.session.get(SEEN_AT)
            if started is None:
                request.session[LOGIN_AT] = started = now
            if seen is None:
                request.session[SEEN_AT] = seen = now
            idle = now - seen > settings.SESSION_IDLE_TIMEOUT
            too_old = now - started > settings.SESSION_ABSOLUTE_TIMEOUT
            if idle or too_old:
                logout(request)
                if request.path.startswith("/api/"):
                    from django.http import JsonResponse

                    return JsonResponse({"code": "session_expired", "detail": "登录已超时，请重新登录。"}, status=401)
                messages.info(request, "登录已超时，请重新登录。")
                return redirect(f"{reverse('accounts:login')}?next={request.path}")
            if now - seen > SEEN_RESOLUTION:
                request.session[SEEN_AT] = now
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """Accounts created by the level above must choose their own password before anything else."""

    ALLOWED = ("/password/", "/logout/", "/static/", "/api/v1/auth/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.must_change_password
            and not request.path.startswith(self.ALLOWED)
        ):
            if request.path.startswith("/api/"):
                from django.http import JsonResponse

                return JsonResponse({"code": "password_change_required", "detail": "首次登录须先修改密码。"}, status=403)
            return redirect("accounts:password_change")
        return self.get_response(request)
