"""Login throttling: per account from one address, and per address across accounts (django-axes).

Axes counts failures per group of `AXES_LOCKOUT_PARAMETERS` and compares every group with the one
`AXES_FAILURE_LIMIT`, so its options alone cannot say "5 for an account, more for an address":

- `AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]`: 5 failures lock an account *from the
  address they came from*. A stranger elsewhere who knows a username can no longer lock its owner out
  with five requests; the owner's own address keeps the lock it earned.
- `AXES_ADDRESS_FAILURE_LIMIT` (default 20) failures from one address within the cool-off, whatever
  the usernames, lock that address (`AccountAndAddressHandler.is_locked`). It counts axes' own
  failure log, which a successful login does not clear, so an attacker cannot reset it by signing in
  to an account of their own. It is well above 5 because a campus shares a few NAT addresses.
"""
from __future__ import annotations

from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address
from axes.models import AccessFailureLog
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

LOCKED_MESSAGE = "登录失败次数过多，已暂停登录30分钟。请稍后再试，或联系上级管理员。"


def address_failures(request) -> int:
    """Failed logins from the request's address within the cool-off, across all usernames."""
    ip = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
    since = timezone.now() - timedelta(hours=settings.AXES_COOLOFF_TIME)
    return AccessFailureLog.objects.filter(ip_address=ip, attempt_time__gte=since).count()


class AccountAndAddressHandler(AxesDatabaseHandler):
    """Axes' database handler, plus the lock of an address that failed too often across usernames."""

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        return address_failures(request) >= settings.AXES_ADDRESS_FAILURE_LIMIT


def lockout_response(request, original_response=None, credentials=None):
    """What a locked login gets: the API's `{code, detail, field}` under /api/, the lockout page elsewhere."""
    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.path.startswith("/api/"):
        body = {"code": "locked_out", "detail": LOCKED_MESSAGE, "field": None}
        return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, {"message": LOCKED_MESSAGE}, status=status)
