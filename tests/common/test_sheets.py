"""The shared sheet reader: caps, zip bombs, formulas, header matching, blank rows, raw cells."""
from __future__ import annotations

import io
import zipfile

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile

from gradreg.common.errors import DomainError
from gradreg.common.sheets import Limits, cell_text, column_letter, is_number, match_header, read_sheet

COLUMNS = ("考生号", "姓名", "身份证号")
LIMITS = Limits(max_bytes=5 * 1024 * 1024, max_rows=1000)


def workbook(rows: list[list | None], *, merge: tuple[int, int, int, int] | None = None,
             formulas: dict[tuple[int, int], str] | None = None, numbers: bool = False) -> bytes:
    """Rows from A1 (None = a blank row); strings stay strings unless `numbers`."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": numbers})
    ws = wb.add_worksheet("名单")
    for r, values in enumerate(rows):
        for c, v in enumerate(values or []):
            ws.write(r, c, v) if not isinstance(v, str) else ws.write_string(r, c, v)
    if merge:
        ws.merge_range(*merge, rows[0][merge[1]])
    for (r, c), formula in (formulas or {}).items():
        ws.write_formula(r, c, formula, None, 7)
    wb.close()
    return buf.getvalue()


def upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("名单.xlsx", content)


def read(content: bytes, **kw):
    kw.setdefault("limits", LIMITS)
    return read_sheet(upload(content), kw.pop("columns", COLUMNS), **kw)


def test_rows_come_with_their_excel_row_numbers_and_raw_cells():
    sheet = read(workbook([list(COLUMNS), ["27440101000001", "张三", "440106200501010012"], ["A2", "李四", 12.0]]))
    rows = list(sheet)
    assert [n for n, _, _ in rows] == [2, 3] and sheet.first_row == 2 and len(sheet) == 2
    assert rows[0][1] == ["27440101000001", "张三", "440106200501010012"]
    assert is_number(rows[1][1][2]) and not is_number(rows[0][1][2]) and not is_number(True)
    assert sheet.texts("姓名") == {"张三", "李四"} and sheet.texts("身份证号") == {"440106200501010012", "12"}


def test_reordered_headers_are_mapped_by_name():
    content = workbook([["身份证号", "考生号", "姓名"], ["440106200501010012", "27440101000001", "张三"]])
    sheet = read(content)
    assert sheet.positions == (1, 2, 0)
    assert list(sheet)[0][1] == ["27440101000001", "张三", "440106200501010012"]
    with pytest.raises(DomainError, match="列的顺序与模板不同"):
        read(content, ordered=True)


def test_header_may_start_below_blank_rows():
    sheet = read(workbook([None, None, list(COLUMNS), ["1", "张三", "2"]]))
    assert sheet.first_row == 4 and [n for n, _, _ in sheet] == [4]


def test_missing_unknown_repeated_and_unnamed_headers_are_named_in_one_message():
    with pytest.raises(DomainError) as e:
        read(workbook([["考生号", "备注", "考生号", "", "姓名"], ["1", "x", "1", "", "张三"]]))
    assert e.value.code == "wrong_columns" and e.value.field == "file"
    text = e.value.message
    assert "缺少列：“身份证号”" in text and "多出列：“备注”" in text and "重复的列：“考生号”" in text
    assert "第4列没有列名" in text


def test_merged_header_cells_are_reported():
    content = workbook([["考生号", "姓名", "", "身份证号"], ["1", "张三", "", "2"]], merge=(0, 1, 0, 2))
    with pytest.raises(DomainError, match=r"合并的表头单元格：B1:C1（请取消合并，每列一个列名）"):
        read(content)


def test_blank_rows_are_kept_and_trailing_ones_dropped():
    sheet = read(workbook([list(COLUMNS), ["1", "张三", "2"], None, ["  ", "", ""], ["3", "李四", "4"], None, [" "]]))
    assert [n for n, _, _ in sheet] == [2, 3, 4, 5]  # the rows after the data are formatting


def test_content_right_of_the_header_is_flagged():
    sheet = read(workbook([list(COLUMNS), ["1", "张三", "2", "", "多余"]]))
    assert [extra for _, _, extra in sheet] == [(4,)]


def test_formula_cells_are_found_with_row_and_column():
    sheet = read(workbook([list(COLUMNS), ["1", "张三", "2"], ["3", "李四", "4"]], formulas={(2, 1): "=B2"}))
    assert sheet.formulas == {3: [1]}
    with pytest.raises(DomainError, match="表头含有公式"):
        read(workbook([list(COLUMNS), ["1", "张三", "2"]], formulas={(0, 2): '="身份证号"'}))


@pytest.mark.parametrize("content,text", [
    (b"", "空的"),
    (b"id,name\n1,x\n", "无法读取该文件"),
    (b"PK\x03\x04" + b"\x00" * 100, "无法读取该文件"),
])
def test_not_a_workbook(content, text):
    with pytest.raises(DomainError, match=text):
        read(content)


def test_empty_sheet_and_header_only():
    with pytest.raises(DomainError, match="没有内容：第一行应为模板的表头，从第二行起每行一名毕业生"):
        read(workbook([]), item="毕业生")
    with pytest.raises(DomainError, match="只有表头，没有记录数据"):
        read(workbook([list(COLUMNS)]))


def test_oversized_file_is_refused_before_it_is_opened():
    content = workbook([list(COLUMNS)] + [[str(i), "张三" * 20, str(i)] for i in range(300)])
    with pytest.raises(DomainError, match="文件过大：上限为 0 MB") as e:
        read(content, limits=Limits(max_bytes=len(content) - 1, max_rows=1000))
    assert e.value.code == "too_large"


def test_row_and_column_caps():
    content = workbook([list(COLUMNS)] + [["1", "张三", "2"]] * 5)
    with pytest.raises(DomainError, match="最多 4 行"):
        read(content, limits=Limits(max_bytes=10**7, max_rows=4))
    wide = workbook([[*COLUMNS, *[f"c{i}" for i in range(10)]], ["1"] * 13])
    with pytest.raises(DomainError, match="列数超过 5 列") as e:
        read(wide, limits=Limits(max_bytes=10**7, max_rows=10, max_columns=5))
    assert e.value.code == "too_many_columns"


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_zip_bomb_is_refused_before_it_is_inflated():
    bomb = _zip({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"\x00" * (40 * 1024 * 1024)})
    assert len(bomb) < 100_000  # 40 MB of zeros in a few kilobytes
    with pytest.raises(DomainError, match="解压后过大"):
        read(bomb)


def test_a_lying_archive_is_refused_while_it_inflates():
    # the central directory claims 10 bytes; the member really inflates to 40 MB
    content = bytearray(_zip({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"a" * (40 * 1024 * 1024)}))
    for header in (b"PK\x03\x04", b"PK\x01\x02"):
        start = 0
        while (at := content.find(header, start)) != -1:
            offset = at + (22 if header == b"PK\x03\x04" else 24)
            name_at = at + (30 if header == b"PK\x03\x04" else 46)
            if content[name_at : name_at + 24] == b"xl/worksheets/sheet1.xml":
                content[offset : offset + 4] = (10).to_bytes(4, "little")
            start = at + 4
    with pytest.raises(DomainError) as e:
        read(bytes(content))
    assert e.value.code == "not_xlsx"


def test_too_many_archive_members():
    members = {"xl/workbook.xml": b"<workbook/>", **{f"xl/media/{i}.bin": b"x" for i in range(20)}}
    with pytest.raises(DomainError, match="无法读取该文件"):
        read(_zip(members), limits=Limits(max_bytes=10**7, max_rows=10, max_members=10))


def test_match_header_and_helpers():
    assert match_header(["a", "b", ""], ("a", "b"), ordered=True) == (0, 1)
    assert match_header(["b", "a"], ("a", "b"), ordered=False) == (1, 0)
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
    assert [cell_text(v) for v in (" x ", None, 12.0, 2.5, True)] == ["x", "", "12", "2.5", "是"]
