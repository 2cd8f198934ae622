"""户档转递与核验信息 (namespace `handover:`, seed 6): 档案/户口信息核验列表 (the graduates' 核验授权), 档案/户口信息
转递列表 (the school's 转递编号), and the graduate's own 核验授权."""
from django.urls import path  # noqa: F401 - the module's pages are listed below

app_name = "handover"

urlpatterns: list = []
