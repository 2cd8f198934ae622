"""档案转递信息 / 户口迁移信息在线核验 over the API (tag `verification`): the public look-up by 姓名 + 核验编号 or
转递编号, for a receiving agency's own system. No login and no CSRF token (it changes nothing); the same
limits per address and per code as the page, the same one "无法核验" answer for every failure (`lookup`)."""
from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from gradreg.common.api import Problem
from gradreg.common.views import client_ip
from gradreg.workflow.api import LabelValue

from . import lookup
from .models import LookupMethod
from .sheets import Sheet

router = Router(tags=["verification"], auth=None)


class LookupIn(Schema):
    kind: Literal["archive", "hukou"] = Field(description="archive 档案登记信息表，hukou 户口登记信息表")
    name: str = Field(max_length=100, description="毕业生姓名")
    code: str = Field(max_length=64, description="核验编号或转递编号（16位，可带连字符或空格，不区分大小写）")


class SheetOut(Schema):
    kind: str
    title: str = Field(description="档案登记信息表 / 户口登记信息表")
    report_title: str = Field(description="在线核验报告")
    code_label: str = Field(description="核验编号 / 转递编号")
    code: str = Field(description="编号（分组显示）")
    qr_url: str = Field(description="信息表二维码中的核验网址")
    basic: list[LabelValue] = Field(description="基本信息：姓名、性别、生源所在地、毕业院校、专业、学历、毕业时间")
    destination: list[LabelValue] = Field(description="毕业去向信息：毕业去向、单位名称、单位所在地；未上报为空")
    transfer_title: str = Field(description="档案转递信息 / 户口迁移信息")
    transfer: list[LabelValue] = Field(description="档案转递或户口迁移信息；未登记为空")


def _rows(rows) -> list[dict]:
    return [{"label": label, "value": value} for label, value in rows]


def sheet_out(sheet: Sheet) -> dict:
    return {"kind": sheet.kind, "title": sheet.title, "report_title": sheet.report_title,
            "code_label": sheet.code_label, "code": sheet.code_shown, "qr_url": sheet.qr_url,
            "basic": _rows(sheet.basic), "destination": _rows(sheet.destination),
            "transfer_title": sheet.transfer_title, "transfer": _rows(sheet.transfer)}


@router.post("/verification/lookup", response={200: SheetOut, 404: Problem, 429: Problem},
             summary="去向登记信息表在线核验（姓名+编号）")
def lookup_sheet(request: HttpRequest, payload: LookupIn):
    """The 去向登记信息表 that 姓名 + 核验编号/转递编号 verify now, or 404 无法核验 (a wrong name, a wrong, stale,
    superseded or expired code, all alike); 429 once the address or the code has used up its look-ups."""
    try:
        sheet = lookup.by_name_and_code(payload.kind, name=payload.name, code=payload.code, ip=client_ip(request),
                                        method=LookupMethod.API)
    except lookup.Throttled:
        return 429, {"code": "throttled", "detail": lookup.THROTTLED, "field": None}
    if sheet is None:
        return 404, {"code": "unverifiable", "detail": f"{lookup.UNVERIFIABLE}：{lookup.UNVERIFIABLE_DETAIL}",
                     "field": None}
    return 200, sheet_out(sheet)
