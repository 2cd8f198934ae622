"""The e-agreement PDF (全国普通高等学校毕业生就业协议书): A4, Chinese, with a QR code and the platform's signature."""
from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import segno
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from gradreg.common.pdfsign import chinese_font, sign_pdf

TITLE = "全国普通高等学校毕业生就业协议书"
PLATFORM = "毕业去向登记与网上签约平台"
SHANGHAI = ZoneInfo("Asia/Shanghai")

MARGIN_X = 18 * mm
CONTENT_WIDTH = A4[0] - 2 * MARGIN_X  # 174 mm
LABEL_WIDTH = 30 * mm
VALUE_WIDTH = (CONTENT_WIDTH - 2 * LABEL_WIDTH) / 2
QR_SIZE = 25 * mm
SIDE_WIDTH = 38 * mm  # header columns either side of the title: QR code, number and time

INK = colors.HexColor("#1f2937")
MUTED = colors.HexColor("#6b7280")
RULE = colors.HexColor("#9ca3af")
LABEL_BG = colors.HexColor("#f3f4f6")
SECTION_BG = colors.HexColor("#dbe4f0")
ACCENT = colors.HexColor("#1d4ed8")
OFFLINE = colors.HexColor("#b45309")

CLAUSES = (
    "甲方应如实介绍本单位情况及岗位、薪酬等录用条件，依法接收乙方并在乙方报到后与其签订劳动合同；"
    "乙方应如实介绍自身情况，按期取得毕业资格并按时到甲方报到。",
    "丙方应如实提供乙方在校期间的情况，审核本协议并据此办理毕业去向登记、档案转递及户口迁移等手续。",
    "本协议经甲乙丙三方签字（盖章）或经平台在线确认后生效。任何一方不得擅自解除本协议；确需解除的，"
    "应经对方同意并通过平台办理解约手续，违约方按本协议违约条款承担责任。",
    "甲乙双方订立劳动合同时，本协议约定的岗位、工作地点、薪酬、试用期等内容应在劳动合同中予以体现；"
    "劳动合同订立后，双方权利义务以劳动合同为准。",
    "本协议以平台生成并经电子签名的版本为准，可扫描二维码或访问核验网址查验真伪；本协议未尽事宜由三方协商解决。",
)
NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class AgreementDoc:
    """Everything printed on one agreement; values are display strings (codes already turned into names)."""

    number: str  # 协议书编号, e.g. "10001-2027-000123"
    generated_at: datetime  # aware; printed in Asia/Shanghai
    verify_url: str  # absolute URL, encoded in the QR code and printed below it
    school_name: str
    school_code: str
    # graduate (乙方)
    graduate_name: str
    gender: str
    id_number: str
    exam_no: str
    student_no: str
    department: str
    major: str
    education_level: str
    schooling_years: str
    graduation_date: str
    political_status: str
    ethnicity: str
    graduate_phone: str
    origin_region: str
    # employer (甲方)
    employer_name: str
    credit_code: str
    employer_nature: str
    employer_industry: str
    employer_region: str
    employer_address: str
    contact_name: str
    contact_phone: str
    # terms
    position: str
    job_category: str
    work_region: str
    monthly_salary: str
    probation_months: str
    service_years: str
    breach_terms: str
    archive_unit: str
    archive_address: str
    hukou_unit: str
    hukou_address: str
    other_terms: str
    signed_online: bool  # True: 线上签约, all parties confirmed online; False: offline, to be stamped


def render_agreement(doc: AgreementDoc) -> bytes:
    """The signed PDF bytes."""
    if doc.generated_at.tzinfo is None or doc.generated_at.utcoffset() is None:
        raise ValueError("generated_at must be an aware datetime")
    styles = _Styles(chinese_font())
    out = BytesIO()
    template = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=14 * mm,
        bottomMargin=16 * mm,
        title=f"{TITLE}（{doc.number}）",
        author=PLATFORM,
        subject=f"{doc.graduate_name} · {doc.employer_name}",
        creator=PLATFORM,
        # The canvas's starting font would otherwise be Helvetica, a font the PDF references but does not embed.
        initialFontName=styles.font,
    )
    footer = functools.partial(_FooterCanvas, number=doc.number, font=styles.font)
    template.build(_story(doc, styles), canvasmaker=footer)
    return sign_pdf(out.getvalue(), reason=f"{PLATFORM}签发电子就业协议书 {doc.number}")


