"""Load (or refresh) the code tables from the CSV files in data/; idempotent."""
from __future__ import annotations

import csv
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from .models import CodeEntry, Region
from .regions import FIELDS as REGION_FIELDS
from .regions import read_csv

DATA = Path(__file__).parent / "data"


def load_all(apps=None) -> dict[str, int]:
    """Upsert every table; `apps` is given when called from a migration (historical models)."""
    entries, regions_model = CodeEntry, Region
    if apps is not None:
        entries, regions_model = apps.get_model("codes", "CodeEntry"), apps.get_model("codes", "Region")
    counts: dict[str, int] = {}
    for table in ["xl", "mz", "zzmm", "pyfs", "xb", "dwxz", "dwhy", "gzzwlb", "byqx", "dazdlx", "hkqy"]:
        with (DATA / f"{table}.csv").open(encoding="utf-8") as fh:
            rows = [r for r in csv.DictReader(fh) if r["code"]]
        existing = {e.code: e for e in entries.objects.filter(table=table)}
        new = []
        for r in rows:
            e = existing.get(r["code"])
            if e is None:
                new.append(entries(table=table, code=r["code"], name=r["name"], parent=r["parent"], note=r["note"]))
            elif (e.name, e.parent, e.note) != (r["name"], r["parent"], r["note"]):
                e.name, e.parent, e.note = r["name"], r["parent"], r["note"]
                e.save()
        entries.objects.bulk_create(new)
        counts[table] = len(rows)
    # a migration's historical model may predate a column of the CSV
    known = {f.name for f in regions_model._meta.get_fields()}
    regions = [{k: v for k, v in r.items() if k in known} for r in read_csv()]
    have = {r.code: r for r in regions_model.objects.all()}
    regions_model.objects.bulk_create(
        [regions_model(**r) for r in regions if r["code"] not in have], batch_size=1000
    )
    changed = []
    for r in regions:
        row = have.get(r["code"])
        if row is not None and any(getattr(row, k) != v for k, v in r.items()):
            for k, v in r.items():
                setattr(row, k, v)
            changed.append(row)
    regions_model.objects.bulk_update(changed, [f for f in REGION_FIELDS[1:] if f in known], batch_size=1000)
    counts["gbt2260"] = len(regions)
    return counts


@lru_cache(maxsize=1)
def region_codes_in_use() -> frozenset[str]:
    """Codes valid for 生源所在地 today (read from the database once per process)."""
    return frozenset(Region.objects.filter(valid_to="").values_list("code", flat=True))


_CACHE: dict[tuple[str, str], tuple[float, Any]] = {}
CACHE_SECONDS = 60
# keys come from stored rows, but a lookup of typed input must not grow the cache without end
CACHE_MAX_ENTRIES = 20000


def _cached(kind: str, key: str, load: Callable[[], Any]) -> Any:
    """`load()` kept per process for CACHE_SECONDS under (kind, key); `clear_cache()` forgets it at once."""
    hit = _CACHE.get((kind, key))
    now = time.monotonic()
    if hit and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    value = load()
    if len(_CACHE) > CACHE_MAX_ENTRIES:
        _CACHE.clear()
    _CACHE[(kind, key)] = (now, value)
    return value


def code_map(table: str) -> dict[str, str]:
    """code -> name for one table (active codes only); cached per process for a minute."""
    return _cached("table", table, lambda: dict(
        CodeEntry.objects.filter(table=table, active=True).values_list("code", "name")))


def clear_cache() -> None:
    _CACHE.clear()
    region_codes_in_use.cache_clear()
    retired_regions.cache_clear()


@lru_cache(maxsize=1)
def retired_regions() -> dict[str, tuple[str, str, str, str]]:
    """code -> (name, end year, successor code, successor as shown) for codes no longer in use (read once per
    process; the successor only where it is in use today, else "").

    Read up front, so a check never queries mid-import (the PostgreSQL import checks rows while its COPY runs)."""
    current = {r.code: str(r) for r in Region.objects.filter(valid_to="")}
    return {r.code: (r.name, r.valid_to, *((r.successor, current[r.successor]) if r.successor in current else ("", "")))
            for r in Region.objects.exclude(valid_to="")}


def region_problem(code: str, label: str) -> str | None:
    """None when `code` is a GB/T 2260 code in use today; else why not, naming the successor where one is known."""
    if code in region_codes_in_use():
        return None
    retired = retired_regions().get(code)
    if retired is None:
        return f"{label}“{code}”不是有效的6位行政区划代码（GB/T 2260），如440106。"
    name, valid_to, heir_code, heir = retired
    told = f"{label}“{code} {name}”已于{valid_to}年停用"
    if heir_code:
        return f"{told}，现为“{heir}”，请改填{heir_code}。"
    return f"{told}，请填写现行的6位行政区划代码（GB/T 2260）。"


def region_name(code: str) -> str:
    """A region as shown ("440106 广东省天河区"), or the code itself when unknown; cached per process as
    `code_map` is (a detail page names two or three regions, each a query otherwise)."""

    def load() -> str:
        r = Region.objects.filter(code=code).only("code", "name", "province").first()
        return str(r) if r else code

    return _cached("region", code, load)
