"""Reading an uploaded .xlsx safely, for every batch import.

`read_sheet` refuses anything that is not a sound workbook before a cell becomes a Python object:
the file's size, the archive's members and their real inflated size (a zip bomb is stopped while
it inflates), formula cells (named by row and column), and sheets over the row or column cap. It
then finds the header row, maps the declared columns to the sheet's columns by name (reordered
headers accepted unless the caller wants the template's order; merged, missing, unknown, repeated
and unnamed headers reported in one Chinese message), and keeps every row under it with its Excel
row number. Blank rows are kept (the caller reports them and goes on reading); blank rows after the
data are formatting and dropped.

Each cell comes as the raw value python-calamine gives: str for text, float for anything Excel
stored as a number (so a column can refuse a number where text with leading zeros is expected,
see `is_number`), date/datetime for date cells, bool.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from posixpath import normpath
from typing import Any

from python_calamine import CalamineWorkbook

from .errors import DomainError

# Formula cells: the <f> element of a cell (any namespace prefix); found with plain byte searches.
_FORMULA_NEEDLES = (b"<f", b":f")  # then confirmed by _FORMULA_TAG
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")
_CELL_REF = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\b[^>]*?\br=\"([A-Z]{1,3})(\d{1,7})\"")
_SHEET_ENTRY = re.compile(rb"<(?:[\w.-]+:)?sheet\b[^>]*?\b[\w.-]+:id=\"([^\"]+)\"")
_RELATIONSHIP = re.compile(rb"<(?:[\w.-]+:)?Relationship\b[^>]*>")
_ATTR = re.compile(rb"\b(Id|Target)=\"([^\"]*)\"")
CHUNK = 4 << 20
NUMBER_TYPES = (int, float)


@dataclass(frozen=True)
class Limits:
    """What an upload may be: bytes on the wire, data rows, columns, and how far its archive may inflate."""

    max_bytes: int
    max_rows: int
    max_columns: int = 100
    # a real workbook inflates ~15x; a zip bomb inflates thousands of times
    max_inflate_ratio: int = 30
    max_members: int = 1000

    def inflated_cap(self, size: int) -> int:
        return max(size, 1024 * 1024) * self.max_inflate_ratio


def _file_error(message: str, code: str) -> DomainError:
    return DomainError(message, code=code, field="file")


def not_xlsx() -> DomainError:
    return _file_error("无法读取该文件：请上传由模板填写、另存为 Excel 工作簿（.xlsx）格式的文件。", "not_xlsx")


def too_many_rows(limit: int) -> DomainError:
    return _file_error(f"单个文件最多 {limit} 行，请分批上传。", "too_many_rows")


# --------------------------------------------------------------------------- cells


def cell_text(value: Any) -> str:
    """A cell as the text the user sees (numbers without '.0', dates as YYYY-MM-DD)."""
    if value.__class__ is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def is_number(value: Any) -> bool:
    """Whether Excel stored the cell as a number (leading zeros and digits past the 15th are lost)."""
    return value.__class__ in NUMBER_TYPES


def is_blank(row: Sequence[Any]) -> bool:
    for v in row:
        if v.__class__ is str:
            if v.strip():
                return False
        elif v is not None:
            return False
    return True


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


# --------------------------------------------------------------------------- the archive


def size_of(uploaded_file) -> int:
    size = getattr(uploaded_file, "size", None)
    if size is None:
        uploaded_file.seek(0, io.SEEK_END)
        size = uploaded_file.tell()
        uploaded_file.seek(0)
    return int(size)


def _read_small(zf: zipfile.ZipFile, name: str, cap: int = 4 * 1024 * 1024) -> bytes:
    with zf.open(name) as fh:
        data = fh.read(cap + 1)
    if len(data) > cap:
        raise not_xlsx()
    return data


def _first_sheet_path(zf: zipfile.ZipFile, names: set[str]) -> str | None:
    """The archive path of the workbook's first worksheet (the one python-calamine reads as index 0)."""
    m = _SHEET_ENTRY.search(_read_small(zf, "xl/workbook.xml"))
    if not m or "xl/_rels/workbook.xml.rels" not in names:
        return None
    for rel in _RELATIONSHIP.finditer(_read_small(zf, "xl/_rels/workbook.xml.rels")):
        attrs = dict(_ATTR.findall(rel.group(0)))
        if attrs.get(b"Id") == m.group(1) and b"Target" in attrs:
            target = attrs[b"Target"].decode("utf-8", "replace")
            path = target.lstrip("/") if target.startswith("/") else normpath(f"xl/{target}")
            return path if path in names else None
    return None


