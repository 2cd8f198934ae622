"""Graduate self-activation pages; they join the `accounts` URL namespace (see config/urls.py)."""
from django.urls import path

from . import activation_views

urlpatterns = [
    path("activate/", activation_views.activate, name="activate"),
    path("activate/confirm/", activation_views.activate_confirm, name="activate_confirm"),
]
