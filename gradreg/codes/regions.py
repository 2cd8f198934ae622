"""Build the GB/T 2260 region table from the county list that python-stdnum ships for ID-number checks.

Source: python-stdnum's stdnum/cn/loc.dat, compiled from the 中华人民共和国行政区划代码 tables that
the Ministry of Civil Affairs publishes (as transcribed on the zh.wikipedia pages named in that file).
Each code lists every name it has carried with its years: "[-2010]崇文区" (abolished 2010),
"[1983-1989]罗湖区办事处,[1990-]罗湖区" (renamed in 1990 and in use today). Method: a code is in use
when its last name has no end year; its name is that last name; valid_from is the first name's start
year and valid_to the last name's end year. An abolished code names its successor when one current
code of the same province and level carries the same name (stem without 县/市/区/旗, later start), e.g. 440225
乐昌县 -> 440281 乐昌市, or when the merger is listed in SUCCESSORS below.
"""
from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import stdnum
from stdnum import numdb

DATA_FILE = Path(__file__).parent / "data" / "gbt2260.csv"
FIELDS = ["code", "name", "province", "valid_from", "valid_to", "successor"]
_PERIOD = re.compile(r"^\[(\d*)-(\d*)\](.*)$")
_NAMES = re.compile(r",(?=\[)")
# mergers where the successor carries another name (民政部 approvals)
SUCCESSORS = {
    "110103": "110101",  # 崇文区 -> 东城区 (2010)
    "110104": "110102",  # 宣武区 -> 西城区 (2010)
}
_GENERIC = {"市辖区", "县", "郊区", "矿区", "市区", "城区", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def _split(name: str) -> tuple[str, str, str]:
    m = _PERIOD.match(name)
    if not m:
        return name, "", ""
    return m.group(3), m.group(1), m.group(2)


def _periods(text: str) -> tuple[str, str, str]:
    """(current or last name, first start year, last end year) of one loc.dat entry."""
    parts = [_split(p) for p in _NAMES.split(text)]
    return parts[-1][0], parts[0][1], parts[-1][2]


def _stem(name: str) -> str:
    return name[:-1] if len(name) > 2 and name[-1] in "县市区旗" else name


def _key(row: dict[str, str]) -> tuple[str, bool, str]:
    """Province, level (prefecture codes end in 00) and name stem: a county is succeeded by a county."""
    return row["code"][:2], row["code"].endswith("00"), _stem(row["name"])


def _successors(rows: list[dict[str, str]]) -> None:
    current: dict[tuple[str, str], list[dict[str, str]]] = {}
    for r in rows:
        if not r["valid_to"] and r["name"] not in _GENERIC:
            current.setdefault(_key(r), []).append(r)
    for r in rows:
        if not r["valid_to"]:
            continue
        if r["code"] in SUCCESSORS:
            r["successor"] = SUCCESSORS[r["code"]]
            continue
        if r["name"] in _GENERIC:
            continue
        found = [c for c in current.get(_key(r), [])
                 if not c["valid_from"] or c["valid_from"] >= r["valid_to"]]
        if len(found) == 1:
            r["successor"] = found[0]["code"]


def build_rows() -> list[dict[str, str]]:
    db = numdb.get("cn/loc")
    rows = []
    # numdb's prefix tree: (length, low, high, props, children); provinces then 4-digit remainders
    for _, pcode, _, pprops, children in db.prefixes:
        province = _periods(pprops.get("province", ""))[0]
        for _, ccode, _, cprops, _ in children:
            name, start, end = _periods(cprops.get("county", ""))
            rows.append({"code": pcode + ccode, "name": name, "province": province,
                         "valid_from": start, "valid_to": end, "successor": ""})
    _successors(rows)
    return rows


def write_csv(path: Path = DATA_FILE) -> int:
    rows = build_rows()
    with path.open("w", newline="", encoding="utf-8") as fh:
        fh.write(
            f"# GB/T 2260 行政区划代码. Source: python-stdnum {stdnum.__version__}, file stdnum/cn/loc.dat, compiled from "
            "the 中华人民共和国行政区划代码 tables of the Ministry of Civil Affairs (via the zh.wikipedia transcriptions "
            f"named in that file); taken {dt.date.today():%Y-%m-%d} by `manage.py load_codes --rebuild-regions`.\n"
            "# Method: a code lists every name it carried with its years; it is in use when its last name has no end "
            "year (so a renamed code such as 440303 罗湖区办事处 -> 罗湖区 stays current); name = the last name, "
            "valid_from = first start year, valid_to = last end year (empty = in use). successor: for an abolished code, "
            "the one current code of the same province and level with the same name stem (县/市/区/旗 aside) started no earlier, "
            "or a listed merger (gradreg/codes/regions.py SUCCESSORS); empty when none is known.\n"
        )
        w = csv.DictWriter(fh, fieldnames=FIELDS)
        w.writeheader()
        w.writerows(rows)
    return len(rows)


def read_csv(path: Path = DATA_FILE) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        lines = (line for line in fh if not line.startswith("#"))
        return list(csv.DictReader(lines))
