"""去向登记信息表 (seed 6): the 档案登记信息表 and the 户口登记信息表, titled "在线核验报告".

A sheet shows the code it is verified by (a 核验编号 or a 转递编号, or none in a staff preview), the QR address,
基本信息 (姓名, 性别, 生源所在地, 毕业院校, 专业, 学历, 毕业时间 as 202306 — never an ID number or a phone),
毕业去向信息 from EMS (what the graduate reported at leaving) and the sheet's own 档案转递 or 户口迁移 info,
omitted when not registered. `Sheet` is what every page, the PDF and the API render; `content_sha256` names
what it says, so a PDF can later be told current or superseded.
"""
from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field

import segno
from django.conf import settings
from django.urls import reverse

from gradreg.archives.models import RecordState, TransferRecord
from gradreg.codes.loader import code_map, region_name
from gradreg.ems.models import Graduate, ReportedDestination
from gradreg.ems.transfer_modules import MODULES
from gradreg.ems.transfer_validation import info_of, shown_rows

from .codeformat import grouped
from .models import CodeType, SheetKind

REPORT_TITLE = "在线核验报告"
TITLES = {SheetKind.ARCHIVE: "档案登记信息表", SheetKind.HUKOU: "户口登记信息表"}
TRANSFER_TITLES = {SheetKind.ARCHIVE: "档案转递信息", SheetKind.HUKOU: "户口迁移信息"}
CHECK_TITLES = {SheetKind.ARCHIVE: "档案转递信息在线核验", SheetKind.HUKOU: "户口迁移信息在线核验"}
Rows = list[tuple[str, str]]


def place(code: str) -> str:
    """A region by its name alone ("广东省广州市天河区"), as a sheet prints it."""
    if not code:
        return ""
    shown = region_name(code)
    return shown.split(" ", 1)[1] if shown.startswith(code + " ") else shown


@dataclass(frozen=True)
class Sheet:
    kind: str
    graduate_id: int
    school_id: int
    basic: Rows
    destination: Rows
    transfer: Rows  # empty: the graduate has not registered this info
    code_type: str = ""  # CodeType, or "" for a preview without a code
    code: str = ""  # stored form (16 characters); shown grouped
    qr_url: str = ""  # the absolute address the QR code carries
    extra: dict = field(default_factory=dict)

    @property
    def title(self) -> str:
        return TITLES[SheetKind(self.kind)]

    @property
    def report_title(self) -> str:
        return REPORT_TITLE

    @property
    def transfer_title(self) -> str:
        return TRANSFER_TITLES[SheetKind(self.kind)]

    @property
    def code_label(self) -> str:
        return CodeType(self.code_type).label if self.code_type else ""

    @property
    def code_shown(self) -> str:
        return grouped(self.code) if self.code else ""

    @property
    def qr_image(self) -> str:
        return qr_svg(self.qr_url) if self.qr_url else ""

    @property
    def graduate_name(self) -> str:
        return self.basic[0][1] if self.basic else ""

    def content(self) -> dict:
        """What the sheet says about the graduate (not which code it carries)."""
        return {"kind": self.kind, "basic": self.basic, "destination": self.destination, "transfer": self.transfer}

    def content_sha256(self) -> str:
        data = json.dumps(self.content(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(data.encode()).hexdigest()

    def with_code(self, code_type: str, code: str, qr_token: str) -> Sheet:
        return Sheet(self.kind, self.graduate_id, self.school_id, self.basic, self.destination, self.transfer,
                     code_type, code, qr_url(self.kind, qr_token), self.extra)


def qr_url(kind: str, qr_token: str) -> str:
    """The public address printed as the QR code (`verification:sheet_qr`)."""
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("verification:sheet_qr", args=[kind, qr_token])


def basic_rows(graduate: Graduate) -> Rows:
    gender, level = code_map("xb"), code_map("xl")
    return [
        ("姓名", graduate.name),
        ("性别", gender.get(graduate.gender, graduate.gender)),
        ("生源所在地", place(graduate.origin_region)),
        ("毕业院校", graduate.school.name),
        ("专业", graduate.major.name),
        ("学历", level.get(graduate.education_level, graduate.education_level)),
        ("毕业时间", f"{graduate.graduation_date:%Y%m}"),
    ]


def destination_rows(held: ReportedDestination | None) -> Rows:
    if held is None:
        return []
    return [("毕业去向", held.subtype or held.destination), ("单位名称", held.employer_name),
            ("单位所在地", place(held.employer_region))]


def transfer_rows(graduate: Graduate, kind: str) -> Rows:
    module = MODULES[kind]
    if not module.on_roster(graduate):
        return []
    record = (TransferRecord.objects.filter(school_id=graduate.school_id, graduate_id=graduate.pk, kind=kind,
                                            state=RecordState.REGISTERED).first())
    return [(label, value) for label, value in shown_rows(module, info_of(record)) if value] if record else []


_MISSING = object()


def _held(graduate: Graduate) -> ReportedDestination | None:
    """EMS's destination: the one loaded with the graduate (select_related "reported_destination"), else read."""
    held = Graduate.reported_destination.related.get_cached_value(graduate, default=_MISSING)
    if held is _MISSING:
        held = ReportedDestination.objects.filter(school_id=graduate.school_id, graduate_id=graduate.pk).first()
    return held


def sheet_for(graduate: Graduate, kind: str) -> Sheet:
    """The sheet as it stands now, without a code (staff preview); `with_code` adds one. A few queries."""
    kind = SheetKind(kind).value
    held = _held(graduate)
    return Sheet(kind, graduate.pk, graduate.school_id, basic_rows(graduate), destination_rows(held),
                 transfer_rows(graduate, kind))


def graduate_for_sheet(graduate_id: int) -> Graduate:
    return Graduate.objects.select_related("school", "major").get(pk=graduate_id)


@functools.lru_cache(maxsize=2048)
def qr_svg(url: str) -> str:
    """The QR code as an SVG data URI, for the HTML preview (the PDF draws its own). Remembered per process:
    choosing the best mask takes segno some 15 ms, and an agency looks the same sheet up again and again."""
    return segno.make_qr(url, error="m").svg_data_uri(scale=4, border=2)
