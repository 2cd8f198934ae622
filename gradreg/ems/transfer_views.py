"""EMS's 档案/户口 info pages (seed 4.3.1): the list of a department's or school's graduates with the info EMS
holds, and the form that reports or changes it (sent back to the platform)."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import URLPattern, path, reverse

from gradreg.common.pagination import page_query, paginate
from gradreg.common.views import client_ip, run_service

from .transfer_forms import InfoForm
from .transfer_modules import INFO_COLUMNS, MODULES, Module, module
from .transfer_services import held_transfer, transfer_graduate, transfer_rows, transfer_search, transfer_update
from .transfer_validation import info_of, shown_rows


def url_name(m: Module, what: str) -> str:
    return f"ems:transfer_{m.kind}_{what}"


@login_required
def transfer_list(request, kind: str):
    """档案/户口信息: the graduates of the user's scope with the info EMS holds, paginated in the database."""
    m = module(kind)
    q = request.GET.get("q", "")
    page = paginate(transfer_search(request.user, m, q), request.GET.get("page"), rows=transfer_rows)
    for row in page.items:
        held = {name: row[f"held_{name}"] or "" for name in INFO_COLUMNS}
        row["cells"] = [value for _, value in shown_rows(m, held)] if row["held_source"] else None
    return render(request, "ems/transfer_list.html", {
        "m": m, "page": page, "query": page_query(request.GET), "q": q, "active": f"transfer_{m.kind}",
        "headers": [f.label for f in m.fields], "edit_url": url_name(m, "edit"),
    })


@login_required
def transfer_edit(request, kind: str, pk: int):
    """上报或修改 one graduate's info in EMS; saved, it goes to the platform at once."""
    m = module(kind)
    graduate = transfer_graduate(request.user, m, pk)
    held = held_transfer(graduate, m)
    if request.method == "POST":
        form = InfoForm(request.POST, module=m)
        done = run_service(request, lambda: transfer_update(
            actor=request.user, module=m, graduate_id=graduate.pk, data=form.data_for_service(), ip=client_ip(request)),
            form=form, success=f"{m.info}已保存，并已同步至登记系统。", redirect_to=reverse(url_name(m, "list")))
        if done.response:
            return done.response
    else:
        form = InfoForm(initial=info_of(held) if held is not None else {}, module=m)
    return render(request, "ems/transfer_edit.html", {
        "m": m, "g": graduate, "held": held, "form": form, "active": f"transfer_{m.kind}",
        "list_url": url_name(m, "list"),
    })


def patterns() -> list[URLPattern]:
    """transfers/archive/ and transfers/hukou/ under EMS: the module's kind comes from the pattern."""
    urls = []
    for m in MODULES.values():
        kw = {"kind": m.kind}
        urls += [
            path(f"transfers/{m.kind}/", transfer_list, kw, name=f"transfer_{m.kind}_list"),
            path(f"transfers/{m.kind}/<int:pk>/", transfer_edit, kw, name=f"transfer_{m.kind}_edit"),
        ]
    return urls
