"""Input and output schemas of 在线签约 and 解约 over the API.

Inputs take text where the service checks the value itself, so a wrong salary or code comes back as
the service's Chinese message per field (HTTP 400, `errors`) rather than a bare schema error.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field

from gradreg.signing.models import Initiator, SigningStatus, TerminationStatus
from gradreg.workflow.api import ActIn as ActIn  # re-exported: the action body of every table
from gradreg.workflow.api import CompareRow, LabelValue, Text
from gradreg.workflow.api import FieldsProblem as FieldsProblem

Number = Decimal | Text | None


# ---- lists -------------------------------------------------------------------------------------------

class SigningListQuery(Schema):
    """Reviewers: every filter of 在线签约管理. Graduates and employers: their own signings, by status."""

    initiator: Initiator | Literal[""] = ""
    status: SigningStatus | Literal[""] | None = Field(
        None, description="不传：与页面相同，默认显示等待本用户审核的状态；传空字符串：全部状态"
    )
    q: Annotated[Text, Field(max_length=50)] = ""
    employer: Annotated[Text, Field(max_length=100)] = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    page: int = 1
    page_size: int = Field(20, description="每页条数，最多 100")


class TerminationListQuery(Schema):
    """Reviewers: every filter of 解约管理. Graduates and employers: their own terminations, by status."""

    online: bool | None = Field(None, description="true：线上解约；false：线下解约；不传：全部")
    status: TerminationStatus | Literal[""] | None = Field(
        None, description="不传：与页面相同，默认显示等待本用户审核的状态；传空字符串：全部状态"
    )
    q: Annotated[Text, Field(max_length=50)] = ""
    employer: Annotated[Text, Field(max_length=100)] = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    page: int = 1
    page_size: int = Field(20, description="每页条数，最多 100")


class PageQuery(Schema):
    page: int = 1
    page_size: int = 20


class WarningFields(Schema):
    warned: bool = Field(description="单位是否被预警（按本用户可见范围）")
    warning_categories: list[str]


class SigningItem(WarningFields):
    id: int
    initiator: str
    initiator_label: str
    status: str
    status_label: str
    graduate_name: str
    exam_no: str
    department: str
    employer_name: str
    position: str
    graduation_year: int
    submitted_at: dt.datetime | None
    updated_at: dt.datetime
    expires_at: dt.datetime | None
    last_reason: str
    actions: list[str] = Field(description="本用户现在可执行的操作（upload 用 POST stamped，resubmit 用 PUT offline）")


class SigningList(Schema):
    items: list[SigningItem]
    count: int


class TerminationItem(WarningFields):
    id: int
    online: bool
    kind_label: str
    applicant: str
    applicant_label: str
    status: str
    status_label: str
    graduate_name: str
    exam_no: str
    department: str
    employer_name: str
    reason: str
    last_reason: str
    graduation_year: int
    updated_at: dt.datetime
    actions: list[str]


class TerminationList(Schema):
    items: list[TerminationItem]
    count: int


# ---- inputs ------------------------------------------------------------------------------------------

class TermsIn(Schema):
    """The agreement terms (TERM_FIELDS); the service checks them all at once."""

    position: Text = ""
    job_category: Text = Field("", description="职位类别代码（gzzwlb）")
    work_region: Text = Field("", description="工作地点，6位行政区划代码")
    monthly_salary: Number = None
    probation_months: int | Text | None = None
    service_years: Number = None
    breach_terms: Text = ""
    archive_unit: Text = ""
    archive_address: Text = ""
    hukou_unit: Text = ""
    hukou_address: Text = ""
    other_terms: Text = ""


class InvitationIn(TermsIn):
    name: Text = Field("", description="毕业生姓名")
    id_number: Text = Field("", description="身份证号（与考生号二选一）")
    exam_no: Text = Field("", description="考生号（与身份证号二选一）")


class OfflineIn(TermsIn):
    """线下签约: the graduate types the employer's particulars as well as the terms."""

    employer_name: Text = ""
    credit_code: Text = ""
    employer_nature: Text = Field("", description="单位性质代码（dwxz）")
    employer_industry: Text = Field("", description="所属行业代码（dwhy）")
    employer_region: Text = Field("", description="单位所在地，6位行政区划代码")
    employer_address: Text = ""
    contact_name: Text = ""
    contact_phone: Text = ""


# ---- item outputs ------------------------------------------------------------------------------------

class SigningOut(WarningFields):
    id: int
    initiator: str
    initiator_label: str
    status: str
    status_label: str
    expired: bool
    blocked: str = Field("", description="毕业生暂不能同意此邀请的原因（已有进行中的签约或已签约等）；可同意时为空")
    review_label: str
    graduate_id: int
    graduate_name: str
    exam_no: str
    school: str
    department: str
    graduation_year: int
    employer_id: int | None
    # employer particulars
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
    monthly_salary: Decimal | None
    probation_months: int
    service_years: Decimal
    breach_terms: str
    archive_unit: str
    archive_address: str
    hukou_unit: str
    hukou_address: str
    other_terms: str
    terms_display: list[LabelValue] = Field(description="协议条款，代码已译为名称")
    employer_display: list[LabelValue] = Field(description="单位信息，代码已译为名称")
    # progress
    expires_at: dt.datetime | None
    submitted_at: dt.datetime | None
    signed_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    decline_reason: str
    last_reason: str
    reject_category: str
    reject_category_label: str
    returned: bool
    agreement_no: str
    has_agreement: bool
    agreement_terminated: bool = Field(False, description="协议已解约：电子就业协议书仅作存档，不再有效")
    has_explanation: bool = Field(False, description="学生已上传情况说明（电子就业协议书信息有误）")
    has_stamped: bool
    stamped_at: dt.datetime | None
    actions: list[str]
    # reviewers only (null for the parties)
    graduate_snapshot: dict[str, Any] | None = Field(None, description="提交时学生信息（仅审核人员；身份证号已遮盖，"
                                                                     "除非 reveal=id_number）")
    id_number_revealed: bool | None = Field(None, description="身份证号是否完整显示（仅审核人员）")
    compare: list[CompareRow] | None = Field(None, description="提交时与就业管理系统当前信息对照（仅审核人员）")
    key_differs: bool | None = None
    refreshed_info: dict[str, str] | None = Field(None, description="已获取、审核通过时生效的最新学生信息（仅审核人员）")


class RefreshOut(Schema):
    refreshed_info: dict[str, str] = Field(description="与提交时不同的非关键字段的最新值；为空表示一致，无需更新")


class TerminationOut(TerminationItem):
    signing_id: int
    answer_reason: str
    reject_category: str
    reject_category_label: str
    returned: bool
    has_material: bool
    created_at: dt.datetime
