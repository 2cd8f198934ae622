"""Cross-cutting response rules: no caching of personal data, domain errors as friendly pages."""
from __future__ import annotations

import json

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import JsonResponse
from django.http.request import RawPostDataException
from django.shortcuts import render

from .api import status_problem
from .errors import DomainError


class NoStoreMiddleware:
    """Pages shown to a signed-in user carry personal data: never let a browser or proxy keep them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/static/"):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response


# Per-response overrides of django-csp's decorators; a response carrying one gets the full treatment.
CSP_RESPONSE_ATTRS = (
    "_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro",
    "_csp_exempt", "_csp_exempt_ro",
)


class FixedCSPMiddleware(CSPMiddleware):
    """django-csp rebuilds the same header from settings on every response; ours is fixed, so it is built
    once per policy. Nonces, per-view decorators, excluded prefixes and DEBUG error pages go the usual way."""

    _built: tuple[dict | None, dict | None, str, str] | None = None

    def process_response(self, request, response):
        # the settings objects themselves (None when unset) are what identifies the built header
        raw = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        raw_ro = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
        if (
            getattr(request, "_csp_nonce", None) is not None
            or settings.DEBUG
            or (raw or {}).get("EXCLUDE_URL_PREFIXES")
            or (raw_ro or {}).get("EXCLUDE_URL_PREFIXES")
            or any(hasattr(response, attr) for attr in CSP_RESPONSE_ATTRS)
        ):
            return super().process_response(request, response)
        built = self._built
        # a changed setting (override_settings) is a new object; holding the old one keeps its identity unique
        if built is None or built[0] is not raw or built[1] is not raw_ro:
            built = self._built = (raw, raw_ro, build_policy(), build_policy(report_only=True))
        if built[2] and HEADER not in response:
            response[HEADER] = built[2]
        if built[3] and HEADER_REPORT_ONLY not in response:
            response[HEADER_REPORT_ONLY] = built[3]
        # as django-csp does: a nonce asked for after the header went out is an error, not a silent gap
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


class DomainErrorMiddleware:
    """The one place an HTML request's DomainError becomes a page: the rule's message, right status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DomainError) and not request.path.startswith("/api/"):
            return render(
                request,
                "error.html",
                {"message": exception.message, "code": exception.code},
                status=exception.http_status,
            )
        return None


class RequestSizeLimitMiddleware:
    """Refuse an oversized body before Django reads it (file uploads are not covered by DATA_UPLOAD_MAX_*)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.limit = settings.MAX_REQUEST_BYTES

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > self.limit:
            mb = self.limit // (1024 * 1024)
            message = f"上传内容过大（超过 {mb} MB），请拆分后再上传。"
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "too_large", "detail": message, "field": None}, status=413,
                                    json_dumps_params={"ensure_ascii": False})
            return render(request, "error.html", {"message": message}, status=413)
        return self.get_response(request)


# A query-string or form value longer than this is nobody's typing: no filter, name or reason needs it
# (the longest free texts, reasons and addresses, stay far below; files are not fields).
MAX_FIELD_CHARS = 10_000
# Login names are at most 150 characters (Django's own limit); the lockout log stores at most 255.
MAX_USERNAME_CHARS = 150
NUL = "\x00"


def _bad_value(name: str, value: str) -> str | None:
    """Why one submitted value is refused before any view sees it, or None."""
    if NUL in name or NUL in value:
        return "输入内容含有不可见的控制字符（NUL），请删除后重试。"
    if len(value) > MAX_FIELD_CHARS or len(name) > 200:
        return f"输入内容过长（超过 {MAX_FIELD_CHARS} 个字），请精简后重试。"
    if name == "username" and len(value) > MAX_USERNAME_CHARS:
        return f"用户名不能超过 {MAX_USERNAME_CHARS} 个字符。"
    return None


def _json_strings(value, key: str = ""):
    """Every (field, text) pair in a decoded JSON body, keys included, at any depth."""
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield "", str(k)
            yield from _json_strings(v, str(k))
    elif isinstance(value, list):
        for v in value:
            yield from _json_strings(v, key)


class InputSanityMiddleware:
    """Refuse NUL bytes and absurdly long values in the query string and in form or JSON bodies.

    PostgreSQL refuses a NUL in any text and axes' log a username over 255 characters, each with a 500
    wherever a view passed the value on. Refusing them here covers every filter, form and API operation
    at once: a Chinese 400 page, or under /api/ a 400 in the API's `{code, detail, field}` format.
    Uploaded files are not looked at (their content is binary by nature).
    """

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            problem = self._problem(request)
        except RequestDataTooBig:
            problem = ("", "too_large", 413, "请求内容过大，请精简后重试。")
        except TooManyFieldsSent:
            problem = ("", "too_many_fields", 400, "提交的字段过多。")
        if problem is None:
            return self.get_response(request)
        field, code, status, message = problem
        if request.path.startswith("/api/"):
            body = {"code": code, "detail": message, "field": field or None}
            return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
        return render(request, "error.html", {"message": message, "code": code}, status=status)

    def _problem(self, request) -> tuple[str, str, int, str] | None:
        """(field, code, status, message) of the first value refused, or None."""
        pairs = list(request.GET.lists())
        content_type = request.content_type or ""
        if request.method == "POST" and content_type.startswith(self.FORM_TYPES):
            try:
                pairs += list(request.POST.lists())
            except RawPostDataException:  # pragma: no cover - nothing read the body before us
                pass
        for name, values in pairs:
            for value in values:
                message = _bad_value(name, value)
                if message:
                    return name, "invalid_input", 400, message
        if request.method in ("POST", "PUT", "PATCH") and content_type == "application/json":
            try:
                data = json.loads(request.body or b"null")
            except (ValueError, UnicodeDecodeError):
                return None  # the operation answers a malformed body itself
            for name, value in _json_strings(data):
                message = _bad_value(name, value)
                if message:
                    return name, "invalid_input", 400, message
        return None


class ApiErrorFormatMiddleware:
    """Under /api/, an error that did not come out as JSON (Django's 404 for an unknown address, 405 for a
    wrong method, a 500 page) leaves as the API's `{code, detail, field}` in Chinese instead."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            status = response.status_code
            replaced = JsonResponse(status_problem(status), status=status, json_dumps_params={"ensure_ascii": False})
            if "Allow" in response:
                replaced["Allow"] = response["Allow"]
            return replaced
        return response
