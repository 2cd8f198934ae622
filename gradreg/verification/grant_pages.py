"""核验授权's pages: the graduate's own (phone first: 实人认证, 核验授权, the 核验编号 and both sheets) and the
staff's 档案/户口信息核验列表 with 查询 (the sheet without a code)."""
from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from gradreg.common.roles import Role
from gradreg.common.views import client_ip, run_service
from gradreg.workflow.lists import Column, Export, ListSpec, status_column

from . import grants as g
from . import windows
from .confirmation import LABELS as CONFIRM_LABELS
from .confirmation_pages import FilterForm as ConfirmationFilters
from .models import SheetKind

MENU, MENU_TITLE = "handover", "户档转递与核验信息"


class FilterForm(ConfirmationFilters):
    status = forms.ChoiceField(label="核验状态", required=False, choices=[("", "全部"), *g.GS.choices])


class SendForm(forms.Form):
    channel = forms.ChoiceField(label="验证码发送方式", widget=forms.RadioSelect, initial="sms",
                                choices=g.get_provider().channels or (("sms", "手机短信"),))


class AuthoriseForm(forms.Form):
    id_number = forms.CharField(label="身份证号", max_length=40, widget=forms.TextInput(attrs={
        "autocomplete": "off", "inputmode": "text", "autocapitalize": "characters", "maxlength": 18}))
    code = forms.CharField(label="验证码", max_length=20, widget=forms.TextInput(attrs={
        "autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": 6}))


def export_for(kind: str) -> Export:
    # no 核验编号 column, ever: the code is the graduate's alone
    return Export(
        title=g.LIST_TITLES[SheetKind(kind)], sheet=g.LIST_TITLES[SheetKind(kind)],
        columns=(("考生号", "exam_no"), ("姓名", "name"), ("院系", "department__name"),
                 ("毕业年份", "graduation_year"), ("登记确认状态", "confirm_status"), ("核验状态", "grant_status"),
                 ("授权时间", "verification_grant__granted_at"), ("有效期至", "verification_grant__expires_at")),
        labels={"confirm_status": CONFIRM_LABELS, "grant_status": g.LABELS},
    )


@dataclass(frozen=True)
class KindList(ListSpec):
    """A 核验列表 of one sheet: its pages are `handover:grants` / `handover:grants_export` with the kind."""

    kind: str = SheetKind.ARCHIVE

    def list_url(self) -> str:
        return reverse("handover:grants", args=[self.kind])

    def export_url(self) -> str:
        return reverse("handover:grants_export", args=[self.kind])


def _list(kind: str) -> KindList:
    return KindList(
        name=f"handover:grants_{kind}", kind=kind, title=g.LIST_TITLES[SheetKind(kind)],
        template="verification/grant_list.html", nav=f"grants_{kind}", menu=MENU, menu_title=MENU_TITLE,
        form=lambda params, user: FilterForm(params),
        search=lambda user, form, kind=kind: g.search(user, kind, form.filters()),
        rows=g.rows, decorate=g.decorate, export=export_for(kind),
        columns=(Column("考生号", "exam_no"), Column("姓名", "name"), Column("院系", "department_name"),
                 Column("毕业年份", "graduation_year"), Column("登记确认状态", "confirm_label"),
                 status_column("核验状态"), Column("授权时间", "granted_at"), Column("有效期至", "expires_at"),
                 Column("操作", cells=_preview_cells(kind))),
        empty="没有符合条件的毕业生。",
    )


def _preview_cells(kind: str):
    def cells(ctx):
        head, tail = reverse("handover:grant_preview", args=[kind, 987654321]).split("987654321")
        return lambda r: f'<a href="{head}{int(r["id"])}{tail}">查询</a>'
    return cells


GRANT_LISTS = {kind: _list(kind) for kind in SheetKind.values}


def _ctx(active: str, **extra) -> dict:
    return {"menu": MENU, "menu_title": MENU_TITLE, "active": active, **extra}


@login_required
def home(request):
    """The module's entry: the graduate's own 核验授权, or the staff's 档案信息核验列表."""
    if request.user.role == Role.GRADUATE:
        return redirect("handover:mine")
    g.ensure_staff(request.user)
    return redirect("handover:grants", SheetKind.ARCHIVE)


@login_required
def grant_list(request, kind: str):
    g.ensure_staff(request.user)
    return GRANT_LISTS[g.sheet_kind(kind)].respond(request)


@login_required
def grant_export(request, kind: str):
    g.ensure_staff(request.user)
    return GRANT_LISTS[g.sheet_kind(kind)].export_response(request)


@login_required
def grant_preview(request, kind: str, pk: int):
    """查询: the sheet as it stands, without the 核验编号 (it is the graduate's alone)."""
    graduate, sheet = g.preview(request.user, kind, pk)
    return render(request, "verification/grant_preview.html", _ctx(
        f"grants_{sheet.kind}", g=graduate, sheet=sheet, no_code_note=g.NO_CODE_NOTE,
        list_title=g.LIST_TITLES[SheetKind(sheet.kind)]))


@never_cache
@login_required
def mine(request):
    """核验状态, 实人认证 + 核验授权, and once 生效中 the 核验编号 with both sheets."""
    g.ensure_graduate(request.user)
    send_form, auth_form = SendForm(), AuthoriseForm()
    here = reverse("handover:mine")
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "send":
            send_form = SendForm(request.POST)
            done = run_service(request, lambda: g.start_identity_check(
                actor=request.user, channel=request.POST.get("channel", ""), ip=client_ip(request)),
                form=send_form, field="channel",
                success=lambda s: f"验证码已通过{s.channel_label}发送至 {s.sent_to}，请查收。", redirect_to=here + "#step-2")
        else:
            auth_form = AuthoriseForm(request.POST)
            if auth_form.is_valid():
                done = run_service(request, lambda: g.authorise(
                    request.user, id_number=auth_form.cleaned_data["id_number"], code=auth_form.cleaned_data["code"],
                    ip=client_ip(request)), form=auth_form, field="code",
                    success="核验授权成功，已生成核验编号。", redirect_to=here)
            else:
                done = None
        if done is not None and done.response:
            return done.response
    m = g.mine(request.user)
    return render(request, "verification/grant_mine.html", _ctx(
        "mine", m=m, send_form=send_form, auth_form=auth_form, sheets=m.sheets(), grant_days=windows.grant_days()))