def _formula_cells(data: bytes, begin: int = 0) -> Iterator[tuple[int, int] | None]:
    """(Excel row, column index) of each formula element from `begin` in a piece of sheet XML; None when unnamed."""
    for needle in _FORMULA_NEEDLES:
        start = data.find(needle, begin)
        while start != -1:
            at = start if needle[0:1] == b"<" else data.rfind(b"<", 0, start)
            if at != -1 and _FORMULA_TAG.match(data, at):
                refs = list(_CELL_REF.finditer(data, max(0, at - 2000), at))
                yield (int(refs[-1].group(2)), _column_index(refs[-1].group(1).decode())) if refs else None
            start = data.find(needle, start + 1)


class _Inflated:
    """Counts the bytes really inflated, across members, and stops at the cap."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.total = 0

    def add(self, n: int) -> None:
        self.total += n
        if self.total > self.cap:
            raise _file_error("文件内容异常（解压后过大），请用模板重新填写后上传。", "not_xlsx")


def _inspect(uploaded_file, size: int, limits: Limits) -> set[tuple[int, int] | None]:
    """Check the archive member by member while inflating it; returns the first sheet's formula cells."""
    uploaded_file.seek(0)
    if uploaded_file.read(4) != b"PK\x03\x04":
        raise not_xlsx()
    uploaded_file.seek(0)
    formulas: set[tuple[int, int] | None] = set()
    try:
        with zipfile.ZipFile(uploaded_file) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            if "xl/workbook.xml" not in names or len(infos) > limits.max_members:
                raise not_xlsx()
            inflated = _Inflated(limits.inflated_cap(size))
            inflated.add(sum(i.file_size for i in infos))  # what the archive declares, before inflating
            inflated.total = 0  # then what it really inflates to (a lying directory fails its CRC check)
            sheet = _first_sheet_path(zf, names)
            for info in infos:
                scan = info.filename == sheet or (sheet is None and info.filename.startswith("xl/worksheets/"))
                with zf.open(info) as fh:
                    tail = b""
                    while chunk := fh.read(CHUNK):
                        inflated.add(len(chunk))
                        if scan:
                            piece = tail + chunk
                            # a tag cut at the chunk boundary starts in the tail's last bytes
                            formulas.update(_formula_cells(piece, max(0, len(tail) - 4)))
                            tail = piece[-2100:]
    except DomainError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError):
        raise not_xlsx() from None
    return formulas


# --------------------------------------------------------------------------- the sheet


@dataclass
class Sheet:
    """The data rows under the header, with the declared columns found in the header by name."""

    columns: tuple[str, ...]
    positions: tuple[int, ...]  # the sheet column of each declared column
    width: int  # named header cells: anything right of them is outside the template
    first_row: int  # the Excel row number of rows[0]
    rows: list[list[Any]]
    formulas: dict[int, list[int]] = field(default_factory=dict)  # Excel row -> sheet columns holding a formula

    def __len__(self) -> int:
        return len(self.rows)

    def texts(self, column: str) -> set[str]:
        """Every non-empty text of one declared column (for lookups done in bulk before the rows are checked)."""
        get = itemgetter(self.positions[self.columns.index(column)])
        return {v.strip() if v.__class__ is str else cell_text(v) for v in map(get, self.rows)} - {""}

    def __iter__(self) -> Iterator[tuple[int, list[Any], tuple[int, ...]]]:
        """(Excel row number, cells in declared order, sheet columns outside the template that hold content)."""
        width = self.width
        identity = self.positions == tuple(range(len(self.positions)))
        pick = itemgetter(*self.positions)
        single = len(self.positions) == 1
        first = self.first_row
        for offset, raw in enumerate(self.rows):
            extra: tuple[int, ...] = ()
            if len(raw) > width:
                if not is_blank(raw[width:]):
                    extra = tuple(i for i in range(width, len(raw)) if cell_text(raw[i]))
                raw = raw[:width]
            if identity:
                cells = raw
            else:
                cells = [pick(raw)] if single else list(pick(raw))
            yield first + offset, cells, extra


def _header_problems(header: list[str], columns: Sequence[str], merged: list[str]) -> list[str]:
    named = [h for h in header if h]
    declared = set(columns)
    parts = []
    if merged:
        parts.append("合并的表头单元格：" + "、".join(merged) + "（请取消合并，每列一个列名）")
    missing = [c for c in columns if c not in named]
    unexpected = [h for h in named if h not in declared]
    repeated = sorted({h for h in named if named.count(h) > 1})
    if missing:
        parts.append("缺少列：" + "、".join(f"“{c}”" for c in missing))
    if unexpected:
        parts.append("多出列：" + "、".join(f"“{c}”" for c in unexpected))
    if repeated:
        parts.append("重复的列：" + "、".join(f"“{c}”" for c in repeated))
    blanks = [str(i + 1) for i, h in enumerate(header) if not h]
    if blanks and not merged:
        parts.append("第" + "、".join(blanks) + "列没有列名")
    return parts


