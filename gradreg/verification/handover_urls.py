"""户档转递与核验信息 (namespace `handover:`, seed 6): 档案/户口信息核验列表 (the graduates' 核验授权), 档案/户口信息
转递列表 (the school's 转递编号), and the graduate's own 核验授权."""
from django.urls import path

from . import grant_pages

app_name = "handover"

urlpatterns = [
    path("", grant_pages.home, name="home"),
    path("mine/", grant_pages.mine, name="mine"),
    path("grants/<str:kind>/", grant_pages.grant_list, name="grants"),
    path("grants/<str:kind>/export/", grant_pages.grant_export, name="grants_export"),
    path("grants/<str:kind>/<int:pk>/", grant_pages.grant_preview, name="grant_preview"),
    # the menu's entries (a menu entry names a URL without arguments)
    path("grants/archive/", grant_pages.grant_list, {"kind": "archive"}, name="grants_archive"),
    path("grants/hukou/", grant_pages.grant_list, {"kind": "hukou"}, name="grants_hukou"),
]
