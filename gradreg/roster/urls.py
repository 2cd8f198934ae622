from django.urls import path

from . import views
from .lists import INVALID_LIST, ROSTER_LIST

app_name = "roster"

urlpatterns = [
    path("", views.home, name="home"),
    path("graduates/", ROSTER_LIST.view, name="list"),
    path("graduates/<int:pk>/", views.graduate_detail, name="detail"),
    path("invalid/", INVALID_LIST.view, name="invalid"),
    path("me/", views.graduate_self, name="self"),
]
