from django.urls import path

from gradreg.organisations.views import credit_warning
from gradreg.workflow.lists import ListSpec

from . import graduate_views, views
from .lists import PAPER_REVIEW, REGISTRATION_REVIEW
from .models import DestinationItem, PaperAgreement, Registration

app_name = "destinations"


def _reviewed(spec: ListSpec, model: type[DestinationItem], prefix: str = "") -> list:
    """One model's pages for reviewers, named after its list (list, detail… / paper_list, paper_detail…)."""
    def name(what: str) -> str:
        return spec.url_name(what).removeprefix(f"{app_name}:")

    item = {"model": model}
    return [
        path(prefix, spec.view, name=name("list")),
        path(f"{prefix}batch/", spec.batch_view, name=name("batch")),
        path(f"{prefix}export/", spec.export_view, name=name("export")),
        path(f"{prefix}export-returned/", spec.returned_export_view, name=name("export_returned")),
        path(f"{prefix}<int:pk>/", views.detail, item, name=name("detail")),
        path(f"{prefix}<int:pk>/act/", views.act, item, name=name("act")),
        path(f"{prefix}<int:pk>/refresh/", views.refresh, item, name=name("refresh")),
        path(f"{prefix}<int:pk>/review-edit/", views.review_edit, item, name=name("review_edit")),
        path(f"{prefix}<int:pk>/proof/", views.proof, item, name=name("proof")),
    ]


# reviewers' pages (lists, exports, batch review, the review page, 修改去向, 获取最新学生信息, the proof)
REVIEW_PATTERNS: list = _reviewed(REGISTRATION_REVIEW, Registration) + _reviewed(PAPER_REVIEW, PaperAgreement, "paper/")
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
