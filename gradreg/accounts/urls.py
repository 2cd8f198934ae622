from django.urls import path

from . import staff_views, views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("modules/", views.modules, name="modules"),
    path("password/", views.password_change, name="password_change"),
    path("accounts/", staff_views.staff_list, name="staff_list"),
    path("accounts/new/", staff_views.staff_create, name="staff_create"),
    path("accounts/<int:pk>/reset-password/", staff_views.staff_reset_password, name="staff_reset_password"),
    path("accounts/<int:pk>/disable/", staff_views.staff_disable, name="staff_disable"),
    path("accounts/<int:pk>/enable/", staff_views.staff_enable, name="staff_enable"),
]
