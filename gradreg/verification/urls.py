from django.urls import path

from . import views

app_name = "verification"

urlpatterns = [
    # the address printed under every e-agreement's QR code (gradreg.signing.documents.verify_url)
    path("agreement/<str:token>/", views.agreement, name="agreement"),
    path("agreement/", views.agreement_upload, name="agreement_upload"),
]