# --- building blocks -------------------------------------------------------------------------------


class _Styles:
    def __init__(self, font: str) -> None:
        self.font = font

        def style(name: str, size: float, **kw: Any) -> ParagraphStyle:
            # CJK wrapping breaks between any two characters: Chinese has no spaces, and long URLs must wrap too.
            kw.setdefault("textColor", INK)
            kw.setdefault("leading", size * 1.4)
            return ParagraphStyle(name, fontName=font, fontSize=size, wordWrap="CJK", **kw)

        self.title = style("title", 16, alignment=TA_CENTER, leading=22)
        self.subtitle = style("subtitle", 11.5, alignment=TA_CENTER, spaceBefore=2)
        self.mode_online = style("mode", 10, alignment=TA_CENTER, textColor=ACCENT, spaceBefore=3)
        self.mode_offline = style("mode_off", 10, alignment=TA_CENTER, textColor=OFFLINE, spaceBefore=3)
        self.meta_label = style("meta_label", 7.5, alignment=TA_RIGHT, textColor=MUTED)
        self.meta_value = style("meta_value", 9, alignment=TA_RIGHT, spaceAfter=3)
        self.url = style("url", 7.5, textColor=MUTED)
        self.section = style("section", 10.5)
        self.label = style("label", 8.5, textColor=colors.HexColor("#374151"))
        self.value = style("value", 9)
        self.clause = style("clause", 8.5, leading=12.5, leftIndent=17, firstLineIndent=-17)
        self.sign_head = style("sign_head", 10)
        self.sign_note = style("sign_note", 8.5, alignment=TA_CENTER, textColor=ACCENT)
        self.sign_line = style("sign_line", 8.5, alignment=TA_LEFT)


def _table_style(s: _Styles, commands: list[tuple[Any, ...]]) -> TableStyle:
    # Plain-string cells (the blanks under a span) would otherwise pull in Helvetica, a font left unembedded.
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), s.font), *commands])


def _text(value: str, placeholder: str = "—") -> str:
    """Paragraph markup for a user-entered value: escaped, line breaks kept, empty shown as a dash."""
    value = (value or "").strip()
    if not value:
        return placeholder
    return escape(value).replace("\r\n", "\n").replace("\n", "<br/>")


class _QrCode(Flowable):
    """A QR code drawn as vector squares from segno's matrix (sharp at any zoom, no image decoding)."""

    def __init__(self, data: str, size: float) -> None:
        super().__init__()
        self.matrix = segno.make_qr(data, error="m").matrix
        self.width = self.height = size

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        n = len(self.matrix)
        cell = self.width / n
        path = self.canv.beginPath()
        for y, row in enumerate(self.matrix):
            x = 0
            while x < n:  # one rectangle per run of dark modules keeps the page content small
                if not row[x]:
                    x += 1
                    continue
                start = x
                while x < n and row[x]:
                    x += 1
                path.rect(start * cell, self.height - (y + 1) * cell, (x - start) * cell, cell)
        self.canv.setFillColor(colors.black)
        self.canv.drawPath(path, stroke=0, fill=1)


