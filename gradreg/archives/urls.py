"""档案信息管理 under /archives/ and 户口信息管理 under /hukou/: one set of pages, two namespaces.

Every view takes the module's `kind` from its URL pattern, so a page of one module never serves the
other's items (an id of the other module answers as missing).
"""
from __future__ import annotations

from django.urls import URLPattern, include, path

from gradreg.ems.transfer_modules import ARCHIVE, HUKOU, Module

from . import graduate_views, import_views, quick_views, views
from .lists import lists_of


def module_patterns(m: Module) -> list[URLPattern]:
    kw = {"kind": m.kind}
    lists = lists_of(m)
    return [
        path("", views.home, kw, name="home"),
        path("guide/", views.guide, kw, name="guide"),
        path("roster/", lists.roster.view, name="roster_list"),
        path("info/", lists.info.view, name="info_list"),
        path("info/export/", lists.info.export_view, name="info_export"),
        path("info/<int:pk>/", views.info_detail, kw, name="info"),
        path("info/<int:pk>/edit/", views.info_edit, kw, name="info_edit"),
        path("applications/", lists.applications.view, name="application_list"),
        path("applications/batch/", lists.applications.batch_view, name="application_batch"),
        path("applications/export/", lists.applications.export_view, name="application_export"),
        path("applications/<int:pk>/", views.application_detail, kw, name="application"),
        path("applications/<int:pk>/act/", views.application_act, kw, name="application_act"),
        path("applications/<int:pk>/edit/", views.application_edit, kw, name="application_edit"),
        path("invalid/", lists.invalid.view, name="invalid_list"),
        path("statistics/", views.statistics, kw, name="statistics"),
        path("me/", graduate_views.mine, kw, name="mine"),
        path("me/apply/", graduate_views.apply, kw, name="apply"),
        path("me/applications/<int:pk>/", graduate_views.my_application, kw, name="my_application"),
        path("me/applications/<int:pk>/edit/", graduate_views.my_application_edit, kw, name="my_application_edit"),
        path("me/applications/<int:pk>/cancel/", graduate_views.my_application_cancel, kw,
             name="my_application_cancel"),
        *import_views.patterns(m),
        *quick_views.patterns(m),
    ]


urlpatterns = [
    path("archives/", include((module_patterns(ARCHIVE), "archives"))),
    path("hukou/", include((module_patterns(HUKOU), "hukou"))),
]
