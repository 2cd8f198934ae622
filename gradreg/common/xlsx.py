""".xlsx downloads ("下载当前查询数据", "导出退回修改学生名单"): streamed, flat in memory, injection-safe.

Rows arrive from a database iterator and go straight to xlsxwriter in constant_memory mode, which
flushes each row to a temporary file; the finished workbook is then served from disk. Memory stays
flat however many rows a query returns, and the database cursor is released before the first byte
is sent.
"""
from __future__ import annotations

import datetime as dt
import math
import tempfile
import time
import tracemalloc
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import IO, Any

import xlsxwriter
from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

from .errors import DomainError

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Spreadsheet programs treat a cell starting with any of these as a formula (tab and CR because
# some of them strip leading whitespace first and then see the "=").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

WORKBOOK_OPTIONS: dict[str, Any] = {
    "constant_memory": True,
    # Never let xlsxwriter guess: a string is written as the string it is.
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}

MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header row
_SHEET_NAME_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})

Cell = str | int | float | Decimal


def safe_cell(value: Any) -> Cell:
    """A value as it may go into a cell: numbers stay numbers, everything else becomes safe text."""
    if value.__class__ is str:  # most cells: answered before the isinstance chain
        return "'" + value if value.startswith(FORMULA_START) else value
    if value is None:
        return ""
    if isinstance(value, bool):  # before int: bool is an int
        return "是" if value else "否"
    if isinstance(value, int):
        if abs(value) < 10**15:
            return value
        value = str(value)  # Excel keeps 15 significant digits: a longer integer would be rounded
    elif isinstance(value, float | Decimal):
        if value.is_finite() if isinstance(value, Decimal) else math.isfinite(value):
            return value
        value = str(value)  # NaN and infinity are not numbers a spreadsheet can hold
    elif isinstance(value, dt.datetime):  # before date: datetime is a date
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M")
    elif isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    text = value if isinstance(value, str) else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _sheet_name(name: str) -> str:
    # Excel refuses these characters and names over 31 characters; a title with a date range has both.
    return (name.translate(_SHEET_NAME_FORBIDDEN).strip("'") or "Sheet1")[:31]


def write_xlsx(fileobj: IO[bytes], *, sheet: str, headers: list[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write one sheet (bold, frozen header) to a binary file; returns the number of data rows."""
    count = 0
    # A private folder for xlsxwriter's own row files, so an iterator failing mid-export leaves none.
    with tempfile.TemporaryDirectory(dir=settings.FILE_UPLOAD_TEMP_DIR) as tmpdir:
        wb = xlsxwriter.Workbook(fileobj, {**WORKBOOK_OPTIONS, "tmpdir": tmpdir})
        try:
            ws = wb.add_worksheet(_sheet_name(sheet))
            head = wb.add_format({"bold": True, "bg_color": "#DDE6F0", "border": 1})
            for col, title in enumerate(headers):
                ws.set_column(col, col, min(max(_display_width(title) + 2, 10), 40))
            ws.freeze_panes(1, 0)
            for col, title in enumerate(headers):
                ws.write_string(0, col, str(safe_cell(title)), head)
            for r, row in enumerate(rows, start=1):
                if r > MAX_ROWS:
                    raise DomainError(
                        f"导出数据超过 Excel 单表上限（{MAX_ROWS:,} 行），请缩小查询范围后再导出。",
                        code="too_many_rows",
                    )
                for col, value in enumerate(row):
                    cell = safe_cell(value)
                    if isinstance(cell, str):
                        if cell:  # an empty cell stays blank rather than holding ""
                            ws.write_string(r, col, cell)
                    else:
                        ws.write_number(r, col, cell)
                count = r
        finally:
            wb.close()  # also removes xlsxwriter's row files
    return count


def xlsx_response(*, filename: str, sheet: str, headers: list[str], rows: Iterable[Sequence[Any]]) -> FileResponse:
    """An attachment download of `rows`, written to a temporary file and streamed from it."""
    if not filename.lower().endswith(".xlsx"):
        filename += ".xlsx"
    # An anonymous temporary file: on Linux it has no name on disk at all, so it disappears when the
    # response closes it (or the worker dies) and nothing is left to clean up.
    fh = tempfile.TemporaryFile(dir=settings.FILE_UPLOAD_TEMP_DIR)
    try:
        write_xlsx(fh, sheet=sheet, headers=headers, rows=rows)
        fh.seek(0)
        return FileResponse(fh, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
    except BaseException:
        fh.close()
        raise


# --------------------------------------------------------------------------- benchmark


BENCH_HEADERS = ["学号", "姓名", "性别", "院系", "专业", "单位名称", "年薪（万元）", "毕业年份", "登记日期", "提交时间"]


def bench_rows(n: int) -> Iterator[tuple[Any, ...]]:
    """`n` rows shaped like a destination list: Chinese text, numbers, dates, aware datetimes."""
    start = dt.date(2027, 6, 30)
    stamp = timezone.now()
    for i in range(n):
        yield (
            f"S2027{i:06d}", f"张{'三四五六七'[i % 5]}{i}", "男" if i % 2 else "女", "计算机学院",
            "计算机科学与技术", f"某某科技有限公司第{i % 97}分公司", Decimal(12) + Decimal(i % 50) / 10,
            2027, start - dt.timedelta(days=i % 365), stamp - dt.timedelta(minutes=i),
        )


def _measure(run: Any, rows: int) -> dict[str, float]:
    # Two runs: tracemalloc slows allocation-heavy code several-fold, so time is taken without it.
    t0 = time.perf_counter()
    run(rows)
    elapsed = time.perf_counter() - t0
    tracemalloc.start()
    try:
        run(rows)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return {"rows": rows, "rows_per_s": round(rows / elapsed), "peak_mb": round(peak / 2**20, 2)}


def _export_and_stream(rows: int) -> None:
    response = xlsx_response(filename="基准.xlsx", sheet="基准", headers=BENCH_HEADERS, rows=bench_rows(rows))
    try:
        for _ in response.streaming_content:
            pass
    finally:
        # The file only: response.close() would also send request_finished, which touches the database.
        response.file_to_stream.close()


def _bare_xlsxwriter(rows: int) -> None:
    with tempfile.TemporaryFile() as fh:
        wb = xlsxwriter.Workbook(fh, {"constant_memory": True, "remove_timezone": True})
        ws = wb.add_worksheet("基准")
        ws.write_row(0, 0, BENCH_HEADERS)
        for r, row in enumerate(bench_rows(rows), start=1):
            ws.write_row(r, 0, row)
        wb.close()


def measure_export(rows: int) -> dict[str, float]:
    """Rows per second and peak traced memory (MB) of `xlsx_response`, streamed to the end."""
    return _measure(_export_and_stream, rows)


def measure_bare_xlsxwriter(rows: int) -> dict[str, float]:
    """The same rows with bare xlsxwriter in constant_memory mode: the floor `measure_export` is held to."""
    return _measure(_bare_xlsxwriter, rows)


def workbook_response(content: bytes, filename: str) -> HttpResponse:
    """A workbook built in memory (an import template, an errors report), as a download."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response
