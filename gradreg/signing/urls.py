from django.urls import path

from gradreg.organisations.views import credit_warning

from . import views
from .lists import EMPLOYER_SIGNINGS, SIGNING_REVIEW, TERMINATION_REVIEW

app_name = "signing"

urlpatterns = [
    path("review/", SIGNING_REVIEW.view, name="review_list"),
    path("review/export/", SIGNING_REVIEW.export_view, name="review_export"),
    path("review/export-returned/", SIGNING_REVIEW.returned_export_view, name="review_export_returned"),
    path("review/batch/", SIGNING_REVIEW.batch_view, name="review_batch"),
    path("terminations/", TERMINATION_REVIEW.view, name="termination_list"),
    path("terminations/batch/", TERMINATION_REVIEW.batch_view, name="termination_batch"),
    path("terminations/export/", TERMINATION_REVIEW.export_view, name="termination_export"),
    path("terminations/export-returned/", TERMINATION_REVIEW.returned_export_view,
         name="termination_export_returned"),
    path("terminations/<int:pk>/", views.termination_detail, name="termination_detail"),
    path("terminations/<int:pk>/act/", views.termination_act, name="termination_act"),
    path("terminations/<int:pk>/material/", views.termination_material, name="termination_material"),
    path("guide/", views.guide, name="guide"),
    path("my/", views.my_signings, name="my"),
    path("apply/", views.offline_apply, name="apply"),
    path("apply/credit-warning/", credit_warning, name="credit_warning"),
    path("employer/", EMPLOYER_SIGNINGS.view, name="employer"),
    path("invite/", views.invite, name="invite"),
    path("<int:pk>/", views.signing_detail, name="detail"),
    path("<int:pk>/act/", views.signing_act, name="act"),
    path("<int:pk>/refresh/", views.signing_refresh, name="refresh"),
    path("<int:pk>/edit/", views.offline_edit, name="edit"),
    path("<int:pk>/upload/", views.stamped_upload, name="upload"),
    path("<int:pk>/agreement.pdf", views.signing_agreement, name="agreement"),
    path("<int:pk>/stamped/", views.signing_stamped, name="stamped"),
    path("<int:pk>/explanation/", views.signing_explanation, name="explanation"),
    path("<int:pk>/terminate/", views.termination_apply, name="terminate"),
]
