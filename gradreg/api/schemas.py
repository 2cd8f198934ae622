"""Input and output schemas of the JSON API."""
from __future__ import annotations

import datetime as dt

from ninja import Schema


class Problem(Schema):
    code: str
    detail: str
    field: str | None = None


class LoginIn(Schema):
    username: str
    password: str


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    role_label: str
    province: str | None
    school: str | None
    department: str | None
    employer: str | None
    must_change_password: bool


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


class TrainingModeChangeIn(Schema):
    graduate_id: int
    to_mode: str
    directed_unit: str = ""
    reason: str


class ReasonIn(Schema):
    reason: str = ""


class TrainingModeChangeOut(Schema):
    id: int
    graduate_id: int
    graduate_name: str
    exam_no: str
    department: str
    from_mode: str
    to_mode: str
    directed_unit: str
    reason: str
    status: str
    status_label: str
    created_at: dt.datetime
    actions: list[str]


class TrainingModeChangeList(Schema):
    items: list[TrainingModeChangeOut]
    count: int


class AuditEventOut(Schema):
    seq: int
    action: str
    action_label: str
    from_state: str
    to_state: str
    actor_name: str
    actor_role: str
    actor_unit: str
    at: dt.datetime
    reason: str
