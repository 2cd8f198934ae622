"""Error pages, and the one way a page runs a service and shows its domain errors."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from .errors import DomainError, Invalid


def bad_request(request, exception=None):
    return render(request, "error.html", {"message": "请求无效，请检查后重试。"}, status=400)


def not_found(request, exception=None):
    return render(request, "error.html", {"message": "页面不存在，或您无权查看。"}, status=404)


def forbidden(request, exception=None):
    return render(request, "error.html", {"message": "您无权执行此操作。"}, status=403)


def server_error(request):
    return render(request, "error.html", {"message": "服务器内部错误，请稍后再试。"}, status=500)


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


# ---- running a service from a view --------------------------------------------------------------------

def add_domain_error(form: forms.Form, error: DomainError, field: str | None = None) -> None:
    """A refusal as form errors: each field of an Invalid on its field, anything else on its field; a message
    naming no field of the form goes on `field` (None: above the form)."""
    errors = error.errors if isinstance(error, Invalid) else {error.field: [error.message]}
    for name, msgs in errors.items():
        for m in msgs:
            form.add_error(name if name in form.fields else field, m)


@dataclass
class Outcome:
    ok: bool
    value: Any = None
    response: HttpResponse | None = None
    error: DomainError | None = None


def moved(obj: Any) -> str:
    """The message after an item moved: its new state, when it has one."""
    display = getattr(obj, "get_status_display", None)
    label = display() if callable(display) else ""
    return f"操作成功，当前状态：{label}。" if label else "操作成功。"


Message = str | Callable[[Any], str]


def run_service(request, fn: Callable[[], Any], *, form: forms.Form | None = None, field: str | None = None,
                success: Message = "", redirect_to: str | Callable[[Any], str] | None = None,
                reraise: tuple[type[DomainError], ...] = ()) -> Outcome:
    """Run `fn()` for a page; its domain errors are shown the same way on every page.

    - NotFound (and any 404 DomainError) is raised again: the item is missing or out of scope, the
      404 page says so and nothing else does.
    - With a `form`: an Invalid puts each message on its field, another DomainError on its field, and
      a message naming no field of the form goes on `field` (None: above the form); `response` is None
      so the view renders the form again.
    - Without one: the message is flashed, and `response` redirects to `redirect_to` (a URL).
    - `reraise` names further refusals that are the error page's to show (e.g. Forbidden: a refusal of
      the actor rather than of the input).
    On success `success` (text, or a function of the result) is flashed and `response` redirects to
    `redirect_to` (a URL, or a function of the result), if given. `error` keeps the refusal.
    """
    try:
        value = fn()
    except DomainError as e:
        if e.http_status == 404 or isinstance(e, reraise):
            raise
        if form is not None:
            add_domain_error(form, e, field)
            return Outcome(ok=False, error=e)
        messages.error(request, e.message)
        target = None if callable(redirect_to) else redirect_to
        return Outcome(ok=False, response=redirect(target) if target else None, error=e)
    text = success(value) if callable(success) else success
    if text:
        messages.success(request, text)
    target = redirect_to(value) if callable(redirect_to) else redirect_to
    return Outcome(ok=True, value=value, response=redirect(target) if target else None)
