"""户档转递与核验信息 (namespace `handover:`, seed 6): 档案/户口信息核验列表 (the graduates' 核验授权), 档案/户口信息
转递列表 (the school's 转递编号), and the graduate's own 核验授权."""
from django.urls import path

from . import sheet_downloads

app_name = "handover"

urlpatterns: list = [
    # 去向登记信息表 PDF: the graduate's own (核验编号), a staff user's for one graduate (转递编号)
    path("mine/<str:kind>/pdf/", sheet_downloads.mine_pdf, name="mine_pdf"),
    path("transfers/<str:kind>/<int:graduate_id>/pdf/", sheet_downloads.transfer_pdf, name="transfer_pdf"),
]
