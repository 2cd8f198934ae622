"""The e-agreement PDF (全国普通高等学校毕业生就业协议书): A4, Chinese, with a QR code and the platform's signature."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from gradreg.common.pdfdoc import (
    ACCENT,
    CONTENT_WIDTH,
    MUTED,
    PLATFORM,
    RULE,
    SECTION_BG,
    QrCode,
    Row,
    build_a4,
    header_table,
    section_table,
    style,
    table_style,
)
from gradreg.common.pdfdoc import text as _text
from gradreg.common.pdfsign import chinese_font, sign_pdf

TITLE = "全国普通高等学校毕业生就业协议书"
SHANGHAI = ZoneInfo("Asia/Shanghai")

LABEL_WIDTH = 30 * mm
QR_SIZE = 25 * mm
SIDE_WIDTH = 38 * mm  # header columns either side of the title: QR code, number and time

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
    unsigned = build_a4(_story(doc, styles), font=styles.font, title=f"{TITLE}（{doc.number}）",
                        subject=f"{doc.graduate_name} · {doc.employer_name}", footer_left=f"协议书编号：{doc.number}")
    return sign_pdf(unsigned, reason=f"{PLATFORM}签发电子就业协议书 {doc.number}")


# --- building blocks -------------------------------------------------------------------------------


class _Styles:
    def __init__(self, font: str) -> None:
        self.font = font
        self.title = style(font, "title", 16, alignment=TA_CENTER, leading=22)
        self.subtitle = style(font, "subtitle", 11.5, alignment=TA_CENTER, spaceBefore=2)
        self.mode_online = style(font, "mode", 10, alignment=TA_CENTER, textColor=ACCENT, spaceBefore=3)
        self.mode_offline = style(font, "mode_off", 10, alignment=TA_CENTER, textColor=OFFLINE, spaceBefore=3)
        self.meta_label = style(font, "meta_label", 7.5, alignment=TA_RIGHT, textColor=MUTED)
        self.meta_value = style(font, "meta_value", 9, alignment=TA_RIGHT, spaceAfter=3)
        self.url = style(font, "url", 7.5, textColor=MUTED)
        self.section = style(font, "section", 10.5)
        self.label = style(font, "label", 8.5, textColor=colors.HexColor("#374151"))
        self.value = style(font, "value", 9)
        self.clause = style(font, "clause", 8.5, leading=12.5, leftIndent=17, firstLineIndent=-17)
        self.sign_head = style(font, "sign_head", 10)
        self.sign_note = style(font, "sign_note", 8.5, alignment=TA_CENTER, textColor=ACCENT)
        self.sign_line = style(font, "sign_line", 8.5, alignment=TA_LEFT)


def _table_style(s: _Styles, commands: list[tuple[Any, ...]]) -> TableStyle:
    return table_style(s.font, commands)


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
    return header_table(QrCode(doc.verify_url, QR_SIZE), title, meta, url, font=s.font, side_width=SIDE_WIDTH)


def _section(heading: str, s: _Styles, rows: Sequence[Row]) -> Table:
    return section_table(heading, rows, font=s.font, heading_style=s.section, label_style=s.label,
                         value_style=s.value, label_width=LABEL_WIDTH)


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
