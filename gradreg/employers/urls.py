from django.urls import path

from . import views

app_name = "organisations"

urlpatterns = [
    path("employers/register/", views.register, name="register"),
    path("employers/credit-code-check/", views.credit_code_check, name="credit_code_check"),
    path("employers/register/done/", views.register_done, name="register_done"),
    path("employer/", views.employer_self, name="employer_self"),
    path("employers/review/", views.review_list, name="review_list"),
    path("employers/<int:pk>/", views.review_detail, name="review_detail"),
    path("employers/<int:pk>/approve/", views.review_approve, name="review_approve"),
    path("employers/<int:pk>/reject/", views.review_reject, name="review_reject"),
    path("employers/<int:pk>/licence/", views.licence, name="licence"),
]
