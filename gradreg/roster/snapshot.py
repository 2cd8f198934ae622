"""The graduate's info as captured at submission, and its comparison with EMS now (SPEC 3).

Every review page (online/offline signing, 补登, destination registration) shows the two side by side.
Non-key fields may be refreshed by the reviewer ("获取最新学生信息") and are applied when the review
passes; a difference in a key field allows only 不通过.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gradreg.codes.loader import code_map
from gradreg.common.numbers import plain_number
from gradreg.ems.models import Graduate

# (field, label, code table or None); the order the comparison table shows
KEY_FIELDS = (
    ("name", "姓名", None),
    ("id_number", "身份证号", None),
    ("education_level", "学历", "xl"),
    ("school", "院校", None),
    ("major", "专业", None),
)
NON_KEY_FIELDS = (
    ("gender", "性别", "xb"),
    ("ethnicity", "民族", "mz"),
    ("political_status", "政治面貌", "zzmm"),
    ("department", "所在院系", None),
    ("schooling_years", "学制", None),
    ("student_no", "学号", None),
    ("graduation_date", "毕业时间", None),
)
KEY_NAMES = frozenset(f for f, _, _ in KEY_FIELDS)
NON_KEY_NAMES = tuple(f for f, _, _ in NON_KEY_FIELDS)


def take_snapshot(g: Graduate) -> dict[str, str]:
    """Plain strings (JSON-safe, comparable); units by name so a rename in EMS shows as a difference."""
    return {
        "name": g.name,
        "id_number": g.id_number,
        "education_level": g.education_level,
        "school": g.school.name,
        "major": g.major.name,
        "gender": g.gender,
        "ethnicity": g.ethnicity,
        "political_status": g.political_status,
        "department": g.department.name,
        "schooling_years": plain_number(g.schooling_years),
        "student_no": g.student_no,
        "graduation_date": g.graduation_date.isoformat(),
        "exam_no": g.exam_no,
    }


@dataclass(frozen=True)
class Row:
    field: str
    label: str
    submitted: str
    current: str
    key: bool

    @property
    def differs(self) -> bool:
        return self.submitted != self.current


def _show(table: str | None, value: str) -> str:
    if table and value:
        return code_map(table).get(value, value)
    return value


def compare(snapshot: dict[str, Any], graduate: Graduate) -> list[Row]:
    now = take_snapshot(graduate)
    rows = []
    for fields, key in ((KEY_FIELDS, True), (NON_KEY_FIELDS, False)):
        for f, label, table in fields:
            rows.append(Row(f, label, _show(table, str(snapshot.get(f, ""))), _show(table, now[f]), key))
    return rows


def key_differences(snapshot: dict[str, Any], graduate: Graduate) -> list[str]:
    """Labels of the key fields that differ: such a submission can only be rejected."""
    return [r.label for r in compare(snapshot, graduate) if r.key and r.differs]


def refreshed(snapshot: dict[str, Any], graduate: Graduate) -> dict[str, str]:
    """The non-key fields whose EMS value differs from the submission: what a refresh would apply."""
    now = take_snapshot(graduate)
    return {f: now[f] for f in NON_KEY_NAMES if str(snapshot.get(f, "")) != now[f]}
