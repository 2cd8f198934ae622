"""登记确认信息 (namespace `confirmation:`)."""
from django.urls import path

from . import confirmation_pages as pages

app_name = "confirmation"

urlpatterns = [
    path("", pages.home, name="home"),
    path("list/", pages.CONFIRMATION_LIST.view, name="list"),
    path("export/", pages.CONFIRMATION_LIST.export_view, name="export"),
    path("statistics/", pages.statistics, name="statistics"),
    path("mine/", pages.mine, name="mine"),
    path("<int:pk>/", pages.detail, name="detail"),
]
