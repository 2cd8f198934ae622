"""毕业生名单上传 pages: the upload form, the template, the result report and its .xlsx download."""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from gradreg.common.errors import Forbidden
from gradreg.common.views import client_ip, run_service
from gradreg.common.xlsx import workbook_response
from gradreg.workflow.imports import UploadForm, error_page

from .importer import build_template, errors_workbook, roster_import
from .selectors import ensure_ems_user, roster_import_get_for


@login_required
def upload(request):
    ensure_ems_user(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, label="毕业生名单文件（.xlsx）")
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            done = run_service(request, lambda: roster_import(
                actor=request.user, uploaded_file=form.cleaned_data["file"], ip=client_ip(request)),
                form=form, field="file", reraise=(Forbidden,))
            if done.ok:
                imp = done.value
                if imp.status == imp.Status.DONE:
                    messages.success(request, f"名单已导入：新增 {imp.created_count} 人，恢复 {imp.restored_count} 人。")
                else:
                    messages.error(request, "名单校验未通过，未写入任何数据。请按报告改正后重新上传。")
                return redirect("ems:import_report", pk=imp.pk)
    return render(
        request,
        "ems/import_upload.html",
        {"form": form, "max_mb": settings.ROSTER_UPLOAD_MAX_BYTES // (1024 * 1024)},
        status=status,
    )


@login_required
def template(request):
    ensure_ems_user(request.user)
    return workbook_response(build_template(request.user.school), "毕业生名单模板.xlsx")


@login_required
def report(request, pk: int):
    ensure_ems_user(request.user)
    imp = roster_import_get_for(request.user, pk)
    page = error_page(imp.errors or [], request.GET.get("page"))
    return render(request, "ems/import_report.html", {"imp": imp, "page": page, "query": ""})


@login_required
def report_download(request, pk: int):
    ensure_ems_user(request.user)
    imp = roster_import_get_for(request.user, pk)
    return workbook_response(errors_workbook(imp), f"名单校验问题-{imp.pk}.xlsx")
