"""Load (or refresh) the code tables from the CSV files in data/; idempotent."""
from __future__ import annotations

import csv
import time
from functools import lru_cache
from pathlib import Path

from .models import CodeEntry, Region
from .regions import read_csv

DATA = Path(__file__).parent / "data"


def load_all(apps=None) -> dict[str, int]:
    """Upsert every table; `apps` is given when called from a migration (historical models)."""
    entries, regions_model = CodeEntry, Region
    if apps is not None:
        entries, regions_model = apps.get_model("codes", "CodeEntry"), apps.get_model("codes", "Region")
    counts: dict[str, int] = {}
    for table in ["xl", "mz", "zzmm", "pyfs", "xb", "dwxz", "dwhy", "gzzwlb", "byqx"]:
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
    regions = read_csv()
    have = set(regions_model.objects.values_list("code", flat=True))
    regions_model.objects.bulk_create(
        [regions_model(**r) for r in regions if r["code"] not in have], batch_size=1000
    )
    counts["gbt2260"] = len(regions)
    return counts


@lru_cache(maxsize=1)
def region_codes_in_use() -> frozenset[str]:
    """Codes valid for 生源所在地 today (read from the database once per process)."""
    return frozenset(Region.objects.filter(valid_to="").values_list("code", flat=True))


_CACHE: dict[str, tuple[float, dict[str, str]]] = {}
CACHE_SECONDS = 60


def code_map(table: str) -> dict[str, str]:
    """code -> name for one table (active codes only); cached per process for a minute."""
    hit = _CACHE.get(table)
    now = time.monotonic()
    if hit and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    value = dict(CodeEntry.objects.filter(table=table, active=True).values_list("code", "name"))
    _CACHE[table] = (now, value)
    return value


def clear_cache() -> None:
    _CACHE.clear()
    region_codes_in_use.cache_clear()


def region_name(code: str) -> str:
    r = Region.objects.filter(code=code).only("code", "name", "province").first()
    return str(r) if r else code
