"""批量导入 pages of both modules: the upload form, the template, the region code table, the result report
and its .xlsx download. Every view takes the module's `kind` from its URL pattern."""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse

from gradreg.common.errors import Forbidden
from gradreg.common.roles import Role
from gradreg.common.views import client_ip, run_service
from gradreg.common.xlsx import workbook_response
from gradreg.ems.transfer_modules import Module, module
from gradreg.workflow.imports import UploadForm, error_page

from .importer import (
    build_template,
    ensure_importer,
    errors_workbook,
    import_get_for,
    imports_of,
    region_table_response,
    transfer_import,
)


@login_required
def upload(request, kind: str):
    m = module(kind)
    ensure_importer(request.user, m)
    form = UploadForm(request.POST or None, request.FILES or None, label="导入文件（.xlsx）")
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            done = run_service(request, lambda: transfer_import(
                actor=request.user, module=m, uploaded_file=form.cleaned_data["file"], ip=client_ip(request)),
                form=form, field="file", reraise=(Forbidden,))
            if done.ok:
                imp = done.value
                if imp.status == imp.Status.DONE:
                    messages.success(request, f"导入完成：首次登记 {imp.created_count} 人，修改 {imp.updated_count} 人，"
                                              f"信息无变化 {imp.unchanged_count} 人。")
                else:
                    messages.error(request, "文件校验未通过，未写入任何数据。请按报告改正后重新上传。")
                return redirect(f"{m.url}:import_report", pk=imp.pk)
    return render(request, "archives/import_upload.html", {
        "m": m, "menu": m.kind, "menu_title": m.title, "active": "info", "form": form,
        "max_mb": settings.ROSTER_UPLOAD_MAX_BYTES // (1024 * 1024),
        "recent": imports_of(request.user, m),
    }, status=status)


@login_required
def template(request, kind: str):
    m = module(kind)
    ensure_importer(request.user, m)
    return workbook_response(build_template(m), f"{m.info}批量导入模板.xlsx")


@login_required
def regions(request, kind: str):
    """地区代码表: for whoever fills in a 所在地 (院系、学校 for the import, the graduate for the form)."""
    m = module(kind)
    if request.user.role not in (Role.DEPARTMENT, Role.SCHOOL, Role.GRADUATE):
        raise Forbidden(f"只有院系、学校用户和毕业生可以下载{m.title}的地区代码表。")
    return region_table_response()


@login_required
def report(request, kind: str, pk: int):
    m = module(kind)
    imp = import_get_for(request.user, m, pk)
    page = error_page(imp.errors or [], request.GET.get("page"))
    return render(request, "archives/import_report.html", {
        "m": m, "menu": m.kind, "menu_title": m.title, "active": "info", "imp": imp, "page": page, "query": "",
        "download": reverse(f"{m.url}:import_errors", args=[imp.pk]),
    })


@login_required
def report_download(request, kind: str, pk: int):
    m = module(kind)
    imp = import_get_for(request.user, m, pk)
    return workbook_response(errors_workbook(imp), f"{m.info}导入问题-{imp.pk}.xlsx")


def patterns(m: Module) -> list[URLPattern]:
    kw = {"kind": m.kind}
    return [
        path("import/", upload, kw, name="import"),
        path("import/template/", template, kw, name="import_template"),
        path("import/regions/", regions, kw, name="region_table"),
        path("import/<int:pk>/", report, kw, name="import_report"),
        path("import/<int:pk>/errors/", report_download, kw, name="import_errors"),
    ]
