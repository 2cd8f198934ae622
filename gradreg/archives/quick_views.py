"""(to be filled)"""
from __future__ import annotations

from django.http import Http404
from django.urls import URLPattern, path

from gradreg.ems.transfer_modules import Module


def _unbuilt(request, kind):
    raise Http404


def patterns(m: Module) -> list[URLPattern]:
    if not m.quick_review:
        return []
    return [
        path("applications/quick/", _unbuilt, {"kind": m.kind}, name="quick_review"),
    ]
