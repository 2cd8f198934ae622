"""Build the GB/T 2260 region table from the county list that python-stdnum ships for ID-number checks.

That list is compiled from the published 中华人民共和国行政区划代码 tables and marks each code's years of
validity ("[-2010]崇文区", "[2015-]密云区"), which is what both the 生源所在地 check (current codes only)
and the ID-number check (any code that ever existed) need.
"""
from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import stdnum
from stdnum import numdb

DATA_FILE = Path(__file__).parent / "data" / "gbt2260.csv"
_PERIOD = re.compile(r"^\[(\d*)-(\d*)\](.*)$")


def _split(name: str) -> tuple[str, str, str]:
    m = _PERIOD.match(name)
    if not m:
        return name, "", ""
    return m.group(3), m.group(1), m.group(2)


def build_rows() -> list[dict[str, str]]:
    db = numdb.get("cn/loc")
    rows = []
    # numdb's prefix tree: (length, low, high, props, children); provinces then 4-digit remainders
    for _, pcode, _, pprops, children in db.prefixes:
        province = pprops.get("province", "")
        for _, ccode, _, cprops, _ in children:
            name, start, end = _split(cprops.get("county", ""))
            rows.append(
                {
                    "code": pcode + ccode,
                    "name": name,
                    "province": _split(province)[0],
                    "valid_from": start,
                    "valid_to": end,
                }
            )
    return rows


def write_csv(path: Path = DATA_FILE) -> int:
    rows = build_rows()
    with path.open("w", newline="", encoding="utf-8") as fh:
        fh.write(
            f"# GB/T 2260 行政区划代码, as compiled in python-stdnum {stdnum.__version__}, file stdnum/cn/loc.dat, "
            f"from the published 中华人民共和国行政区划代码 tables; taken {dt.date.today():%Y-%m-%d}. "
            "valid_to empty = in use.\n"
        )
        w = csv.DictWriter(fh, fieldnames=["code", "name", "province", "valid_from", "valid_to"])
        w.writeheader()
        w.writerows(rows)
    return len(rows)


def read_csv(path: Path = DATA_FILE) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        lines = (line for line in fh if not line.startswith("#"))
        return list(csv.DictReader(lines))
