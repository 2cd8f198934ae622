"""One validator for a destination's fields, generated from its type: forms, the API and reviewer edits
all call `clean_destination`, so a rule is written once (the taxonomy in the codes app declares it).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from gradreg.codes.destinations import (
    RECEIVING,
    YEARS_MAX,
    YEARS_MIN,
    DestinationType,
    FieldSpec,
    countries,
    destination_type,
)
from gradreg.codes.loader import code_map, region_problem
from gradreg.codes.shown import RECEIVING_LABELS, shown_details, shown_value
from gradreg.common.errors import DomainError, Invalid
from gradreg.ems.validation import text_problem
from gradreg.organisations.models import check_credit_code

REQUIRED = "此项为必填项"
# which detail fills each column lists and EMS read (the first one present wins)
UNIT_FIELDS = ("unit_name", "institution", "company_name")
REGION_FIELDS = ("unit_region", "project_place", "work_region", "enlist_region")


def resolve_type(key: str, module: str = "registration") -> DestinationType:
    dtype = destination_type(key or "", module)
    if dtype is None:
        raise DomainError("请选择毕业去向类型。", code="type_required", field="type_key")
    return dtype


def labels_of(dtype: DestinationType) -> dict[str, str]:
    return {**{f.name: f.label for f in dtype.fields}, **RECEIVING_LABELS, "proof": dtype.proof or "证明材料"}


def _value(spec: FieldSpec, raw: str, *, graduation_year: int) -> tuple[Any, str | None]:
    """(clean value, problem) of one filled-in field, by its kind."""
    kind = spec.kind
    if kind == "text":
        return raw, text_problem(spec.label, raw, spec.max_length)
    if kind == "credit_code":
        try:
            code, _ = check_credit_code(raw)
        except ValueError as e:
            return raw, str(e)
        return code, None
    if spec.code_table:
        return raw, None if raw in code_map(spec.code_table) else f"不在{spec.label}代码表中"
    if kind == "region":
        return raw, region_problem(raw, spec.label)
    if kind == "country":
        code = raw.upper()
        return code, None if code in countries() else "请从列表中选择国家（地区）"
    if kind == "date":
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            return raw, "日期格式应为 YYYY-MM-DD，如 2027-07-01"
        if not graduation_year - 6 <= day.year <= graduation_year + 3:
            return raw, f"日期应在{graduation_year - 6}年至{graduation_year + 3}年之间"
        return day.isoformat(), None
    if kind == "years":
        try:
            years = Decimal(raw)
        except InvalidOperation:
            years = Decimal("NaN")
        if not years.is_finite():  # "NaN" parses, and then refuses every comparison
            return raw, "应为年数，如 2 或 3"
        if not YEARS_MIN <= years <= YEARS_MAX:
            return raw, f"应在{YEARS_MIN}至{YEARS_MAX}年之间"
        return format(years.normalize(), "f"), None
    if spec.choices:
        return raw, None if raw in spec.choices else f"请选择：{'、'.join(spec.choices)}"
    return raw, f"无法校验的字段类型：{kind}"


def _text(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, (dt.date, Decimal, int, float)):
        raw = raw.isoformat() if isinstance(raw, dt.date) else str(raw)
    return str(raw).strip()


def clean_destination(dtype: DestinationType, data: dict[str, Any], *, graduate) -> dict[str, Any]:
    """Every field of this type at once, by the type's rules; the clean columns of the item, or Invalid
    naming each bad field. The 定向/委培 unit is EMS's (`graduate.directed_unit`), whatever was sent."""
    errors: dict[str, list[str]] = {}
    details: dict[str, str] = {}
    for spec in dtype.fields:
        raw = _text(data.get(spec.name))
        if dtype.directed and spec.name == "unit_name":
            raw = (graduate.directed_unit or "").strip()
            if not raw:
                errors.setdefault(spec.name, []).append(
                    "就业管理系统中没有您的定向/委培单位，请联系院系在就业管理系统中补充后再登记")
                continue
        if not raw:
            if spec.required:
                errors.setdefault(spec.name, []).append(REQUIRED)
            continue
        value, problem = _value(spec, raw, graduation_year=graduate.graduation_year)
        if problem:
            errors.setdefault(spec.name, []).append(problem)
        else:
            details[spec.name] = value
    for group in dtype.groups:
        if not any(name in details or name in errors for name in group):
            first = next(f for f in dtype.fields if f.name == group[0])
            others = [f.label for f in dtype.fields if f.name in group]
            errors.setdefault(first.name, []).append(f"请至少填写{'或'.join(others)}之一")
    receiving: dict[str, str] = {}
    if dtype.archive_hukou:
        for name, label, max_length in RECEIVING:
            raw = _text(data.get(name))
            if raw and (problem := text_problem(label, raw, max_length)):
                errors.setdefault(name, []).append(problem)
            receiving[name] = raw
    if errors:
        raise Invalid(errors, labels=labels_of(dtype))
    return {
        "type_key": dtype.key, "destination_type": dtype.type, "subtype": dtype.subtype,
        "destination_code": dtype.code, "unemployed": dtype.unemployed, "details": details,
        "unit_name": next((details[f] for f in UNIT_FIELDS if details.get(f)), ""),
        "credit_code": details.get("credit_code", ""),
        "region": next((details[f] for f in REGION_FIELDS if details.get(f)), ""),
        **{name: receiving.get(name, "") for name, _, _ in RECEIVING},
    }


def detail_rows(dtype: DestinationType | None, item) -> list[tuple[str, str]]:
    """(label, shown value) of an item's details in its type's order, then the receiving info asked."""
    if dtype is None:  # a type retired from the taxonomy: the stored values, by the catalogue's labels
        return shown_details(item.details)
    rows = [(f.label, shown_value(f, item.details.get(f.name, ""))) for f in dtype.fields]
    if dtype.archive_hukou:
        rows += [(label, getattr(item, name)) for name, label, _ in RECEIVING]
    return rows