class _FooterCanvas(Canvas):
    """Holds pages back until the end so each footer can say 第 n 页 / 共 N 页."""

    def __init__(self, *args: Any, number: str, font: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._number = number
        self._font = font
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        for page, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._footer(page, len(self._pages))
            super().showPage()
        super().save()

    def _footer(self, page: int, total: int) -> None:
        y = 9 * mm
        self.saveState()
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        self.line(MARGIN_X, y + 4 * mm, A4[0] - MARGIN_X, y + 4 * mm)
        self.setFont(self._font, 7.5)
        self.setFillColor(MUTED)
        self.drawString(MARGIN_X, y, f"协议书编号：{self._number}")
        self.drawCentredString(A4[0] / 2, y, f"第 {page} 页 / 共 {total} 页")
        self.drawRightString(A4[0] - MARGIN_X, y, f"{PLATFORM}生成")
        self.restoreState()


def _story(doc: AgreementDoc, s: _Styles) -> list[Flowable]:
    generated = doc.generated_at.astimezone(SHANGHAI)
    return [
        _header(doc, s, generated),
        Spacer(0, 4 * mm),
        _section("甲方（用人单位）信息", s, [
            ("单位名称", doc.employer_name, None, None),
            ("统一社会信用代码", doc.credit_code, "单位性质", doc.employer_nature),
            ("所属行业", doc.employer_industry, "单位所在地", doc.employer_region),
            ("单位地址", doc.employer_address, None, None),
            ("联系人", doc.contact_name, "联系电话", doc.contact_phone),
        ]),
        _section("乙方（毕业生）信息", s, [
            ("姓名", doc.graduate_name, "性别", doc.gender),
            ("身份证件号码", doc.id_number, "民族", doc.ethnicity),
            ("考生号", doc.exam_no, "学号", doc.student_no),
            ("院系", doc.department, "专业", doc.major),
            ("学历层次", doc.education_level, "学制", doc.schooling_years),
            ("毕业时间", doc.graduation_date, "政治面貌", doc.political_status),
            ("生源地", doc.origin_region, "联系电话", doc.graduate_phone),
        ]),
        _section("丙方（学校）信息", s, [
            ("学校名称", doc.school_name, "学校代码", doc.school_code),
            ("就业主管部门", f"{doc.school_name}毕业生就业工作主管部门", None, None),
        ]),
        _section("协议条款", s, [
            ("岗位名称", doc.position, "职位类别", doc.job_category),
            ("工作地点", doc.work_region, "月薪（元）", doc.monthly_salary),
            ("试用期（月）", doc.probation_months, "服务期（年）", doc.service_years),
            ("违约条款", doc.breach_terms, None, None),
            ("档案接收单位", doc.archive_unit, "档案接收地址", doc.archive_address),
            ("户口接收单位", doc.hukou_unit, "户口接收地址", doc.hukou_address),
            ("其他约定", doc.other_terms, None, None),
        ]),
        # The parties sign under the clauses: never leave the signature boxes alone on a page.
        KeepTogether([_clauses(s), Spacer(0, 3 * mm), _signature_boxes(doc, s, generated)]),
    ]


def _header(doc: AgreementDoc, s: _Styles, generated: datetime) -> Table:
    mode = (
        Paragraph("线上签约", s.mode_online)
        if doc.signed_online
        else Paragraph("线下签约（需用人单位盖章后回传）", s.mode_offline)
    )
    title = [Paragraph(TITLE, s.title), Paragraph("电子就业协议书", s.subtitle), mode]
    meta = [
        Paragraph("协议书编号", s.meta_label),
        Paragraph(_text(doc.number), s.meta_value),
        Paragraph("生成时间", s.meta_label),
        Paragraph(f"{generated:%Y-%m-%d %H:%M}", s.meta_value),
    ]
    url = Paragraph(f"核验网址：{_text(doc.verify_url)}（扫描左上角二维码或访问此网址，核验本协议的真伪与状态）", s.url)
    # Equal side columns keep the title centred on the page.
    table = Table(
        [[_QrCode(doc.verify_url, QR_SIZE), title, meta], [url, "", ""]],
        colWidths=[SIDE_WIDTH, CONTENT_WIDTH - 2 * SIDE_WIDTH, SIDE_WIDTH],
    )
    table.setStyle(_table_style(s, [
        ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (0, -1), 0),
        ("RIGHTPADDING", (-1, 0), (-1, 0), 0),
        ("SPAN", (0, 1), (-1, 1)),
        ("TOPPADDING", (0, 1), (-1, 1), 6),  # keeps the QR code's quiet zone clear of the text
        ("LINEBELOW", (0, 1), (-1, 1), 1, INK),
        ("BOTTOMPADDING", (0, 1), (-1, 1), 5),
    ]))
    return table


Row = tuple[str, str, str | None, str | None]


