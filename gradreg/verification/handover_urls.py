"""户档转递与核验信息 (namespace `handover:`, seed 6): 档案/户口信息核验列表 (the graduates' 核验授权), 档案/户口信息
转递列表 (the school's 转递编号), and the graduate's own 核验授权."""
from django.urls import path

from . import grant_pages, sheet_downloads, transfer_pages
from .models import SheetKind

app_name = "handover"

urlpatterns = [
    path("", grant_pages.home, name="home"),
    # 核验授权 (the graduate) and 档案/户口信息核验列表 (staff)
    path("mine/", grant_pages.mine, name="mine"),
    # the menu's entries (a menu entry names a URL without arguments)
    path("grants/archive/", grant_pages.grant_list, {"kind": "archive"}, name="grants_archive"),
    path("grants/hukou/", grant_pages.grant_list, {"kind": "hukou"}, name="grants_hukou"),
    path("grants/<str:kind>/", grant_pages.grant_list, name="grants"),
    path("grants/<str:kind>/export/", grant_pages.grant_export, name="grants_export"),
    path("grants/<str:kind>/<int:pk>/", grant_pages.grant_preview, name="grant_preview"),
    # 去向登记信息表 PDF: the graduate's own (核验编号), a staff user's for one graduate (转递编号)
    path("mine/<str:kind>/pdf/", sheet_downloads.mine_pdf, name="mine_pdf"),
    path("transfers/<str:kind>/<int:graduate_id>/pdf/", sheet_downloads.transfer_pdf, name="transfer_pdf"),
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
