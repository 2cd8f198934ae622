from django.urls import path

from gradreg.organisations.views import credit_warning

from . import graduate_views

app_name = "destinations"

# reviewers' pages (lists, exports, batch review, the review page, 修改去向, 获取最新学生信息, the proof)
REVIEW_PATTERNS: list = []
# the graduate's pages (my destinations, choose a type and register, edit and resubmit, 补登, credit warnings)
GRADUATE_PATTERNS: list = [
    path("my/", graduate_views.my_destinations, name="my"),
    path("new/", graduate_views.registration_new, name="new"),
    path("<int:pk>/edit/", graduate_views.registration_edit, name="edit"),
    path("paper/new/", graduate_views.paper_new, name="paper_new"),
    path("paper/<int:pk>/edit/", graduate_views.paper_edit, name="paper_edit"),
    path("credit-warning/", credit_warning, name="credit_warning"),
]

urlpatterns = REVIEW_PATTERNS + GRADUATE_PATTERNS
