"""One validator for 档案/户口 info, generated from the module's fields: the graduate's form, the
department's form, the batch import, the API and EMS's edits all call it, so a rule is written once."""
from __future__ import annotations

import re
from typing import Any

from gradreg.codes.loader import code_map, region_name, region_problem
from gradreg.common.errors import Invalid
from gradreg.common.validators import check_contact_phone

from .transfer_modules import INFO_COLUMNS, Field, Module
from .validation import text_problem

REQUIRED = "此项为必填项"
POSTCODE = re.compile(r"^[0-9]{6}$")


def type_choices(module: Module) -> list[tuple[str, str]]:
    """(code, name) of the module's type table, in code order."""
    return sorted(code_map(module.code_table).items(), key=lambda kv: (len(kv[0]), kv[0]))


def type_code(module: Module, text: str) -> str | None:
    """A type given by its code or its name (an import's cell may hold either)."""
    names = code_map(module.code_table)
    if text in names:
        return text
    return next((code for code, name in names.items() if name == text), None)


def type_name(module: Module, code: str) -> str:
    return code_map(module.code_table).get(code, code)


def as_text(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return str(raw).strip()


def field_value(module: Module, field: Field, text: str) -> tuple[str, str | None]:
    """(clean value, problem) of one filled-in field, by its kind."""
    if field.kind == "choice":
        code = type_code(module, text)
        if code is None:
            return text, f"请从{field.label}中选择：{'、'.join(n for _, n in type_choices(module))}"
        return code, None
    if field.kind == "region":
        return text, region_problem(text, field.label)
    if field.kind == "postcode":
        return text, None if POSTCODE.match(text) else "邮编应为6位数字"
    if field.kind == "phone":
        value, problem = check_contact_phone(text)
        return value, problem
    return text, text_problem(field.label, text, field.max_length)


def problems(module: Module, data: dict[str, Any]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """(clean values, problems by field) of the module's info."""
    clean: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for field in module.fields:
        text = as_text(data.get(field.name))
        if not text:
            if field.required:
                errors.setdefault(field.name, []).append(REQUIRED)
            clean[field.name] = ""
            continue
        value, problem = field_value(module, field, text)
        if problem:
            errors.setdefault(field.name, []).append(problem)
        clean[field.name] = value
    return clean, errors


def clean_info(module: Module, data: dict[str, Any]) -> dict[str, str]:
    """Every column of the info, clean (the module's unused ones empty), or Invalid naming each bad field."""
    clean, errors = problems(module, data)
    if errors:
        raise Invalid(errors, labels={f.name: f.label for f in module.fields})
    return {name: clean.get(name, "") for name in INFO_COLUMNS}


def info_of(obj) -> dict[str, str]:
    """The info columns of a record, an application or EMS's copy."""
    return {name: getattr(obj, name) for name in INFO_COLUMNS}


def shown_rows(module: Module, info: dict[str, str]) -> list[tuple[str, str]]:
    """(label, shown value) of the module's fields: the type by name, a region with its name."""
    rows = []
    for field in module.fields:
        value = info.get(field.name, "")
        if field.kind == "choice" and value:
            value = type_name(module, value)
        elif field.kind == "region" and value:
            value = region_name(value)
        rows.append((field.label, value))
    return rows
