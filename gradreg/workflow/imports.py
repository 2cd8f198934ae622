"""Batch imports, declared: the columns of a sheet, how each cell is parsed and checked, and one error report.

A module declares its import once::

    SPEC = ImportSpec(
        item="毕业生",
        columns=(
            Column("考生号", "exam_no", required=True, parse=exam_no),
            Column("姓名", "name", required=True, max_length=50, checks=(not_example,)),
            Column("身份证号", "id_number", required=True, parse=id_number, text_only="身份证号被存成了数字…"),
            Column("毕业年份", "year", required=True, parse=year, memo=True),
            ...
        ),
        row_checks=(RowCheck(("毕业年份", "毕业时间"), date_in_year),),
        unique=(Unique("考生号"), Unique("身份证号", within=("毕业年份",))),
    )

and runs it::

    sheet = SPEC.read(uploaded_file, limits=Limits(...))      # gradreg.common.sheets: capped, zip-bomb-safe
    context = ...                                              # what the parsers look up, loaded in bulk once
    checking = SPEC.check(sheet, context)
    for row_no, values in checking:                            # rows that passed every declared check
        ...module's own checks against the database: checking.reject(row_no, column, message)
        if checking.clean:
            write(values)                                      # the module's own writer (COPY, bulk insert...)
    errors = checking.finish()                                 # sorted RowErrors, duplicates included

All or nothing: the writer runs inside a transaction that the module rolls back unless `errors` is
empty. `parse(text, cell, context)` returns the value or raises `Invalid("中文说明")`; `cell` is the
raw cell (see gradreg.common.sheets) for parsers that care whether Excel stored a date or a number.
A check `check(value, context)` returns a Chinese message or None. The report is rendered by
`error_page` + templates/workflow/import_errors.html and downloaded as `errors_workbook`.
"""
from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from itertools import islice, repeat
from typing import Any

from django import forms
from django.db import transaction

from gradreg.common.pagination import Page
from gradreg.common.sheets import NUMBER_TYPES, Limits, Sheet, cell_text, column_letter, read_sheet
from gradreg.common.xlsx import XLSX_CONTENT_TYPE, write_xlsx

# tabs, newlines and other C0 controls: never part of a value, and they break COPY's text format
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
ERRORS_PER_PAGE = 100
# rows checked together, column by column, before the clean ones go on to the writer
BLOCK_ROWS = 2_000
_MISSING = object()


