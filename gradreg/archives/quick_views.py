"""(to be filled)"""
from __future__ import annotations

from django.urls import URLPattern

from gradreg.ems.transfer_modules import Module


def patterns(m: Module) -> list[URLPattern]:
    return []
