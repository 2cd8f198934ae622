"""Reads of the roster, always starting from the actor's scope."""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Q, QuerySet

from gradreg.accounts.models import Role
from gradreg.common.errors import Forbidden
from gradreg.ems.models import Graduate
from gradreg.ems.selectors import graduate_get_for, graduates_visible_to  # noqa: F401  re-exported for the roster pages

# The columns a roster list shows: rows come back as dicts (no model instances on a hot list).
LIST_FIELDS = (
    "id", "exam_no", "student_no", "name", "id_number", "education_level", "training_mode",
    "graduation_year", "phone", "is_valid", "invalidated_at", "invalid_reason",
)


ROSTER_ROLES = frozenset({Role.DEPARTMENT, Role.SCHOOL, Role.PROVINCE, Role.OPERATOR})


def ensure_roster_user(actor) -> None:
    """学生名单管理 is for staff; graduates see only their own record, employers none."""
    if actor.role not in ROSTER_ROLES:
        raise Forbidden("只有院系、学校用户可以使用学生名单管理。")


@dataclass
class RosterFilters:
    graduation_year: int | None = None
    major: int | None = None
    education_level: str = ""
    training_mode: str = ""
    department: int | None = None
    q: str = ""
    valid: bool | None = True


# filter -> the indexed column it must equal (when given)
EXACT_FILTERS = {"graduation_year": "graduation_year", "major": "major_id", "department": "department_id",
                 "education_level": "education_level", "training_mode": "training_mode"}


def roster_search(actor, f: RosterFilters) -> QuerySet[Graduate]:
    """The 学生名单管理 list: filters on indexed columns, ordered to match the list indexes."""
    ensure_roster_user(actor)
    qs = graduates_visible_to(actor)
    if f.valid is not None:
        qs = qs.filter(is_valid=f.valid)
    chosen = {column: getattr(f, name) for name, column in EXACT_FILTERS.items() if getattr(f, name)}
    if chosen:
        qs = qs.filter(**chosen)
    if f.q:
        term = f.q.strip()
        qs = qs.filter(Q(name=term) | Q(exam_no=term) | Q(student_no=term) | Q(name__startswith=term))
    order = ["-invalidated_at", "-id"] if f.valid is False else ["-graduation_year", "exam_no"]
    return qs.order_by(*order)


def as_list_rows(qs: QuerySet[Graduate]) -> QuerySet:
    """The list's row shape, applied after counting (its joins would slow the COUNT down)."""
    return qs.values(*LIST_FIELDS, department_name=F("department__name"), major_name=F("major__name"))
