"""Account reads: which accounts an actor may manage."""
from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Role, User


def staff_users_managed_by(actor: User) -> QuerySet[User]:
    """The operator manages province and school users; a school user its own school's department users."""
    qs = User.objects.all()
    if not actor.is_authenticated or not actor.is_active:
        return qs.none()
    if actor.role == Role.OPERATOR:
        return qs.filter(role__in=[Role.PROVINCE, Role.SCHOOL])
    if actor.role == Role.SCHOOL and actor.school_id:
        return qs.filter(role=Role.DEPARTMENT, school_id=actor.school_id)
    return qs.none()


def staff_user_search(actor: User, q: str = "") -> QuerySet[User]:
    qs = staff_users_managed_by(actor).select_related("province", "school", "department", "created_by")
    q = q.strip()
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
    return qs.order_by("role", "school_id", "department_id", "username")
