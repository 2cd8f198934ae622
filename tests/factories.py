"""Factories for the test personas. Valid ID numbers and region codes throughout."""
from __future__ import annotations

import datetime as dt
import itertools

from gradreg.accounts.models import User
from gradreg.common.ids import make_id_number
from gradreg.ems.models import Graduate
from gradreg.organisations.models import Department, Major, Province, School

_seq = itertools.count(1)
PASSWORD = "Test-pass-2026!"


def province(code="44", name="广东省") -> Province:
    return Province.objects.get_or_create(code=code, defaults={"name": name})[0]


def school(code: str, name: str, prov: Province, label="审核") -> School:
    return School.objects.create(code=code, name=name, province=prov, review_label=label)


def department(sch: School, code: str, name: str) -> Department:
    return Department.objects.create(school=sch, code=code, name=name)


def major(dept: Department, code: str, name: str) -> Major:
    return Major.objects.create(school=dept.school, department=dept, code=code, name=name)


def graduate(dept: Department, maj: Major | None = None, **kw) -> Graduate:
    n = next(_seq)
    maj = maj or dept.majors.first()
    year = kw.pop("graduation_year", 2027)
    data = dict(
        exam_no=f"{year % 100:02d}440101{n:06d}",
        student_no=f"S{year}{n:05d}",
        name=f"学生{n}",
        gender="1",
        id_number=make_id_number("440106", dt.date(2004, 1, 1) + dt.timedelta(days=n), n),
        ethnicity="01",
        political_status="03",
        education_level="31",
        school=dept.school,
        department=dept,
        major=maj,
        schooling_years=4,
        training_mode="1",
        origin_region="440106",
        graduation_year=year,
        graduation_date=dt.date(year, 6, 30),
        phone=f"138{n:08d}",
        email=f"s{n}@example.edu.cn",
    )
    data.update(kw)
    return Graduate.objects.create(**data)


def user(username: str, role: str, **kw) -> User:
    if role == "graduate" and kw.get("graduate") is not None:
        kw.setdefault("school", kw["graduate"].school)  # as activation does: the login row carries the school
    u = User(username=username, role=role, display_name=kw.pop("display_name", username), **kw)
    u.set_password(PASSWORD)
    u.save()
    return u
