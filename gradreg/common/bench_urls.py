"""URLconf used only by `manage.py bench`: the site's own URLs plus the "framework floor" page.

The floor page has the roster list's layout (base template, module navigation, an empty filter bar,
the table header, the pager) and no data, and goes through the same middleware: the time it takes is
what any page costs before the roster list does its own work.
"""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

import config.urls as site

FILTER_LABELS = ("毕业年份", "专业", "学历层次", "培养方式", "姓名/考生号/学号")


@login_required
def floor(request):
    return render(request, "bench/floor.html", {"labels": FILTER_LABELS})


urlpatterns = [path("__bench/floor/", floor, name="bench_floor"), *site.urlpatterns]

handler404 = getattr(site, "handler404", "django.views.defaults.page_not_found")
handler500 = getattr(site, "handler500", "django.views.defaults.server_error")
handler403 = getattr(site, "handler403", "django.views.defaults.permission_denied")
