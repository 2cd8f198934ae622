"""(to be filled)"""
from __future__ import annotations

from django.http import Http404
from django.urls import URLPattern, path

from gradreg.ems.transfer_modules import Module


def _unbuilt(request, kind):
    raise Http404


def patterns(m: Module) -> list[URLPattern]:
    return [
        path("import/template/", _unbuilt, {"kind": m.kind}, name="import_template"),
        path("import/regions/", _unbuilt, {"kind": m.kind}, name="region_table"),
        path("import/", _unbuilt, {"kind": m.kind}, name="import"),
    ]
