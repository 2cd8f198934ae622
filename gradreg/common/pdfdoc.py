"""The kit every platform PDF is drawn with (reportlab): A4 pages in the embedded Chinese font, paragraph and table
styles that wrap Chinese, a vector QR code, and a footer that says 第 n 页 / 共 N 页.

The e-agreement (`gradreg.signing.agreement_pdf`) and the 去向登记信息表 (`gradreg.verification.sheet_pdf`) are
both built on it, then signed with `gradreg.common.pdfsign.sign_pdf`.
"""
from __future__ import annotations

import functools
from collections.abc import Sequence
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

import segno
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

PLATFORM = "毕业去向登记与网上签约平台"

MARGIN_X = 18 * mm
CONTENT_WIDTH = A4[0] - 2 * MARGIN_X  # 174 mm

INK = colors.HexColor("#1f2937")
MUTED = colors.HexColor("#6b7280")
RULE = colors.HexColor("#9ca3af")
LABEL_BG = colors.HexColor("#f3f4f6")
SECTION_BG = colors.HexColor("#dbe4f0")
ACCENT = colors.HexColor("#1d4ed8")


def style(font: str, name: str, size: float, **kw: Any) -> ParagraphStyle:
    """A paragraph style in `font`; CJK wrapping breaks between any two characters (Chinese has no spaces, and
    long URLs must wrap too)."""
    kw.setdefault("textColor", INK)
    kw.setdefault("leading", size * 1.4)
    return ParagraphStyle(name, fontName=font, fontSize=size, wordWrap="CJK", **kw)


def table_style(font: str, commands: Sequence[tuple[Any, ...]]) -> TableStyle:
    # Plain-string cells (the blanks under a span) would otherwise pull in Helvetica, a font left unembedded.
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), font), *commands])


def text(value: str, placeholder: str = "—") -> str:
    """Paragraph markup for a user-entered value: escaped, line breaks kept, empty shown as a dash."""
    value = (value or "").strip()
    if not value:
        return placeholder
    return escape(value).replace("\r\n", "\n").replace("\n", "<br/>")


class QrCode(Flowable):
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


class FooterCanvas(Canvas):
    """Holds pages back until the end so each footer can say 第 n 页 / 共 N 页, between `left` and `right`."""

    def __init__(self, *args: Any, font: str, left: str, right: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._font = font
        self._left, self._right = left, right
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
        self.drawString(MARGIN_X, y, self._left)
        self.drawCentredString(A4[0] / 2, y, f"第 {page} 页 / 共 {total} 页")
        self.drawRightString(A4[0] - MARGIN_X, y, self._right)
        self.restoreState()


def build_a4(story: list[Flowable], *, font: str, title: str, subject: str, footer_left: str,
             footer_right: str = f"{PLATFORM}生成") -> bytes:
    """The story laid out on A4 pages with the footer; the unsigned PDF bytes."""
    out = BytesIO()
    template = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=14 * mm, bottomMargin=16 * mm,
        title=title, author=PLATFORM, subject=subject, creator=PLATFORM,
        # The canvas's starting font would otherwise be Helvetica, a font the PDF references but does not embed.
        initialFontName=font,
    )
    footer = functools.partial(FooterCanvas, font=font, left=footer_left, right=footer_right)
    template.build(story, canvasmaker=footer)
    return out.getvalue()


Row = tuple[str, str, str | None, str | None]


def section_table(heading: str, rows: Sequence[Row], *, font: str, heading_style: ParagraphStyle,
                  label_style: ParagraphStyle, value_style: ParagraphStyle, label_width: float = 30 * mm) -> Table:
    """A titled four-column table (label, value, label, value); a row without a second pair spans the line."""
    value_width = (CONTENT_WIDTH - 2 * label_width) / 2
    data: list[list[Any]] = [[Paragraph(heading, heading_style), "", "", ""]]
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
            data.append([Paragraph(label, label_style), Paragraph(text(value), value_style), "", ""])
            commands += [("SPAN", (1, i), (-1, i)), ("BACKGROUND", (0, i), (0, i), LABEL_BG)]
        else:
            data.append([
                Paragraph(label, label_style), Paragraph(text(value), value_style),
                Paragraph(label2, label_style), Paragraph(text(value2 or ""), value_style),
            ])
            commands += [("BACKGROUND", (0, i), (0, i), LABEL_BG), ("BACKGROUND", (2, i), (2, i), LABEL_BG)]
    # Rows move whole to the next page (reportlab's splitInRow mangles spanned cells); the longest value
    # the forms accept, 2,000 characters of 违约条款 or 其他约定, still fits one page.
    table = Table(data, colWidths=[label_width, value_width, label_width, value_width], repeatRows=1,
                  spaceAfter=3 * mm)
    table.setStyle(table_style(font, commands))
    return table


def header_table(left: Any, centre: Any, right: Any, note: Paragraph, *, font: str, side_width: float) -> Table:
    """A document's head: the QR code, the title and the number in three columns, a note across the page under
    them, and a rule. Equal side columns keep the title centred on the page."""
    table = Table([[left, centre, right], [note, "", ""]],
                  colWidths=[side_width, CONTENT_WIDTH - 2 * side_width, side_width])
    table.setStyle(table_style(font, [
        ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (0, -1), 0),
        ("RIGHTPADDING", (-1, 0), (-1, 0), 0),
        ("SPAN", (0, 1), (-1, 1)),
        ("TOPPADDING", (0, 1), (-1, 1), 6),  # keeps the QR code's quiet zone clear of the text
        ("LINEBELOW", (0, 1), (-1, 1), 1, INK),
        ("BOTTOMPADDING", (0, 1), (-1, 1), 5),
    ]))
    return table
