"""The public e-agreement check: opened by scanning the QR code, or by uploading the PDF. No login."""
from __future__ import annotations

from django import forms
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from gradreg.common.errors import DomainError
from gradreg.common.views import add_domain_error, client_ip

from . import services
from .models import Outcome


class UploadForm(forms.Form):
    file = forms.FileField(label="协议书或信息表 PDF 文件", required=False,
                           widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}))


def _page(request, *, answer=None, form=None, status=200, throttled=False):
    return render(request, "verification/agreement.html", {
        "answer": answer, "form": form or UploadForm(), "throttled": throttled,
        "throttled_message": services.THROTTLED,
    }, status=status)


@never_cache
@require_http_methods(["GET", "HEAD"])
def agreement(request, token: str):
    """The agreement the QR code (or the printed 核验网址) names, as it stands now."""
    ip = client_ip(request)
    if not services.allow_lookup(ip):
        return _page(request, status=429, throttled=True)
    answer = services.check_token(token, ip=ip)
    return _page(request, answer=answer, status=404 if answer.outcome == Outcome.UNKNOWN else 200)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def agreement_upload(request):
    """上传协议书核验: whether the PDF is one the platform issued, and whether it is still current."""
    if request.method != "POST":
        return _page(request)
    ip = client_ip(request)
    if not services.allow_lookup(ip):
        return _page(request, status=429, throttled=True)
    form = UploadForm(request.POST, request.FILES)
    form.is_valid()
    try:
        answer = services.check_pdf(request.FILES.get("file"), ip=ip)
    except DomainError as exc:
        add_domain_error(form, exc, field="file")
        return _page(request, form=form, status=400)
    return _page(request, answer=answer)
