"""档案转递信息在线核验 and 户口迁移信息在线核验 (seed 6.3): public, no login.

姓名 + 核验编号/转递编号, or the QR code's address, show the 去向登记信息表; anything else shows the one
"无法核验" answer (`lookup`). The 通知公告 beside the form is `templates/verification/_sheet_notice.html`.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

from django import forms
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from gradreg.common.views import client_ip

from . import lookup
from .models import LookupMethod, SheetKind
from .sheets import CHECK_TITLES, Sheet


class LookupForm(forms.Form):
    name = forms.CharField(label="毕业生姓名", max_length=50, strip=True)
    code = forms.CharField(label="核验编号/转递编号", max_length=40, strip=True,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                                         "placeholder": "如 K7QF-9XM2-C4TR-HW8N"}))


def _kind(kind: str) -> str:
    if kind not in SheetKind.values:
        raise Http404
    return kind


_FRAGMENTS: OrderedDict[tuple, str] = OrderedDict()
_FRAGMENTS_MAX = 2048
_fragments_lock = threading.Lock()


def sheet_html(sheet: Sheet) -> str:
    """The sheet's HTML (`verification/_sheet.html`), rendered once per process for what it shows and the code
    it carries: a scanned sheet is the same page for every agency that scans it."""
    key = (sheet.kind, sheet.code_type, sheet.code, sheet.qr_url, sheet.content_sha256())
    with _fragments_lock:
        html = _FRAGMENTS.get(key)
    if html is None:
        html = render_to_string("verification/_sheet.html", {"sheet": sheet})
        with _fragments_lock:
            _FRAGMENTS[key] = html
            while len(_FRAGMENTS) > _FRAGMENTS_MAX:
                _FRAGMENTS.popitem(last=False)
    return html


def _page(request, kind: str, *, form=None, sheet=None, refused=False, throttled=False, status=200):
    return render(request, "verification/sheet_check.html", {
        "kind": kind, "title": CHECK_TITLES[SheetKind(kind)], "form": form or LookupForm(), "sheet": sheet,
        "sheet_html": sheet_html(sheet) if sheet is not None else "",
        "refused": refused, "throttled": throttled, "unverifiable": lookup.UNVERIFIABLE,
        "unverifiable_detail": lookup.UNVERIFIABLE_DETAIL, "throttled_message": lookup.THROTTLED,
        "other_kind": SheetKind.HUKOU if kind == SheetKind.ARCHIVE else SheetKind.ARCHIVE,
        "other_title": CHECK_TITLES[SheetKind.HUKOU if kind == SheetKind.ARCHIVE else SheetKind.ARCHIVE],
    }, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def check(request, kind: str):
    """The form (GET) and its answer (POST): the sheet, or 无法核验."""
    kind = _kind(kind)
    if request.method != "POST":
        return _page(request, kind)
    form = LookupForm(request.POST)
    if not form.is_valid():
        return _page(request, kind, form=form, status=400)
    try:
        sheet = lookup.by_name_and_code(kind, name=form.cleaned_data["name"], code=form.cleaned_data["code"],
                                        ip=client_ip(request), method=LookupMethod.NAME_CODE)
    except lookup.Throttled:
        return _page(request, kind, form=form, throttled=True, status=429)
    return _page(request, kind, form=form, sheet=sheet, refused=sheet is None, status=200 if sheet else 404)


@never_cache
@require_http_methods(["GET", "HEAD"])
def sheet_qr(request, kind: str, token: str):
    """The address a sheet's QR code carries: the sheet as it stands, or 无法核验."""
    kind = _kind(kind)
    try:
        sheet = lookup.by_qr(kind, token, ip=client_ip(request), method=LookupMethod.QR)
    except lookup.Throttled:
        return _page(request, kind, throttled=True, status=429)
    return _page(request, kind, sheet=sheet, refused=sheet is None, status=200 if sheet else 404)
