"""URLconf used only by `manage.py bench`: the site's own URLs plus the "framework floor" pages.

A floor page has a list's layout and goes through the same middleware, but reads nothing beyond the
session and the user: the time it takes is what the page costs before the list does its own work.
- floor: the roster list's layout (base template, module navigation, an empty filter bar, the table
  header, the pager) with no data.
- signing_floor: the signing review list's own spec and template, with the same filter form bound to the
  same query string and 20 rows of static data instead of a query.
- destination_floor: the same for 去向登记管理; its 20 rows are the list's own first page, read once (the first
  request) and then served from memory, so the floor renders exactly the table the list renders.
- archive_floor: the same for 档案信息管理's 申请记录.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

import config.urls as site
from gradreg.archives.lists import lists_of
from gradreg.common.pagination import Page
from gradreg.destinations.lists import REGISTRATION_REVIEW
from gradreg.ems.transfer_modules import ARCHIVE
from gradreg.signing.lists import SIGNING_REVIEW
from gradreg.workflow.lists import ListSpec

FILTER_LABELS = ("毕业年份", "专业", "学历层次", "培养方式", "姓名/考生号/学号")


@login_required
def floor(request):
    return render(request, "bench/floor.html", {"labels": FILTER_LABELS})


def _static_signing_rows() -> list[dict]:
    """20 rows shaped like `signing_rows` after `decorate_signing_rows` (what the table reads)."""
    stamp = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return [
        {"id": 1_000_000 + k, "exam_no": f"27449{k:09d}", "graduate_name": "张三丰" if k % 3 else "李四",
         "department_name": "计算机学院", "initiator_label": "单位", "employer_name": "广州云启科技有限公司",
         "position": "软件开发工程师", "status_label": "学生已同意签约,等待学院审核", "status_class": "wait",
         "updated_at": stamp - dt.timedelta(minutes=17 * k), "warning": None, "waits_for_me": True}
        for k in range(20)
    ]


def list_floor(spec: ListSpec, *, rows: list[dict] | None = None,
               extra: Mapping | None = None) -> Callable[[HttpRequest], HttpResponse]:
    """The floor of a declared list: its template and filter form bound to the request's query, 20 rows
    (`rows`, or the list's own first page for the user, read by the first request only) and the page's
    context (`extra`, or the spec's, likewise taken once), without a query of its own."""
    kept: dict[int, tuple[list[dict], Mapping]] = {}

    @login_required
    def view(request):
        user = request.user
        if user.pk not in kept:
            context = extra if extra is not None else dict(spec.context(request)) if spec.context else {}
            first = rows if rows is not None else spec.page(user, spec.queryset(user, {}), 1, 20).items
            kept[user.pk] = (first, context)
        items, context = kept[user.pk]
        page = Page(items=items, count=2_000, number=1, size=20)
        return spec.render(request, form=spec.bind(request.GET, user), page=page, params=request.GET, extra=context,
                           partial=False)

    return view


urlpatterns = [
    path("__bench/floor/", floor, name="bench_floor"),
    path("__bench/signing-floor/", list_floor(SIGNING_REVIEW, rows=_static_signing_rows(),
                                              extra={"review_label": "审核"}), name="bench_signing_floor"),
    path("__bench/destination-floor/", list_floor(REGISTRATION_REVIEW), name="bench_destination_floor"),
    path("__bench/archive-floor/", list_floor(lists_of(ARCHIVE).applications), name="bench_archive_floor"),
    *site.urlpatterns,
]

handler404 = getattr(site, "handler404", "django.views.defaults.page_not_found")
handler500 = getattr(site, "handler500", "django.views.defaults.server_error")
handler403 = getattr(site, "handler403", "django.views.defaults.permission_denied")
