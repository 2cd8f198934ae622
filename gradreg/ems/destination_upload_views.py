"""毕业去向上传 pages: the upload form, the template, the result report and its .xlsx download."""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from gradreg.common.errors import Forbidden
from gradreg.common.views import client_ip, run_service
from gradreg.common.xlsx import workbook_response
from gradreg.workflow.imports import UploadForm, error_page

from .destination_upload import build_template, destination_upload, errors_workbook, upload_get_for, uploads_of
from .selectors import ensure_ems_user


@login_required
def upload(request):
    ensure_ems_user(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, label="毕业去向文件（.xlsx）")
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            done = run_service(request, lambda: destination_upload(
                actor=request.user, uploaded_file=form.cleaned_data["file"], ip=client_ip(request)),
                form=form, field="file", reraise=(Forbidden,))
            if done.ok:
                up = done.value
                if up.status == up.Status.DONE:
                    messages.success(request, f"毕业去向已导入：新增 {up.created_count} 人，修改 {up.updated_count} 人，"
                                              f"无变化 {up.unchanged_count} 人。")
                else:
                    messages.error(request, "文件校验未通过，未写入任何数据。请按报告改正后重新上传。")
                return redirect("ems:destination_upload_report", pk=up.pk)
    return render(request, "ems/destination_upload.html", {
        "form": form, "max_mb": settings.ROSTER_UPLOAD_MAX_BYTES // (1024 * 1024), "recent": uploads_of(request.user),
    }, status=status)


@login_required
def template(request):
    ensure_ems_user(request.user)
    return workbook_response(build_template(), "毕业去向上传模板.xlsx")


@login_required
def report(request, pk: int):
    up = upload_get_for(request.user, pk)
    page = error_page(up.errors or [], request.GET.get("page"))
    return render(request, "ems/destination_upload_report.html", {"imp": up, "page": page, "query": ""})


@login_required
def report_download(request, pk: int):
    up = upload_get_for(request.user, pk)
    return workbook_response(errors_workbook(up), f"毕业去向校验问题-{up.pk}.xlsx")
