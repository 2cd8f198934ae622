from django.urls import path

from . import views

app_name = "roster"

urlpatterns = [
    path("", views.home, name="home"),
    path("graduates/", views.graduate_list, name="list"),
    path("graduates/<int:pk>/", views.graduate_detail, name="detail"),
    path("invalid/", views.invalid_list, name="invalid"),
    path("me/", views.graduate_self, name="self"),
]
