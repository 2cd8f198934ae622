from django.urls import path

from . import sheet_views, views

app_name = "verification"

urlpatterns = [
    # the address printed under every e-agreement's QR code (gradreg.signing.documents.verify_url)
    path("agreement/<str:token>/", views.agreement, name="agreement"),
    path("agreement/", views.agreement_upload, name="agreement_upload"),
    # 档案转递信息在线核验 / 户口迁移信息在线核验 (seed 6.3), and the address on a sheet's QR code
    path("sheet/<str:kind>/", sheet_views.check, name="sheet_check"),
    path("sheet/<str:kind>/<str:token>/", sheet_views.sheet_qr, name="sheet_qr"),
]
