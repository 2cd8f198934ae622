"""快速审核's page (档案 only): GET announces how many applications would pass, POST passes them."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import URLPattern, path, reverse

from gradreg.common.errors import Forbidden
from gradreg.common.roles import Role
from gradreg.common.views import client_ip, run_service
from gradreg.ems.transfer_modules import Module, module

from .quick import quick_review, quick_review_count


def patterns(m: Module) -> list[URLPattern]:
    """The module's 快速审核 URL; none for a module without it (户口)."""
    if not m.quick_review:
        return []
    return [path("applications/quick/", quick_review_page, {"kind": m.kind}, name="quick_review")]


@login_required
def quick_review_page(request, kind: str):
    m = module(kind)
    here = reverse(f"{m.url}:quick_review")
    if request.method == "POST":
        return run_service(request, lambda: quick_review(actor=request.user, module=m, ip=client_ip(request)),
                           success=lambda n: f"快速审核完成：审核通过 {n} 条。", redirect_to=here,
                           reraise=(Forbidden,)).response
    return render(request, "archives/quick_review.html", {
        "module": m, "menu": m.kind, "menu_title": m.title, "active": "applications",
        "count": quick_review_count(request.user, m), "final": request.user.role == Role.SCHOOL,
    })
