"""A graduate's item: the fields every reviewed item of a graduate shares, and the items' registry.

A module's item (a signing, a termination, a training-mode change, an archive application…) derives
from `GraduateItem` for its scope and list columns, and from `Reviewed` when 院系/学校 return or reject
it. It registers itself in its `apps.py` with `register_item(Model, open_states=…)`; the kit then
moves its open items with the graduate when EMS moves the graduate to another department.

The kit knows no app above it: the graduate, its school and department are named by string.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import migrations, models
from django.db.models import Q
from django.utils import timezone


class RejectCategory(models.TextChoices):
    """Why a reviewer says 不通过: the shared vocabulary of every review."""

    EMPLOYER_INFO = "employer_info", "单位信息有误"
    EMPLOYER_ABNORMAL = "employer_abnormal", "单位经营异常或为预警单位"
    GRADUATE_INFO = "graduate_info", "学生关键信息与就业管理系统不一致"
    TERMS = "terms", "协议条款不规范"
    MATERIAL = "material", "协议材料不清晰或不完整"
    NOT_GENUINE = "not_genuine", "签约信息不真实"
    OTHER = "other", "其他"


class SchoolRouted(models.Model):
    """A row of a table distributed by school: its saves update it by id *and* school.

    The school is what routes the statement to one shard (docs/scaling.md). A row moving to another
    school moves by a queryset update (`follow_graduate`), never by save.
    """

    class Meta:
        abstract = True

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        school_id = getattr(self, "school_id", None)
        if school_id is not None:
            base_qs = base_qs.filter(school_id=school_id)
        return super()._do_update(base_qs, using, pk_val, values, update_fields, forced_update)


class GraduateItem(SchoolRouted):
    """Scope (graduate, school, department, cohort), the list's name and 考生号 columns, a status, who and when.

    The scope is copied from the graduate when the item is created (`graduate_scope`), so review lists
    filter and sort without a join; `follow_graduate` keeps the open items with the graduate's department.
    Each concrete model redeclares `status` with its own choices, and declares its indexes
    (`list_indexes` gives the standard ones).
    """

    graduate = models.ForeignKey("ems.Graduate", on_delete=models.PROTECT, related_name="%(class)ss")
    # denormalised scope: review lists filter on these without a join
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    # no single-column index: the department lists filter on school and department, which their indexes lead with
    department = models.ForeignKey("organisations.Department", on_delete=models.PROTECT, related_name="+",
                                   db_index=False)
    graduation_year = models.PositiveSmallIntegerField("毕业年份")
    # denormalised for the list's name / 考生号 search and columns
    graduate_name = models.CharField("姓名", max_length=50)
    exam_no = models.CharField("考生号", max_length=20)
    status = models.CharField("状态", max_length=16)

    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def copy_names(self) -> None:
        """A creator that named only the graduate still gets the list columns (姓名, 考生号, 毕业年份) right."""
        if self._state.adding and self.graduate_id:
            for name, value in graduate_scope(self.graduate).items():
                if name in {"graduate_name", "exam_no", "graduation_year"} and not getattr(self, name):
                    setattr(self, name, value)

    def clean_fields(self, exclude: Any = None) -> None:
        self.copy_names()
        super().clean_fields(exclude)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.copy_names()
        super().save(*args, **kwargs)


class Reviewed(models.Model):
    """What a 院系/学校 review leaves on the item: the last return or rejection and its category."""

    last_reason = models.CharField("最近一次退回/不通过原因", max_length=1000, blank=True)
    reject_category = models.CharField("不通过原因类别", max_length=20, choices=RejectCategory.choices, blank=True)
    returned = models.BooleanField("曾被退回修改", default=False)

    class Meta:
        abstract = True


def graduate_scope(graduate) -> dict[str, Any]:
    """The fields a new item copies from its graduate."""
    return {
        "graduate": graduate, "school_id": graduate.school_id, "department_id": graduate.department_id,
        "graduation_year": graduate.graduation_year, "graduate_name": graduate.name, "exam_no": graduate.exam_no,
    }


def filter_items(qs, *, q: str = "", date_from: dt.date | None = None, date_to: dt.date | None = None,
                 graduation_year: int | None = None):
    """The filters every review list shares, on indexed columns: 姓名 (exact or prefix) or 考生号, the
    更新时间 range (local days, both ends included), 毕业年份."""
    if q:
        term = q.strip()
        qs = qs.filter(Q(graduate_name=term) | Q(exam_no=term) | Q(graduate_name__startswith=term))
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(updated_at__gte=dt.datetime.combine(date_from, dt.time.min, tzinfo=tz))
    if date_to:
        qs = qs.filter(updated_at__lt=dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    if graduation_year:
        qs = qs.filter(graduation_year=graduation_year)
    return qs


def list_indexes(prefix: str) -> list[models.Index]:
    """The review lists' indexes: scope, status, newest first, the id last — deep pages stay index scans.

    The school leads both, as every query of a school-sharded table names it; with the id last, a deep
    page's ids come from the index alone (common.pagination's deferred join).
    """
    return [
        models.Index(fields=["school", "department", "status", "-updated_at", "-id"], name=f"{prefix}_dept_list"),
        models.Index(fields=["school", "status", "-updated_at", "-id"], name=f"{prefix}_school_list"),
    ]


def school_department_statistics(*tables: str) -> migrations.RunPython:
    """A migration operation: PostgreSQL learns that a department lies in one school (a no-op elsewhere).

    Every department list filters on both school_id and department_id (the school routes it to its
    shard); without a statistics object on the pair the planner takes the two as independent and
    misjudges the row counts of `list_indexes`' scans. `tables` are the items' database tables.
    """
    def create(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in tables:
            schema_editor.execute(f"CREATE STATISTICS IF NOT EXISTS {table}_school_department (dependencies) "
                                  f"ON school_id, department_id FROM {table}")
            schema_editor.execute(f"ANALYZE {table}")

    def drop(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in tables:
            schema_editor.execute(f"DROP STATISTICS IF EXISTS {table}_school_department")

    return migrations.RunPython(create, drop, elidable=False)


# ---- the registry of graduate items ------------------------------------------------------------------


@dataclass(frozen=True)
class ItemKind:
    model: type[GraduateItem]
    # the states in which the item is still in flight: it follows its graduate to another department
    open_states: frozenset[str]


ITEMS: dict[str, ItemKind] = {}


def register_item(model: type[GraduateItem], *, open_states: Iterable[str]) -> ItemKind:
    """Declare a graduate item to the kit (from the module's `AppConfig.ready`)."""
    kind = ItemKind(model=model, open_states=frozenset(str(s) for s in open_states))
    ITEMS[model._meta.label_lower] = kind
    return kind


def follow_graduate(graduate, changed: set[str]) -> None:
    """EMS moved the graduate to another department: its reviewers take over the items in flight.

    Closed items stay where they were decided. Registered with EMS's update hooks by `ems.apps`.
    """
    if not changed & {"department", "school"}:
        return
    for kind in ITEMS.values():
        # the items are read at the graduate's old school or new one: whichever shard they are on
        moving = kind.model.objects.filter(graduate_id=graduate.pk, status__in=kind.open_states)
        if "school" in changed:
            _move_chains(kind.model, list(moving.values_list("pk", flat=True)), graduate.school_id)
        moving.update(school_id=graduate.school_id, department_id=graduate.department_id)


def _move_chains(model: type[GraduateItem], pks: list[int], school_id: int) -> None:
    """The moved items' audit chains go to the new school with them (under every workflow of the model)."""
    from .audit import move_school  # function-level: other apps' models import this module while models load
    from .engine import REGISTRY  # function-level: the engine imports the message centre, a floor apart

    if not pks:
        return
    for workflow in REGISTRY.values():
        if workflow.model is model:
            move_school(workflow.item_type, pks, school_id)
