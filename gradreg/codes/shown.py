"""A destination's stored details as pages and exports show them: code tables, regions and countries by
name, each under its catalogue label (the platform's item pages, and EMS's page of what it holds)."""
from __future__ import annotations

from collections.abc import Collection
from typing import Any

from .destinations import RECEIVING, FieldSpec, countries, field_catalogue
from .loader import code_map, region_name

RECEIVING_LABELS = {name: label for name, label, _ in RECEIVING}


def shown_value(spec: FieldSpec, value: str) -> str:
    """One stored detail as shown (code tables and regions by name)."""
    if not value:
        return ""
    if spec.code_table:
        return code_map(spec.code_table).get(value, value)
    if spec.kind == "region":
        return region_name(value)
    if spec.kind == "country":
        return countries().get(value, value)
    return value


def shown_details(details: dict[str, Any], skip: Collection[str] = ()) -> list[tuple[str, str]]:
    """(label, shown value) of details known only by their names (a record that names no type, as EMS
    keeps them): catalogue fields in the catalogue's order, then the receiving info, then anything else;
    the names in `skip` (shown elsewhere on the page) and empty values left out."""
    catalogue = field_catalogue()
    given = {name: value for name, value in details.items() if value not in (None, "") and name not in skip}
    rows = [(spec.label, shown_value(spec, str(given[name]))) for name, spec in catalogue.items() if name in given]
    rows += [(label, str(given[name])) for name, label in RECEIVING_LABELS.items() if name in given]
    rows += [(str(name), str(value)) for name, value in given.items()
             if name not in catalogue and name not in RECEIVING_LABELS]
    return rows
