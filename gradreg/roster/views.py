"""学生名单管理 and 失效信息管理 pages, and the module home page."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import redirect, render

from gradreg.accounts.models import Role
from gradreg.codes.loader import code_map, region_name
from gradreg.common.errors import Forbidden
from gradreg.common.masking import mask_email, mask_id_number, mask_phone
from gradreg.common.registries import GRADUATE_HOME, STAFF_HOME, panels_for
from gradreg.common.views import client_ip
from gradreg.workflow.audit import timeline

from .gates import cohort_may_act, current_cohort, may_sign_online
from .selectors import ensure_roster_user, graduate_get_for, graduates_visible_to
from .services import graduate_open


@login_required
def home(request):
    """Module home: what waits for this user, live (each module adds its panel, see gradreg.common.registries)."""
    user = request.user
    if user.role == Role.GRADUATE:
        return graduate_self(request)
    if user.role == Role.EMPLOYER:
        return redirect("signing:employer")
    ensure_roster_user(user)
    cohort = current_cohort()
    counts = graduates_visible_to(user).aggregate(
        current=Count("id", filter=Q(graduation_year=cohort, is_valid=True)),
        invalid=Count("id", filter=Q(is_valid=False)),
    )
    return render(request, "roster/home.html", {"cohort": cohort, "counts": counts,
                                                "panels": panels_for(STAFF_HOME, user)})


def _detail_context(graduate, *, full: bool):
    codes = {t: code_map(t) for t in ("xb", "mz", "zzmm", "xl", "pyfs")}
    return {
        "g": graduate,
        "full": full,
        "id_number": graduate.id_number if full else mask_id_number(graduate.id_number),
        "phone": graduate.phone if full else mask_phone(graduate.phone),
        "email": graduate.email if full else mask_email(graduate.email),
        "gender": codes["xb"].get(graduate.gender, graduate.gender),
        "ethnicity": codes["mz"].get(graduate.ethnicity, graduate.ethnicity),
        "political": codes["zzmm"].get(graduate.political_status, graduate.political_status),
        "level": codes["xl"].get(graduate.education_level, graduate.education_level),
        "training_mode": codes["pyfs"].get(graduate.training_mode, graduate.training_mode),
        "origin": region_name(graduate.origin_region),
        "may_act": cohort_may_act(graduate.graduation_year) and graduate.is_valid,
        "may_sign_online": may_sign_online(graduate),
        "events": timeline("graduate", graduate.pk),
    }


@login_required
def graduate_detail(request, pk: int):
    graduate, full = graduate_open(actor=request.user, pk=pk, ip=client_ip(request))
    return render(request, "roster/detail.html", _detail_context(graduate, full=full))


@login_required
def graduate_self(request):
    """A graduate checks their own basic info (and whom to ask if it is wrong)."""
    if request.user.role != Role.GRADUATE:
        raise Forbidden("只有毕业生本人可以查看此页面。")
    graduate = graduate_get_for(request.user, request.user.graduate_id)
    ctx = _detail_context(graduate, full=True)
    ctx["panels"] = panels_for(GRADUATE_HOME, request.user)
    return render(request, "roster/self.html", ctx)
