"""The one access-scope mechanism: every list, detail, export, statistic and action starts here.

`scope_q(actor, ...)` answers "which rows may this actor see" as a Q over the paths that lead from a
model to its school / department / province / graduate / employer. A department user sees only its
department, a school user its school, a province user its province, a graduate only itself, an
employer only its own rows; an operator everything.
"""
from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Role, User

NOTHING = Q(pk__in=[])


def scope_q(
    actor: User,
    *,
    school: str | None = "school",
    department: str | None = "department",
    province: str | None = "school__province",
    graduate: str | None = None,
    employer: str | None = None,
) -> Q:
    if not actor.is_authenticated or not actor.is_active:
        return NOTHING
    role = actor.role
    if role == Role.OPERATOR:
        return Q()
    if role == Role.DEPARTMENT and department and actor.department_id:
        return Q(**{f"{department}_id": actor.department_id}) & _at_school(actor, school)
    if role == Role.SCHOOL and school and actor.school_id:
        return Q(**{f"{school}_id": actor.school_id})
    if role == Role.PROVINCE and province and actor.province_id:
        return Q(**{f"{province}_id": actor.province_id})
    if role == Role.GRADUATE and graduate and actor.graduate_id:
        return Q(**{graduate if graduate == "pk" else f"{graduate}_id": actor.graduate_id}) & _at_school(actor, school)
    if role == Role.EMPLOYER and employer and actor.employer_id:
        return Q(**{f"{employer}_id": actor.employer_id})
    return NOTHING


def _at_school(actor: User, school: str | None) -> Q:
    """The actor's school as well, when the model has a school column and the actor one school.

    Redundant for access (the department or graduate decides), but it names the distribution column,
    so each statement is routed to one school's shard (docs/scaling.md).
    """
    if school and actor.school_id:
        return Q(**{f"{school}_id": actor.school_id})
    return Q()


def scope_filter(qs: QuerySet, actor: User, **paths: str | None) -> QuerySet:
    return qs.filter(scope_q(actor, **paths))


def is_staff_reviewer(actor: User) -> bool:
    return actor.is_authenticated and actor.role in {Role.DEPARTMENT, Role.SCHOOL, Role.PROVINCE, Role.OPERATOR}
