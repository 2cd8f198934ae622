"""The 去向登记信息表 as a signed PDF (seed 6): A4, Chinese in the embedded font, titled 在线核验报告, with the code
it is verified by, the QR code and its address, the sections the HTML partial shows, and the platform's signature.

The signature's reason names the sheet and its code, so the document check can read the code back once the
signature verifies (`sheet_signature.signed_sheet`). `issue_sheet` records each file it hands out (`SheetIssue`).
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.utils import timezone
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, Spacer, Table

from gradreg.common.pdfdoc import (
    INK,
    MUTED,
    PLATFORM,
    QrCode,
    Row,
    build_a4,
    header_table,
    section_table,
    style,
    text,
)
from gradreg.common.pdfsign import chinese_font, sha256_hex, sign_pdf

from .models import SheetIssue, SheetKind
from .sheet_signature import signature_reason
from .sheets import CHECK_TITLES, Sheet

QR_SIZE = 28 * mm
SIDE_WIDTH = 50 * mm  # room for the grouped code on one line (`_code_style`)
PAIR_MAX = 14  # a value longer than this takes a whole line
NOTE = ("本表由{platform}根据毕业生登记、学校审核的信息生成，并经平台电子签名。接收单位可扫描二维码、访问核验网址，"
        "或在“{check}”页面输入毕业生姓名和{label}，核验本表内容是否真实、是否为最新版本；"
        "也可上传本 PDF 文件核验其是否被改动。本表不含身份证件号码、联系电话等个人敏感信息。")

class _Styles:
    def __init__(self, font: str) -> None:
        self.font = font
        self.report = style(font, "report", 10, alignment=TA_CENTER, textColor=MUTED)
        self.title = style(font, "title", 17, alignment=TA_CENTER, leading=24, spaceBefore=2)
        self.meta_label = style(font, "meta_label", 7.5, alignment=TA_RIGHT, textColor=MUTED)
        self.meta_value = style(font, "meta_value", 9.5, alignment=TA_RIGHT, spaceAfter=3)
        self.code = style(font, "code", 11, alignment=TA_RIGHT, leading=15, spaceAfter=3)
        self.url = style(font, "url", 7.5, textColor=MUTED)
        self.section = style(font, "section", 10.5)
        self.label = style(font, "label", 9, textColor=INK)
        self.value = style(font, "value", 9.5)
        self.note = style(font, "note", 8, leading=12, textColor=MUTED)


def _rows(rows: Sequence[tuple[str, str]]) -> list[Row]:
    """Label/value pairs two to a line; a long value (an address, a unit's name) on a line of its own."""
    out: list[Row] = []
    pending: tuple[str, str] | None = None
    for label, value in rows:
        if len(value or "") > PAIR_MAX:
            out.append((label, value, None, None))
        elif pending is None:
            pending = (label, value)
        else:
            out.append((*pending, label, value))
            pending = None
    if pending is not None:
        out.append((*pending, None, None))
    return out


def _section(heading: str, rows: Sequence[tuple[str, str]], s: _Styles, empty: str = "") -> Table:
    shown = _rows(rows) if rows else [("说明", empty, None, None)]
    return section_table(heading, shown, font=s.font, heading_style=s.section, label_style=s.label,
                         value_style=s.value, label_width=26 * mm)


def _code_style(sheet: Sheet, s: _Styles) -> ParagraphStyle:
    """The code's style: 11 pt, or smaller where its letters are wide, so it never breaks across two lines (the
    side column less its padding)."""
    size = min(s.code.fontSize, (SIDE_WIDTH - 14) / stringWidth(sheet.code_shown, s.font, 1))
    return style(s.font, "code_fit", size, alignment=TA_RIGHT, leading=size * 1.36, spaceAfter=3)


def _header(sheet: Sheet, s: _Styles, issued: datetime) -> Table:
    title = [Paragraph(sheet.report_title, s.report), Paragraph(text(sheet.title), s.title)]
    meta: list[Any] = []
    if sheet.code:
        meta += [Paragraph(sheet.code_label, s.meta_label), Paragraph(sheet.code_shown, _code_style(sheet, s))]
    meta += [Paragraph("生成时间", s.meta_label), Paragraph(f"{issued:%Y-%m-%d %H:%M}", s.meta_value)]
    qr: Any = QrCode(sheet.qr_url, QR_SIZE) if sheet.qr_url else ""
    check = CHECK_TITLES[SheetKind(sheet.kind)]
    url = Paragraph(f"核验网址：{text(sheet.qr_url)}（扫描左侧二维码或访问此网址，核验本表的真实性与有效性；"
                    f"也可在“{check}”页面输入姓名和编号核验）" if sheet.qr_url else "本表未附核验编号，仅供预览。",
                    s.url)
    return header_table(qr, title, meta, url, font=s.font, side_width=SIDE_WIDTH)


def _story(sheet: Sheet, s: _Styles, issued: datetime) -> list[Flowable]:
    story: list[Flowable] = [
        _header(sheet, s, issued), Spacer(0, 4 * mm),
        _section("基本信息", sheet.basic, s),
        _section("毕业去向信息", sheet.destination, s, empty="暂无上报的毕业去向。"),
    ]
    if sheet.transfer:
        story.append(_section(sheet.transfer_title, sheet.transfer, s))
    check = CHECK_TITLES[SheetKind(sheet.kind)]
    story += [Spacer(0, 2 * mm),
              Paragraph(NOTE.format(platform=PLATFORM, check=check, label=sheet.code_label or "编号"), s.note)]
    return story


def render_sheet(sheet: Sheet, *, issued_at: datetime | None = None) -> bytes:
    """The signed PDF bytes of the sheet as given (its code, if any, printed and named in the signature)."""
    issued = timezone.localtime(issued_at or timezone.now())
    s = _Styles(chinese_font())
    footer = f"{sheet.code_label}：{sheet.code_shown}" if sheet.code else sheet.title
    unsigned = build_a4(_story(sheet, s, issued), font=s.font, title=f"{sheet.report_title} · {sheet.title}",
                        subject=f"{sheet.title}（{sheet.graduate_name}）", footer_left=footer)
    return sign_pdf(unsigned, reason=signature_reason(sheet) if sheet.code else f"{PLATFORM}生成{sheet.title}预览")


def issue_sheet(sheet: Sheet, *, actor) -> bytes:
    """Render the sheet with its code and record the file (`SheetIssue`): the document check finds it by its
    SHA-256 and tells it current or superseded by `content_sha256`."""
    if not sheet.code:
        raise ValueError("a sheet is issued with its code")
    data = render_sheet(sheet)
    SheetIssue.objects.create(kind=sheet.kind, code_type=sheet.code_type, code=sheet.code,
                              graduate_id=sheet.graduate_id, school_id=sheet.school_id, sha256=sha256_hex(data),
                              content_sha256=sheet.content_sha256(), issued_by=actor)
    return data
