"""学生名单管理 and 失效信息管理 pages, and the module home page."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import redirect, render

from gradreg.accounts.models import Role
from gradreg.codes.loader import code_map, region_name
from gradreg.common.errors import Forbidden
from gradreg.common.masking import mask_email, mask_id_number, mask_phone
from gradreg.common.pagination import paginate
from gradreg.common.registries import GRADUATE_HOME, STAFF_HOME, panels_for
from gradreg.common.views import client_ip
from gradreg.workflow.audit import timeline

from .forms import RosterFilterForm
from .gates import cohort_may_act, current_cohort, may_sign_online
from .selectors import as_list_rows, ensure_roster_user, graduate_get_for, graduates_visible_to, roster_search
from .services import graduate_open
from .tables import roster_rows


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


def _list_page(qs, params):
    """One page of a roster list, each row with its display values: masked numbers, code names."""
    page = paginate(qs, params.get("page"), params.get("page_size", 20), rows=as_list_rows)
    training_modes, levels = code_map("pyfs"), code_map("xl")
    for g in page.items:
        g["id_masked"] = mask_id_number(g["id_number"])
        g["phone_masked"] = mask_phone(g["phone"])
        g["training_mode_name"] = training_modes.get(g["training_mode"], g["training_mode"])
        g["level_name"] = levels.get(g["education_level"], g["education_level"])
    return page


@login_required
def graduate_list(request):
    params = request.GET.copy()
    if not params:
        params["graduation_year"] = str(current_cohort())  # the list opens on the current cohort
    form = RosterFilterForm(params, actor=request.user)
    qs = roster_search(request.user, form.filters(valid=True))
    page = _list_page(qs, params)
    template = "roster/_table.html" if request.headers.get("HX-Request") else "roster/list.html"
    return render(request, template, {"form": form, "page": page, "rows": roster_rows(page.items),
                                      "query": _query(params)})


def _query(params) -> str:
    """The current filters, for the pager's links (without the page number)."""
    q = params.copy()
    q.pop("page", None)
    return q.urlencode()


@login_required
def invalid_list(request):
    """失效信息管理: graduates deleted from the EMS roster, with when and why."""
    form = RosterFilterForm(request.GET or None, actor=request.user)
    qs = roster_search(request.user, form.filters(valid=False))
    page = _list_page(qs, request.GET)
    return render(request, "roster/invalid_list.html", {"form": form, "page": page, "query": _query(request.GET)})


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