class Invalid(ValueError):
    """Raised by a parser: the cell's Chinese problem."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Bad:
    """The value of a cell that failed its checks (truthy: the cell was filled in)."""

    def __repr__(self) -> str:
        return "BAD"


BAD: Any = _Bad()


@dataclass(frozen=True)
class RowError:
    row: int | None  # the Excel row number; None for a note about the whole file
    column: str  # the column's header, "第N列" outside the template, "" for the whole row
    message: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    parse: Callable[[str, Any, Any], Any] | None = None  # (text, raw cell, context) -> value, or raise Invalid
    required: bool = False
    checks: tuple[Callable[[Any, Any], str | None], ...] = ()  # (value, context) -> message or None
    max_length: int | None = None
    text_only: str | None = None  # the message when Excel stored a number in this column (e.g. ID numbers)
    memo: bool = False  # few distinct values (codes, years): parse each text once per file
    default: Any = ""  # the value of an empty optional cell


@dataclass(frozen=True)
class RowCheck:
    """A cross-column check, run when every column in `needs` holds a valid, non-empty value.

    `check(values, context)` gets the row's values in column order (BAD where a cell failed) and
    returns None, one (column, message) pair or a list of them.
    """

    needs: tuple[str, ...]
    check: Callable[[list[Any], Any], Any]


@dataclass(frozen=True)
class Unique:
    """No two rows may share this column's value (together with the `within` columns' values)."""

    header: str
    within: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportSpec:
    columns: tuple[Column, ...]
    row_checks: tuple[RowCheck, ...] = ()
    unique: tuple[Unique, ...] = ()
    item: str = "记录"  # what one row is, in messages ("每行一名毕业生")
    ordered: bool = False  # True: the header must keep the template's order too

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    def index(self, header: str) -> int:
        return self.headers.index(header)

    def read(self, uploaded_file, *, limits: Limits) -> Sheet:
        return read_sheet(uploaded_file, self.headers, limits=limits, ordered=self.ordered, item=self.item)

    def check(self, sheet: Sheet, context: Any = None) -> Checking:
        return Checking(self, sheet, context)


def _problems(result: Any) -> list[tuple[str, str]]:
    if not result:
        return []
    return [result] if isinstance(result[0], str) else list(result)


def _all_text(cells: Sequence[Any]) -> bool:
    return set(map(type, cells)) <= {str}


def _stripped(cells: Sequence[Any]) -> list[str]:
    try:
        return list(map(str.strip, cells))
    except TypeError:  # a number or date cell somewhere in the column
        return [v.strip() if v.__class__ is str else cell_text(v) for v in cells]


def _blank_positions(texts_of: list[list[str]]) -> set[int]:
    """Positions empty in every column: blank rows."""
    blank: set[int] | None = None
    for texts in texts_of:
        if "" not in texts:
            return set()
        empty = set(_positions(texts, ""))
        blank = empty if blank is None else blank & empty
        if not blank:
            return set()
    return blank or set()


def _positions(values: Sequence[Any], marker: Any) -> Iterator[int]:
    """Where `marker` stands in `values` (found at C speed: a clean block has none)."""
    start = 0
    while True:
        try:
            start = values.index(marker, start)
        except ValueError:
            return
        yield start
        start += 1


class _ColumnRun:
    """One declared column over a file: parses its cells a block at a time, fast when the block is clean."""

    def __init__(self, column: Column, context: Any) -> None:
        self.column, self.header, self.context = column, column.header, context
        self.memo: dict[str, Any] | None = None
        if column.memo:
            empty = (BAD, "必填") if column.required else (column.default, None)
            self.memo = {"": empty[0]}
            self.failed: dict[str, str] = {"": "必填"} if column.required else {}

    def one(self, text: str, cell: Any, controls: bool) -> tuple[Any, str | None]:
        """The value of one cell and None, or BAD and its problem."""
        c = self.column
        if not text:
            return (BAD, "必填") if c.required else (c.default, None)
        if c.max_length is not None and (len(text) > c.max_length or controls):
            return BAD, f"{c.header}最多{c.max_length}个字符，且不能含换行等控制字符"
        if controls:
            return BAD, f"{c.header}不能含换行等控制字符"
        if c.text_only is not None and cell.__class__ in NUMBER_TYPES:
            return BAD, c.text_only
        value: Any = text
        if c.parse is not None:
            try:
                value = c.parse(text, cell, self.context)
            except Invalid as e:
                return BAD, e.message
        for check in c.checks:
            problem = check(value, self.context)
            if problem:
                return BAD, problem
        return value, None

    def values(self, texts: Sequence[str], cells: Sequence[Any], risky: bool) -> tuple[list[Any], list[tuple[int, str]]]:
        """The column's values over a block, and (position, problem) for each cell that failed.

        `risky`: a row of the block holds control characters, so every cell is looked at one by one.
        """
        if not risky:
            fast = self._memoised(texts, cells) if self.memo is not None else self._plain(texts, cells)
            if fast is not None:
                return fast
        values, problems = [], []
        search = CONTROL.search
        for pos, (text, cell) in enumerate(zip(texts, cells)):
            value, problem = self.one(text, cell, search(text) is not None)
            if problem is not None:
                problems.append((pos, problem))
            values.append(value)
        return values, problems

    def _memoised(self, texts: Sequence[str], cells: Sequence[Any]) -> tuple[list[Any], list[tuple[int, str]]] | None:
        """Few distinct texts (codes, years): each is parsed once per file; its parse and checks see the text alone."""
        if not _all_text(cells):
            return None  # a number or date cell: parsed one by one, since the text alone does not say what it was
        memo, failed = self.memo, self.failed
        get = memo.get
        values = [get(t, _MISSING) for t in texts]
        for pos in _positions(values, _MISSING):
            text = texts[pos]
            value, problem = self.one(text, cells[pos], False)
            if problem is not None:
                failed[text] = problem
            values[pos] = memo[text] = value
        return values, [(pos, failed[texts[pos]]) for pos in _positions(values, BAD)]

    def _plain(self, texts: Sequence[str], cells: Sequence[Any]) -> tuple[list[Any], list[tuple[int, str]]] | None:
        """Every cell parsed in one comprehension; None (look one by one) at the first sign of a problem."""
        c, context = self.column, self.context
        empty = "" in texts
        if (empty and c.required) or (c.max_length is not None and max(map(len, texts)) > c.max_length):
            return None
        if c.text_only is not None and not _all_text(cells):
            return None
        parse, default = c.parse, c.default
        try:
            if parse is None:
                values = [t or default for t in texts] if empty else list(texts)
            elif empty:
                values = [parse(t, cell, context) if t else default for t, cell in zip(texts, cells)]
            else:
                values = [parse(t, cell, context) for t, cell in zip(texts, cells)]
        except Invalid:
            return None
        for check in c.checks:
            if any(map(check, values, repeat(context))):
                return None
        return values, []


class Checking:
    """One pass over a sheet: iterate it for the clean rows, `reject` rows, then `finish` for the report.

    Rows are checked a block at a time, column by column (one comprehension per column of a clean
    block), so the clean rows of block k reach the writer while block k+1 is still to be read.
    """

    def __init__(self, spec: ImportSpec, sheet: Sheet, context: Any) -> None:
        self.spec, self.sheet, self.context = spec, sheet, context
        self.errors: list[RowError] = []
        self._duplicates = 0
        self._order = {h: i for i, h in enumerate(spec.headers)}
        self._inverse = {p: spec.columns[i].header for i, p in enumerate(sheet.positions)}
        self._runs = [_ColumnRun(c, context) for c in spec.columns]
        index = spec.index
        self._row_checks = [(tuple(index(h) for h in rc.needs), rc.check) for rc in spec.row_checks]
        self._keys = [(index(u.header), tuple(index(h) for h in u.within)) for u in spec.unique]
        self._seen: list[tuple[dict, dict]] = [({}, {}) for _ in self._keys]  # first row of each key, rows seen again

    @property
    def clean(self) -> bool:
        """No problem found so far: the clean rows seen until now may still be written."""
        return not self.errors and not self._duplicates

    def reject(self, row: int, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, message))

    def __iter__(self) -> Iterator[tuple[int, list[Any]]]:
        rows = iter(self.sheet)
        while block := list(islice(rows, BLOCK_ROWS)):
            yield from self._block(block)

    def _split(self, block: list[tuple[int, list[Any], tuple[int, ...]]]) -> tuple[list, list, list, bool]:
        """The block's non-blank rows as columns: row numbers, raw cells, texts; whether a control character hides in it."""
        add = self.errors.append
        numbers, rows = [], []
        for n, cells, extra in block:
            for i in extra:
                add(RowError(n, f"第{i + 1}列", "模板之外的列有内容，请删除"))
            numbers.append(n)
            rows.append(cells)
        cells_of = list(zip(*rows))
        texts_of = [_stripped(column) for column in cells_of]
        blank = _blank_positions(texts_of)
        if blank:
            for pos in blank:
                add(RowError(numbers[pos], "", "空行：数据中间不能有空行，请删除该行"))
            keep = [pos for pos in range(len(numbers)) if pos not in blank]
            numbers = [numbers[pos] for pos in keep]
            cells_of = [[column[pos] for pos in keep] for column in cells_of]
            texts_of = [[column[pos] for pos in keep] for column in texts_of]
        risky = any(CONTROL.search("".join(column)) for column in texts_of)
        return numbers, cells_of, texts_of, risky

    def _columns(self, numbers: list[int], cells_of: list, texts_of: list, risky: bool) -> tuple[list, list]:
        """Per column: the values over the block, and the positions empty or failed."""
        columns, holes = [], []
        for run, texts, cells in zip(self._runs, texts_of, cells_of):
            values, problems = run.values(texts, cells, risky)
            self.errors += [RowError(numbers[pos], run.header, problem) for pos, problem in problems]
            columns.append(values)
            gaps = {pos for pos, _ in problems}
            if "" in texts:
                gaps.update(_positions(texts, ""))
            holes.append(gaps)
        return columns, holes

    def _block(self, block: list[tuple[int, list[Any], tuple[int, ...]]]) -> Iterator[tuple[int, list[Any]]]:
        before = len(self.errors)
        numbers, cells_of, texts_of, risky = self._split(block)
        if not numbers:
            return
        columns, holes = self._columns(numbers, cells_of, texts_of, risky)
        formulas, context, add = self.sheet.formulas, self.context, self.errors.append
        if formulas:
            # a formula cell's own value (often none was saved) is not what the user sees: only
            # "是公式" is said about it, never "必填" or a problem of its cached result
            self.errors[before:] = [e for e in self.errors[before:] if not self._in_formula(e, formulas)]
        failed = {e.row for e in self.errors[before:]}
        checks = [(set().union(*(holes[i] for i in needs)), check) for needs, check in self._row_checks]
        keys = [(set().union(holes[i], *(holes[j] for j in within)), i, within, first, again)
                for (i, within), (first, again) in zip(self._keys, self._seen)]
        for pos, (n, values) in enumerate(zip(numbers, map(list, zip(*columns)))):
            if formulas and n in formulas:
                self._formulas(n, formulas[n])
                continue  # its values are not what the user sees: no cross-column checks on them
            bad = n in failed
            for skip, check in checks:
                if pos not in skip:
                    problems = check(values, context)
                    if problems:
                        for column, message in _problems(problems):
                            add(RowError(n, column, message))
                        bad = True
            if not self._seen_again(n, pos, values, keys) and not bad:
                yield n, values

    def _seen_again(self, n: int, pos: int, values: list[Any], keys: list[tuple]) -> bool:
        """Whether an earlier row holds one of this row's unique keys (each such row is noted for the report)."""
        found = False
        for skip, i, within, first, again in keys:
            if pos in skip:
                continue
            key = (values[i], *[values[j] for j in within]) if within else values[i]
            if first.setdefault(key, n) != n:
                again.setdefault(key, []).append(n)
                self._duplicates += 1
                found = True
        return found

    def _in_formula(self, e: RowError, formulas: dict[int, list[int]]) -> bool:
        return e.row in formulas and any(self._inverse.get(c) == e.column for c in formulas[e.row])

    def _formulas(self, n: int, columns: list[int]) -> None:
        for c in columns:
            header = self._inverse.get(c, f"第{c + 1}列")
            self.reject(n, header, f"单元格{column_letter(c)}{n}是公式：请填写值本身（可复制后“选择性粘贴为数值”），不要使用公式")

    def finish(self) -> list[RowError]:
        """Every problem, sorted by row then column, duplicates in the file named with their other rows."""
        for (first, again), u in zip(self._seen, self.spec.unique):
            for key, rows in again.items():
                group = [first[key], *rows]
                for n in group:
                    others = [str(m) for m in group if m != n]
                    shown = "、".join(others[:5]) + ("等" if len(others) > 5 else "")
                    self.errors.append(RowError(n, u.header, f"{u.header}与第{shown}行重复"))
        order = self._order
        return sorted(self.errors, key=lambda e: (e.row, order.get(e.column, -1)))