def _section(heading: str, s: _Styles, rows: Sequence[Row]) -> Table:
    """A titled four-column table (label, value, label, value); a row without a second pair spans the line."""
    data: list[list[Any]] = [[Paragraph(heading, s.section), "", "", ""]]
    commands: list[tuple[Any, ...]] = [
        ("SPAN", (0, 0), (-1, 0)),
        ("BACKGROUND", (0, 0), (-1, 0), SECTION_BG),
        ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 9),  # room for a full-width mark hanging at a line end
    ]
    for i, (label, value, label2, value2) in enumerate(rows, start=1):
        if label2 is None:
            data.append([Paragraph(label, s.label), Paragraph(_text(value), s.value), "", ""])
            commands += [("SPAN", (1, i), (-1, i)), ("BACKGROUND", (0, i), (0, i), LABEL_BG)]
        else:
            data.append([
                Paragraph(label, s.label), Paragraph(_text(value), s.value),
                Paragraph(label2, s.label), Paragraph(_text(value2 or ""), s.value),
            ])
            commands += [("BACKGROUND", (0, i), (0, i), LABEL_BG), ("BACKGROUND", (2, i), (2, i), LABEL_BG)]
    # Rows move whole to the next page (reportlab's splitInRow mangles spanned cells); the longest value
    # the forms accept, 2,000 characters of 违约条款 or 其他约定, still fits one page.
    table = Table(
        data, colWidths=[LABEL_WIDTH, VALUE_WIDTH, LABEL_WIDTH, VALUE_WIDTH], repeatRows=1, spaceAfter=3 * mm
    )
    table.setStyle(_table_style(s, commands))
    return table


def _clauses(s: _Styles) -> Table:
    rows: list[list[Any]] = [[Paragraph("三方权利义务", s.section)]]
    rows += [[Paragraph(f"{NUMERALS[i]}、{text}", s.clause)] for i, text in enumerate(CLAUSES)]
    table = Table(rows, colWidths=[CONTENT_WIDTH])
    table.setStyle(_table_style(s, [
        ("BACKGROUND", (0, 0), (-1, 0), SECTION_BG),
        ("BOX", (0, 0), (-1, -1), 0.5, RULE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, 0), 3),
        ("BOTTOMPADDING", (0, 0), (-1, 0), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 6),
        ("RIGHTPADDING", (0, 0), (-1, -1), 8),  # room for a full-width mark hanging at a line end
    ]))
    return table


def _signature_boxes(doc: AgreementDoc, s: _Styles, generated: datetime) -> Table:
    online = doc.signed_online
    if online:
        date = f"日期：{generated.year} 年 {generated.month} 月 {generated.day} 日"
        stamp_height = 14 * mm
    else:
        blank = "&nbsp;" * 8  # Paragraph collapses ordinary and ideographic spaces
        date = f"日期：{blank * 2}年{blank}月{blank}日"
        stamp_height = 40 * mm  # an official seal is about 40 mm across
    heads = [("甲方（盖章）", "经办人："), ("乙方（签名）", "毕业生签名："), ("丙方（盖章）", "经办人：")]

    def middle() -> Flowable | str:
        return Paragraph("已通过平台在线确认", s.sign_note) if online else ""

    def bottom(signer: str) -> list[Flowable]:
        # Online nobody signs by hand: the date of the platform confirmation stands alone.
        return [Paragraph(date, s.sign_line)] if online else [Paragraph(signer, s.sign_line), Paragraph(date, s.sign_line)]

    table = Table(
        [
            [Paragraph(head, s.sign_head) for head, _ in heads],
            [middle() for _ in heads],
            [bottom(signer) for _, signer in heads],
        ],
        colWidths=[CONTENT_WIDTH / 3] * 3,
        rowHeights=[None, stamp_height, None],
    )
    table.setStyle(_table_style(s, [
        *[("BOX", (col, 0), (col, -1), 0.5, RULE) for col in range(3)],
        ("VALIGN", (0, 1), (-1, 1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, 0), 5),
        ("BOTTOMPADDING", (0, -1), (-1, -1), 6),
        ("LEFTPADDING", (0, 0), (-1, -1), 6),
    ]))
    return table
