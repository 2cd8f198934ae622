"""Cross-cutting response rules: no caching of personal data, domain errors as friendly pages."""
from __future__ import annotations

from django.shortcuts import render

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
        from django.conf import settings

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
                from django.http import JsonResponse

                return JsonResponse({"code": "too_large", "detail": message}, status=413)
            return render(request, "error.html", {"message": message}, status=413)
        return self.get_response(request)
