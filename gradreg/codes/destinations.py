"""The destination taxonomy (其他毕业去向登记, seed 3.5; SPEC 4.6) read from data files, so that a new
destination type or field is a data change only.

- data/destination_fields.csv: the field catalogue, `field,label,kind,max_length,help`.
- data/destination_types.csv: one row per selectable leaf,
  `key,type,subtype,code,code_2024,fields,proof,archive_hukou,module,source`; `fields` lists catalogue
  names in form order, `name?` is optional, `a|b` needs at least one of a and b.
- data/iso3166.csv: the countries and regions of the `country` kind (scripts/gen_iso3166.py).

Kinds: text (max_length required), credit_code (统一社会信用代码, 18 characters), code:<table> (a code of
data/<table>.csv, e.g. dwxz), region (6-digit GB/T 2260 code), country (alpha-2 of iso3166.csv), date
(YYYY-MM-DD), years (YEARS_MIN to YEARS_MAX), choice:<a>|<b>|... (fixed options).

Every file is checked as it is read: a bad row raises ValueError naming the file, the line and the
problem. The reader touches no database (a `code` is checked against byqx.csv itself), so it works at
import time; `read_taxonomy(data_dir)` reads another directory, for tests and for checking an edited copy.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data"
FIELDS_FILE = "destination_fields.csv"
TYPES_FILE = "destination_types.csv"
COUNTRIES_FILE = "iso3166.csv"
DESTINATION_CODES_FILE = "byqx.csv"

MODULES = ("registration", "paper")  # 去向登记; 已签纸质就业协议书补充登记 (补登)
SIMPLE_KINDS = ("text", "credit_code", "region", "country", "date", "years")
CREDIT_CODE_LENGTH = 18
YEARS_MIN, YEARS_MAX = Decimal("0.5"), Decimal("10")
UNEMPLOYED = "未就业"
DIRECTED = "定向/委培毕业去向补充登记"  # as gradreg/roster/gates.py SUPPLEMENT_DESTINATION

# 档案/户口 receiving info, asked where a type says so (`archive_hukou`): (name, label, max_length), each an
# optional plain text kept on the item beside its details
RECEIVING = (
    ("archive_unit", "档案接收单位", 200),
    ("archive_address", "档案接收地址", 200),
    ("hukou_unit", "户口接收单位", 200),
    ("hukou_address", "户口接收地址", 200),
)

_FIELD_HEADER = ["field", "label", "kind", "max_length", "help"]
_TYPE_HEADER = ["key", "type", "subtype", "code", "code_2024", "fields", "proof", "archive_hukou", "module", "source"]
_KEY = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$")
_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class FieldSpec:
    """One form field of a destination type; in the catalogue `required` is True and `one_of` empty."""

    name: str
    label: str
    kind: str
    max_length: int | None
    help: str
    required: bool = True  # False for `name?` and for the members of an either-or group
    one_of: tuple[str, ...] = ()  # the either-or group this field belongs to

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(self.kind.removeprefix("choice:").split("|")) if self.kind.startswith("choice:") else ()

    @property
    def code_table(self) -> str:
        return self.kind.removeprefix("code:") if self.kind.startswith("code:") else ""


@dataclass(frozen=True)
class DestinationType:
    key: str
    type: str
    subtype: str
    code: str  # the national two-digit 毕业去向 code (byqx.csv) it is reported under
    code_2024: str  # the three-digit code of the 2024 scheme where one was observed, else ""
    fields: tuple[FieldSpec, ...]
    proof: str  # the proof document required, "" when none
    archive_hukou: bool  # whether 档案/户口 receiving info is asked with it
    module: str
    source: str

    @property
    def name(self) -> str:
        return f"{self.type}（{self.subtype}）" if self.subtype else self.type

    @property
    def unemployed(self) -> bool:
        return self.type == UNEMPLOYED

    @property
    def directed(self) -> bool:
        return self.type == DIRECTED

    @property
    def groups(self) -> tuple[tuple[str, ...], ...]:
        """The either-or groups (at least one member filled), in form order."""
        return tuple(dict.fromkeys(f.one_of for f in self.fields if f.one_of))

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)


def _rows(path: Path, header: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) of a CSV file whose lines starting with # are comments."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ValueError(f"{path}: cannot be read ({e.strerror})") from e
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip() and not line.startswith("#")]
    if not lines:
        raise ValueError(f"{path}: empty")
    records = list(csv.reader(line for _, line in lines))
    if len(records) != len(lines):
        raise ValueError(f"{path}: a quoted value runs over more than one line")
    for (n, line), values in zip(lines, records, strict=True):
        if n == lines[0][0]:
            if values != header:
                raise ValueError(f"{path} line {n}: header must be {','.join(header)}, not {line}")
            continue
        if len(values) != len(header):
            raise ValueError(f"{path} line {n}: {len(values)} columns, {len(header)} expected")
        yield n, {k: v.strip() for k, v in zip(header, values, strict=True)}


def _check_kind(kind: str, max_length: int | None, data_dir: Path) -> str | None:
    """Why `kind` (with `max_length`) is not usable, or None."""
    if kind.startswith("code:"):
        table = kind.removeprefix("code:")
        if not re.fullmatch(r"[a-z0-9]+", table) or not (data_dir / f"{table}.csv").is_file():
            return f"kind {kind}: no code table {table}.csv in {data_dir}"
        return None
    if kind.startswith("choice:"):
        options = kind.removeprefix("choice:").split("|")
        if len(options) < 2 or not all(options) or len(set(options)) != len(options):
            return f"kind {kind}: a choice needs two or more distinct, non-empty options"
        return None
    if kind not in SIMPLE_KINDS:
        return f"unknown kind {kind!r} (one of {', '.join(SIMPLE_KINDS)}, code:<table>, choice:<a>|<b>|...)"
    if kind == "text" and max_length is None:
        return "a text field needs max_length"
    if kind == "credit_code" and max_length not in (None, CREDIT_CODE_LENGTH):
        return f"a credit_code is {CREDIT_CODE_LENGTH} characters, not {max_length}"
    return None


def read_field_catalogue(data_dir: Path = DATA) -> dict[str, FieldSpec]:
    path = data_dir / FIELDS_FILE
    catalogue: dict[str, FieldSpec] = {}
    for n, r in _rows(path, _FIELD_HEADER):
        where = f"{path} line {n}"
        if not _FIELD_NAME.match(r["field"]):
            raise ValueError(f"{where}: field name {r['field']!r} must be lower-case ASCII (a-z, 0-9, _)")
        if r["field"] in catalogue:
            raise ValueError(f"{where}: duplicate field {r['field']}")
        if not r["label"]:
            raise ValueError(f"{where}: field {r['field']} has no label")
        max_length = None
        if r["max_length"]:
            if not r["max_length"].isdigit() or int(r["max_length"]) < 1:
                raise ValueError(f"{where}: max_length {r['max_length']!r} is not a positive whole number")
            max_length = int(r["max_length"])
        if r["kind"] == "credit_code" and max_length is None:
            max_length = CREDIT_CODE_LENGTH
        problem = _check_kind(r["kind"], max_length, data_dir)
        if problem:
            raise ValueError(f"{where}: field {r['field']}: {problem}")
        catalogue[r["field"]] = FieldSpec(r["field"], r["label"], r["kind"], max_length, r["help"])
    return catalogue


def _destination_codes(data_dir: Path) -> dict[str, str]:
    """code -> parent of byqx.csv, the national 毕业去向 table."""
    return {r["code"]: r["parent"] for _, r in _rows(data_dir / DESTINATION_CODES_FILE, ["code", "name", "parent", "note"])}


def _parse_fields(spec: str, catalogue: dict[str, FieldSpec]) -> tuple[FieldSpec, ...]:
    """`a;b?;c|d` -> FieldSpecs; raises ValueError (without the place, which the caller adds)."""
    fields: list[FieldSpec] = []
    for item in filter(None, (s.strip() for s in spec.split(";"))):
        optional = item.endswith("?")
        names = tuple(n.strip() for n in item.removesuffix("?").split("|"))
        if len(names) > 1 and optional:
            raise ValueError(f"{item!r}: an either-or group cannot be optional as a whole")
        for name in names:
            if name not in catalogue:
                raise ValueError(f"unknown field {name!r} (not in {FIELDS_FILE})")
            if any(f.name == name for f in fields):
                raise ValueError(f"field {name} listed twice")
            one_of = names if len(names) > 1 else ()
            fields.append(replace(catalogue[name], required=not optional and not one_of, one_of=one_of))
    return tuple(fields)


def read_taxonomy(data_dir: Path = DATA) -> dict[str, DestinationType]:
    """Every destination type of every module, key -> type in file order, checked against the catalogue
    and byqx.csv of the same directory."""
    catalogue = read_field_catalogue(data_dir)
    codes = _destination_codes(data_dir)
    path = data_dir / TYPES_FILE
    types: dict[str, DestinationType] = {}
    seen: set[tuple[str, str, str]] = set()
    for n, r in _rows(path, _TYPE_HEADER):
        where = f"{path} line {n}"
        if not _KEY.match(r["key"]):
            raise ValueError(f"{where}: key {r['key']!r} must be lower-case ASCII words, e.g. study_domestic.postgraduate")
        if r["key"] in types:
            raise ValueError(f"{where}: duplicate key {r['key']}")
        if r["module"] not in MODULES:
            raise ValueError(f"{where}: unknown module {r['module']!r} (one of {', '.join(MODULES)})")
        if not r["type"]:
            raise ValueError(f"{where}: no type")
        if (r["module"], r["type"], r["subtype"]) in seen:
            raise ValueError(f"{where}: {r['type']} {r['subtype']} is listed twice in module {r['module']}")
        if r["code"] not in codes:
            raise ValueError(f"{where}: code {r['code']!r} is not in {DESTINATION_CODES_FILE}")
        if r["code_2024"] and codes.get(r["code_2024"]) != r["code"]:
            raise ValueError(f"{where}: code_2024 {r['code_2024']!r} is not a sub-code of {r['code']} in {DESTINATION_CODES_FILE}")
        if r["archive_hukou"] not in ("yes", "no"):
            raise ValueError(f"{where}: archive_hukou must be yes or no, not {r['archive_hukou']!r}")
        try:
            fields = _parse_fields(r["fields"], catalogue)
        except ValueError as e:
            raise ValueError(f"{where}: {e}") from None
        seen.add((r["module"], r["type"], r["subtype"]))
        types[r["key"]] = DestinationType(
            key=r["key"], type=r["type"], subtype=r["subtype"], code=r["code"], code_2024=r["code_2024"],
            fields=fields, proof=r["proof"], archive_hukou=r["archive_hukou"] == "yes", module=r["module"],
            source=r["source"],
        )
    return types


def read_countries(data_dir: Path = DATA) -> dict[str, str]:
    path = data_dir / COUNTRIES_FILE
    countries: dict[str, str] = {}
    for n, r in _rows(path, ["alpha2", "alpha3", "numeric", "name", "name_en"]):
        if not re.fullmatch(r"[A-Z]{2}", r["alpha2"]) or r["alpha2"] in countries or not r["name"]:
            raise ValueError(f"{path} line {n}: alpha2 {r['alpha2']!r} is not a new two-letter code with a name")
        countries[r["alpha2"]] = r["name"]
    return countries


@cache
def _taxonomy() -> dict[str, DestinationType]:
    return read_taxonomy(DATA)


@cache
def _by_module(module: str) -> dict[str, DestinationType]:
    if module not in MODULES:
        raise ValueError(f"unknown module {module!r} (one of {', '.join(MODULES)})")
    return {k: t for k, t in _taxonomy().items() if t.module == module}


def destination_types(module: str = "registration") -> dict[str, DestinationType]:
    """key -> type of one module, in file order; read once per process (a copy: the cache stays intact)."""
    return dict(_by_module(module))


def destination_type(key: str, module: str = "registration") -> DestinationType | None:
    return _by_module(module).get(key)


def type_choices(module: str = "registration") -> list[tuple[str, list[tuple[str, str]]]]:
    """[(type, [(key, subtype or type), ...]), ...] grouped by type in file order, for <optgroup>."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for t in _by_module(module).values():
        groups.setdefault(t.type, []).append((t.key, t.subtype or t.type))
    return list(groups.items())


@cache
def _countries() -> dict[str, str]:
    return read_countries(DATA)


def countries() -> dict[str, str]:
    """alpha-2 -> Chinese name of the 出国出境 countries and regions (CN not among them); read once per process."""
    return dict(_countries())


@cache
def _catalogue() -> dict[str, FieldSpec]:
    return read_field_catalogue(DATA)


def field_catalogue() -> dict[str, FieldSpec]:
    """name -> FieldSpec of every catalogue field (required True, one_of empty: what a type makes of it
    is in its own `fields`); read once per process."""
    return dict(_catalogue())


def clear_cache() -> None:
    """Forget what was read (after the data files changed in a running process, or in tests)."""
    for f in (_taxonomy, _by_module, _countries, _catalogue):
        f.cache_clear()
