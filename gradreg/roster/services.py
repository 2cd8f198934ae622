"""Roster writes that belong to the platform side (the roster itself is written by EMS services)."""
from __future__ import annotations

from gradreg.accounts.models import Role, SensitiveView
from gradreg.ems.models import Graduate

from .selectors import ensure_roster_user, graduate_get_for

# Who sees full ID numbers and phones on a graduate's detail (each such view is logged).
SEES_FULL = frozenset({Role.DEPARTMENT, Role.SCHOOL})


def graduate_open(*, actor, pk: int, ip: str | None = None) -> tuple[Graduate, bool]:
    """Open a graduate's detail: (graduate, whether full personal numbers may be shown)."""
    ensure_roster_user(actor)
    graduate = graduate_get_for(actor, pk)
    full = actor.role in SEES_FULL
    if full:
        SensitiveView.objects.create(viewer=actor, graduate=graduate, school_id=graduate.school_id,
                                     fields="id_number,phone,email", ip=ip)
    return graduate, full
