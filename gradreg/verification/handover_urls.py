"""户档转递与核验信息 (namespace `handover:`, seed 6): 档案/户口信息核验列表 (the graduates' 核验授权), 档案/户口信息
转递列表 (the school's 转递编号), and the graduate's own 核验授权."""
from django.urls import path

from . import transfer_pages
from .models import SheetKind

app_name = "handover"

urlpatterns: list = [
    # 档案/户口信息转递列表: the sheet in the path; each sheet's list and 查询 also by a name of its own (the menu)
    *(p for kind in SheetKind.values for p in (
        path(f"transfers/{kind}/", transfer_pages.transfers, {"kind": kind}, name=f"transfers_{kind}"),
        path(f"transfers/{kind}/<int:graduate_id>/", transfer_pages.detail, {"kind": kind},
             name=f"transfer_detail_{kind}"),
    )),
    path("transfers/<str:kind>/", transfer_pages.transfers, name="transfers"),
    path("transfers/<str:kind>/export/", transfer_pages.export, name="transfer_export"),
    path("transfers/<str:kind>/generate/", transfer_pages.generate, name="transfer_generate"),
    path("transfers/<str:kind>/<int:graduate_id>/", transfer_pages.detail, name="transfer_detail"),
]