# --------------------------------------------------------------------------- the report


def summarised(errors: Sequence[RowError], limit: int) -> list[RowError]:
    """At most `limit` problems, then one line saying how many more there are."""
    if len(errors) <= limit:
        return list(errors)
    left = len(errors) - limit
    return [*errors[:limit], RowError(None, "", f"另有 {left} 个问题未列出，请先改正以上问题后重新上传。")]


def as_rows(errors: Iterable[Any]) -> Iterator[dict[str, Any]]:
    """Stored problems as dicts (RowError, dict, or the plain strings of older reports)."""
    for e in errors or []:
        if isinstance(e, RowError):
            yield e.as_dict()
        else:
            yield e if isinstance(e, dict) else {"row": None, "column": "", "message": str(e)}


def error_page(errors: Sequence[Any], number: Any, size: int = ERRORS_PER_PAGE) -> Page:
    """One page of the report, sliced like common.pagination.paginate (rendered by workflow/import_errors.html)."""
    try:
        n = int(number)
    except (TypeError, ValueError):
        n = 1
    count = len(errors)
    last = max(1, -(-count // size))
    n = min(max(n, 1), last)
    offset = (n - 1) * size
    return Page(items=list(as_rows(errors[offset : offset + size])), count=count, number=n, size=size)


ERROR_HEADERS = ["行号", "列", "问题"]


def errors_workbook(errors: Iterable[Any], *, sheet: Sheet | None = None) -> bytes:
    """The problems as .xlsx: 行号, 列, 问题, then (given the sheet) the row's own cells as uploaded.

    Every value is written injection-safe (gradreg.common.xlsx.safe_cell); row numbers stay numbers.
    """
    headers = list(ERROR_HEADERS)
    if sheet is not None:
        headers += list(sheet.columns)
    by_number = {}
    if sheet is not None:
        by_number = {n: cells for n, cells, _ in sheet}

    def rows() -> Iterator[list[Any]]:
        for e in as_rows(errors):
            row = e.get("row")
            line = [row if isinstance(row, int) else str(row if row is not None else ""),
                    str(e.get("column") or ""), str(e.get("message") or "")]
            if sheet is not None:
                line += [cell_text(v) for v in by_number.get(row, ())]
            yield line

    buf = io.BytesIO()
    write_xlsx(buf, sheet="校验问题", headers=headers, rows=rows())
    return buf.getvalue()


class UploadForm(forms.Form):
    """An import's upload: one .xlsx file, named by `label` (what the file holds)."""

    file = forms.FileField(
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX_CONTENT_TYPE}),
        error_messages={"required": "请选择要上传的文件。", "empty": "上传的文件是空的。"},
    )

    def __init__(self, *args, label: str = "导入文件（.xlsx）", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].label = label


class Rejected(Exception):
    """An import's check found problems (`errors`): the caller's transaction rolls back and nothing is written."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        super().__init__(errors)
        self.errors = errors


def kept_outcome(outcome_model, kept: dict[str, Any], run: Callable[[], dict[str, Any]], *, max_errors: int,
                 record: Callable[[Any], None]) -> Any:
    """Run an import's check-and-write in one transaction and keep its outcome either way.

    `run()` checks every row and writes, returning the counts of the done outcome; it raises `Rejected` when a row
    is wrong, which rolls every write back. The outcome row (`outcome_model`, with `kept`, a `status` done/failed
    and the summarised `errors`) is then created and `record(outcome)` audits it.
    """
    try:
        with transaction.atomic():
            outcome = outcome_model.objects.create(**kept, status="done", **run())
            record(outcome)
            return outcome
    except Rejected as rejected:
        errors = rejected.errors
    outcome = outcome_model.objects.create(**kept, status="failed",
                                           errors=[e.as_dict() for e in summarised(errors, max_errors)])
    record(outcome)
    return outcome
