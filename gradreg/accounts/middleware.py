"""The signed-in user from the cache, session limits (idle 30 min, absolute 12 h), the first-login password change."""
from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.views import redirect_to_login
from django.contrib.messages.storage import default_storage
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.functional import SimpleLazyObject

from .usercache import cached_get_user

LOGIN_AT = "_login_at"
SEEN_AT = "_seen_at"
# Write the last-seen time at most this often: a session write on every request costs a query.
SEEN_RESOLUTION = 60


def seen_resolution() -> float:
    """How stale the recorded last-seen time may get: a minute, or a tenth of a shorter idle timeout.

    A fixed minute logged active users out under an idle timeout below a minute (the time they were last
    seen was older than the timeout); scaled, the idle clock is exact to within a tenth of itself.
    """
    return min(SEEN_RESOLUTION, settings.SESSION_IDLE_TIMEOUT / 10)


def _user_of(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = cached_get_user(request)
    return request._cached_user


class CachedAuthenticationMiddleware(AuthenticationMiddleware):
    """Django's AuthenticationMiddleware, with `request.user` read through the user cache."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _user_of(request))


def _number(value) -> float | None:
    return value if isinstance(value, (int, float)) else None


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            started = _number(request.session.get(LOGIN_AT))
            seen = _number(request.session.get(SEEN_AT))
            if started is None:
                request.session[LOGIN_AT] = started = now
            if seen is None:
                request.session[SEEN_AT] = seen = now
            idle = now - seen > settings.SESSION_IDLE_TIMEOUT
            too_old = now - started > settings.SESSION_ABSOLUTE_TIMEOUT
            if idle or too_old:
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"code": "session_expired", "detail": "登录已超时，请重新登录。", "field": None}, status=401,
                        json_dumps_params={"ensure_ascii": False},
                    )
                # MessageMiddleware runs after this one and is skipped by the early return, so the
                # notice goes through a storage of our own, written onto the redirect itself.
                storage = default_storage(request)
                storage.add(messages.INFO, "登录已超时，请重新登录。")
                response = redirect_to_login(request.get_full_path())
                storage.update(response)
                return response
            if now - seen > seen_resolution():
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
                return JsonResponse(
                    {"code": "password_change_required", "detail": "首次登录须先修改密码。", "field": None},
                    status=403, json_dumps_params={"ensure_ascii": False},
                )
            return redirect("accounts:password_change")
        return self.get_response(request)
