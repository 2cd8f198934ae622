from django.urls import path

from . import destination_upload_views, import_views, inbound_views, outbox_views, transfer_views, views
from .lists import TRAINING_MODE_LIST

app_name = "ems"

urlpatterns = [
    path("", views.home, name="home"),
    path("graduates/<int:pk>/", views.graduate_detail, name="graduate"),
    path("graduates/<int:pk>/edit/", views.graduate_edit, name="graduate_edit"),
    path("graduates/<int:pk>/delete/", views.graduate_delete, name="graduate_delete"),
    path("graduates/<int:pk>/restore/", views.graduate_restore, name="restore"),
    path("import/", import_views.upload, name="import_upload"),
    path("import/template.xlsx", import_views.template, name="import_template"),
    path("import/<int:pk>/", import_views.report, name="import_report"),
    path("import/<int:pk>/errors.xlsx", import_views.report_download, name="import_report_download"),
    path("destinations/upload/", destination_upload_views.upload, name="destination_upload"),
    path("destinations/upload/template.xlsx", destination_upload_views.template, name="destination_upload_template"),
    path("destinations/upload/<int:pk>/", destination_upload_views.report, name="destination_upload_report"),
    path("destinations/upload/<int:pk>/errors.xlsx", destination_upload_views.report_download,
         name="destination_upload_errors"),
    path("outbox/", outbox_views.outbox_status, name="outbox"),
    path("inbound/events", inbound_views.inbound_event, name="inbound_events"),
    path("outbox/deliver-now/", outbox_views.outbox_deliver_now, name="outbox_deliver_now"),
    path("outbox/<int:pk>/retry/", outbox_views.outbox_retry, name="outbox_retry"),
    path("outbox/<int:pk>/discard/", outbox_views.outbox_discard, name="outbox_discard"),
    path("training-mode/", TRAINING_MODE_LIST.view, name="training_mode_list"),
    path("training-mode/<int:pk>/", views.training_mode_detail, name="training_mode_detail"),
    path("training-mode/new/<int:graduate_pk>/", views.training_mode_new, name="training_mode_new"),
    path("training-mode/<int:pk>/<str:action>/", views.training_mode_act, name="training_mode_act"),
    *transfer_views.patterns(),
]
