"""学生名单管理 over the API: the same selectors and services as the pages."""
from __future__ import annotations

import datetime as dt

from ninja import Query, Router, Schema
from ninja.security import django_auth

from gradreg.codes.loader import code_map
from gradreg.common.api import Problem
from gradreg.common.masking import mask_email, mask_id_number, mask_phone
from gradreg.common.pagination import paginate
from gradreg.common.views import client_ip
from gradreg.roster.gates import cohort_may_act
from gradreg.roster.selectors import LIST_FIELDS, RosterFilters, as_list_rows, roster_search
from gradreg.roster.services import graduate_open


class GraduateItem(Schema):
    id: int
    exam_no: str
    student_no: str
    name: str
    id_number: str
    phone: str
    department: str
    major: str
    education_level: str
    training_mode: str
    graduation_year: int
    is_valid: bool


class GraduateList(Schema):
    items: list[GraduateItem]
    count: int


class GraduateDetail(GraduateItem):
    gender: str
    ethnicity: str
    political_status: str
    school: str
    schooling_years: float
    directed_unit: str
    origin_region: str
    graduation_date: dt.date
    email: str
    hukou_moved_to_school: bool
    invalidated_at: dt.datetime | None
    invalid_reason: str
    may_act: bool
    full_personal_numbers: bool


router = Router(tags=["roster"], auth=django_auth)


class RosterQuery(Schema):
    graduation_year: int | None = None
    major: int | None = None
    department: int | None = None
    education_level: str = ""
    training_mode: str = ""
    q: str = ""
    valid: bool = True
    page: int = 1
    page_size: int = 20


def _item(g: dict, levels, modes, *, full: bool = False) -> dict:
    """One list row (a dict from roster_search) as the API shows it."""
    return {
        "id": g["id"], "exam_no": g["exam_no"], "student_no": g["student_no"], "name": g["name"],
        "id_number": g["id_number"] if full else mask_id_number(g["id_number"]),
        "phone": g["phone"] if full else mask_phone(g["phone"]),
        "department": g["department_name"], "major": g["major_name"],
        "education_level": levels.get(g["education_level"], g["education_level"]),
        "training_mode": modes.get(g["training_mode"], g["training_mode"]),
        "graduation_year": g["graduation_year"], "is_valid": g["is_valid"],
    }


@router.get("/roster/graduates", response={200: GraduateList, 403: Problem})
def graduate_list(request, filters: Query[RosterQuery]):
    """The roster list, scoped to the caller; ID numbers and phones masked."""
    f = RosterFilters(
        graduation_year=filters.graduation_year, major=filters.major, department=filters.department,
        education_level=filters.education_level, training_mode=filters.training_mode, q=filters.q, valid=filters.valid,
    )
    page = paginate(roster_search(request.user, f), filters.page, filters.page_size, rows=as_list_rows)
    levels, modes = code_map("xl"), code_map("pyfs")
    return {"items": [_item(g, levels, modes) for g in page.items], "count": page.count}


@router.get("/roster/graduates/{graduate_id}", response={200: GraduateDetail, 403: Problem, 404: Problem})
def graduate_detail(request, graduate_id: int):
    """One graduate; full ID number and phone for department/school users (and the view is logged)."""
    g, full = graduate_open(actor=request.user, pk=graduate_id, ip=client_ip(request))
    row = {f: getattr(g, f) for f in LIST_FIELDS} | {"department_name": g.department.name, "major_name": g.major.name}
    data = _item(row, code_map("xl"), code_map("pyfs"), full=full)
    data.update(
        gender=code_map("xb").get(g.gender, g.gender), ethnicity=code_map("mz").get(g.ethnicity, g.ethnicity),
        political_status=code_map("zzmm").get(g.political_status, g.political_status), school=g.school.name,
        schooling_years=float(g.schooling_years), directed_unit=g.directed_unit, origin_region=g.origin_region,
        graduation_date=g.graduation_date, email=g.email if full else mask_email(g.email),
        hukou_moved_to_school=g.hukou_moved_to_school, invalidated_at=g.invalidated_at, invalid_reason=g.invalid_reason,
        may_act=g.is_valid and cohort_may_act(g.graduation_year), full_personal_numbers=full,
    )
    return data