def match_header(header: list[str], columns: Sequence[str], *, ordered: bool, merged: list[str] = ()) -> tuple[int, ...]:
    """The sheet column of each declared column; a DomainError naming every header problem otherwise."""
    while header and not header[-1]:
        header.pop()
    if not merged and tuple(header) == tuple(columns):
        return tuple(range(len(columns)))
    parts = _header_problems(header, columns, list(merged))
    if not parts and not ordered:
        return tuple(header.index(c) for c in columns)
    if not parts:
        parts.append("列的顺序与模板不同")
    tail = "第一行保持模板的列名和顺序" if ordered else "第一行使用模板的列名（列的顺序不限）"
    raise DomainError("表头与模板不一致（" + "；".join(parts) + f"）。请下载最新模板，{tail}。",
                      code="wrong_columns", field="file")


def _merged_in_row(ranges, row: int) -> list[str]:
    found = []
    for (r0, c0), (r1, c1) in ranges or ():
        if r0 <= row <= r1 and (c0, r0) != (c1, r1):
            found.append(f"{column_letter(c0)}{r0 + 1}:{column_letter(c1)}{r1 + 1}")
    return found


def _formula_rows(formulas: set[tuple[int, int] | None], header_row: int) -> dict[int, list[int]]:
    """Formula cells by Excel row; a formula in or above the header, or one that cannot be placed, refuses the file."""
    if None in formulas:
        raise _file_error("表格中含有公式：请把公式改为数值（复制后“选择性粘贴为数值”）后再上传。", "formula")
    by_row: dict[int, list[int]] = {}
    for r, c in sorted(formulas):  # type: ignore[type-var]
        if r <= header_row:
            raise _file_error("表头含有公式，请直接填写模板的列名。", "formula")
        by_row.setdefault(r, []).append(c)
    return by_row


def _grid(uploaded_file, limits: Limits) -> tuple[list[list[Any]], list]:
    """Every cell of the first worksheet from A1, and its merged ranges."""
    uploaded_file.seek(0)
    try:
        sheet = CalamineWorkbook.from_filelike(uploaded_file).get_sheet_by_index(0)
    except Exception:  # noqa: BLE001  calamine raises several types for damaged files; all mean the same here
        raise _file_error("文件已损坏或不是有效的 Excel（.xlsx）文件，请重新保存后上传。", "corrupt") from None
    # refused before the cells become Python objects (a million rows would take gigabytes)
    if sheet.height > limits.max_rows + 1:
        raise too_many_rows(limits.max_rows)
    if sheet.width > limits.max_columns:
        raise _file_error(f"表格的列数超过 {limits.max_columns} 列，请只保留模板中的列后再上传。", "too_many_columns")
    # skip_empty_area=False keeps row i at Excel row i+1, so reported row numbers are exact
    return sheet.to_python(skip_empty_area=False), sheet.merged_cell_ranges or []


def read_sheet(uploaded_file, columns: Sequence[str], *, limits: Limits, ordered: bool = False,
               item: str = "记录") -> Sheet:
    """The first worksheet of an uploaded .xlsx, checked and mapped to `columns` (see the module docstring).

    `item` names one data row in the messages ("从第二行起每行一名毕业生").
    """
    size = size_of(uploaded_file)
    if size > limits.max_bytes:
        raise _file_error(f"文件过大：上限为 {limits.max_bytes // (1024 * 1024)} MB，请分批上传。", "too_large")
    if size == 0:
        raise _file_error("上传的文件是空的。", "empty")
    formulas = _inspect(uploaded_file, size, limits)
    grid, merged = _grid(uploaded_file, limits)
    head = 0
    while head < len(grid) and is_blank(grid[head]):
        head += 1
    if head == len(grid):
        raise _file_error(f"文件中没有内容：第一行应为模板的表头，从第二行起每行一名{item}。", "empty")
    by_row = _formula_rows(formulas, head + 1)
    header = [cell_text(v) for v in grid[head]]
    positions = match_header(header, columns, ordered=ordered, merged=_merged_in_row(merged, head))
    end = len(grid)
    while end > head + 1 and is_blank(grid[end - 1]):
        end -= 1  # blank rows after the data are formatting, not data
    rows = grid[head + 1 : end]
    if not rows:
        raise _file_error(f"文件中只有表头，没有{item}数据。", "empty")
    if len(rows) > limits.max_rows:
        raise too_many_rows(limits.max_rows)
    return Sheet(columns=tuple(columns), positions=positions, width=len(header), first_row=head + 2, rows=rows, formulas=by_row)
