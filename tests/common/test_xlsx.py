""".xlsx exports: formula escaping, numbers kept as numbers, a streamed attachment, flat memory."""
from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from decimal import Decimal

import openpyxl
import pytest

from gradreg.common.xlsx import (
    XLSX_CONTENT_TYPE,
    measure_bare_xlsxwriter,
    measure_export,
    safe_cell,
    write_xlsx,
    xlsx_response,
)

# Responses are closed by their file: response.close() sends request_finished, which wants a database.
HEADERS = ["学号", "姓名", "年薪（万元）", "毕业时间"]


def read_back(data: bytes) -> openpyxl.worksheet.worksheet.Worksheet:
    return openpyxl.load_workbook(io.BytesIO(data)).active


def workbook_of(rows: list[tuple], headers: list[str] = HEADERS) -> openpyxl.worksheet.worksheet.Worksheet:
    buf = io.BytesIO()
    write_xlsx(buf, sheet="名单", headers=headers, rows=iter(rows))
    return read_back(buf.getvalue())


@pytest.mark.parametrize(
    "raw",
    ["=HYPERLINK(\"http://evil\",\"x\")", "+1", "-2", "@SUM(A1)", "\t=cmd", "\r=cmd", "=1+1"],
)
def test_each_dangerous_start_is_quoted_and_written_as_text(raw):
    assert safe_cell(raw) == "'" + raw
    cell = workbook_of([(raw,)], ["值"])["A2"]
    # the file stores CR as _x000D_ (Excel turns it back; openpyxl does not)
    assert cell.value == "'" + raw.replace("\r", "_x000D_") and cell.data_type == "s"


def test_strings_that_look_like_numbers_or_links_stay_strings():
    ws = workbook_of([("001", "3.14", "2027-06-30", "http://example.com/x")], ["a", "b", "c", "d"])
    cells = list(ws.iter_rows(min_row=2))[0]
    assert [c.value for c in cells] == ["001", "3.14", "2027-06-30", "http://example.com/x"]
    assert all(c.data_type == "s" and c.hyperlink is None for c in cells)


def test_numbers_stay_numbers_and_other_values_become_text():
    beijing = zoneinfo.ZoneInfo("Asia/Shanghai")
    submitted = dt.datetime(2027, 3, 1, 2, 30, tzinfo=dt.UTC)  # 10:30 in Beijing
    row = (-5, 12.5, Decimal("13.20"), dt.date(2027, 6, 30), submitted, True, False, None, 10**17)
    ws = workbook_of([row], [str(i) for i in range(len(row))])
    values = [c.value for c in list(ws.iter_rows(min_row=2))[0]]
    assert values[:3] == [-5, 12.5, 13.2]
    assert values[3:8] == ["2027-06-30", "2027-03-01 10:30", "是", "否", None]
    assert values[8] == "100000000000000000"  # Excel would round 18 digits to 15
    assert safe_cell(submitted.astimezone(beijing)) == "2027-03-01 10:30"
    assert safe_cell(float("nan")) == "nan" and safe_cell(None) == ""


def test_header_is_bold_and_frozen_and_every_row_is_counted():
    buf = io.BytesIO()
    count = write_xlsx(buf, sheet="退回修改学生名单", headers=HEADERS, rows=((f"S{i}", "张三", i, "") for i in range(7)))
    ws = read_back(buf.getvalue())
    assert count == 7 and ws.max_row == 8
    assert ws.title == "退回修改学生名单" and ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]] == HEADERS and all(c.font.b for c in ws[1])
    assert ws.column_dimensions["A"].width >= 10


def test_response_streams_a_valid_workbook_with_a_chinese_filename():
    rows = ((f"S2027{i:06d}", "张三", Decimal("12.5"), dt.date(2027, 6, 30)) for i in range(50))
    response = xlsx_response(filename="退回修改学生名单", sheet="名单", headers=HEADERS, rows=rows)
    try:
        assert response.streaming
        assert response["Content-Type"] == XLSX_CONTENT_TYPE
        disposition = response["Content-Disposition"]
        # RFC 5987: the UTF-8 name, percent-encoded, with the extension added
        assert disposition.startswith("attachment;")
        assert "filename*=utf-8''%E9%80%80%E5%9B%9E%E4%BF%AE%E6%94%B9%E5%AD%A6%E7%94%9F%E5%90%8D%E5%8D%95.xlsx" in disposition
        data = b"".join(response.streaming_content)
    finally:
        response.file_to_stream.close()
    assert data[:2] == b"PK" and int(response["Content-Length"]) == len(data)
    ws = read_back(data)
    assert [c.value for c in ws[1]] == HEADERS and ws.max_row == 51
    assert [c.value for c in ws[2]] == ["S2027000000", "张三", 12.5, "2027-06-30"]


def test_rows_are_consumed_lazily_not_materialised():
    seen = []

    def rows():
        for i in range(3):
            seen.append(i)
            yield (i,)

    gen = rows()
    response = xlsx_response(filename="x.xlsx", sheet="s", headers=["n"], rows=gen)
    response.file_to_stream.close()
    assert seen == [0, 1, 2] and next(gen, None) is None


def test_a_failing_row_source_leaves_no_response_and_propagates():
    def rows():
        yield ("ok",)
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        xlsx_response(filename="x.xlsx", sheet="s", headers=["n"], rows=rows())


def test_memory_stays_flat_in_row_count():
    # Small sizes keep the test fast; the benchmark helpers report the 2,000 / 20,000 figures.
    # xlsxwriter's own buffers level off near 0.65 MB; holding the rows would add ~1 MB per 1,000.
    small, large = measure_export(300), measure_export(1_500)
    assert large["peak_mb"] < 2 * small["peak_mb"]
    assert set(measure_bare_xlsxwriter(100)) == {"rows", "rows_per_s", "peak_mb"}
