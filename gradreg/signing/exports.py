"""下载当前查询数据 and 导出退回修改学生名单 for 在线签约管理 and 解约管理: the columns of the streamed .xlsx."""
from __future__ import annotations

from django.db.models import QuerySet

from gradreg.workflow.lists import Export, export_rows

from .models import Initiator, RejectCategory, SigningStatus, TerminationStatus

SIGNING_COLUMNS = (
    ("考生号", "exam_no"), ("姓名", "graduate_name"), ("院系", "department__name"), ("毕业年份", "graduation_year"),
    ("签约发起方", "initiator"), ("签约状态", "status"), ("单位名称", "employer_name"),
    ("统一社会信用代码", "credit_code"), ("岗位名称", "position"), ("工作地点", "work_region"),
    ("月薪（元）", "monthly_salary"), ("协议书编号", "agreement_no"), ("提交时间", "submitted_at"),
    ("更新时间", "updated_at"), ("不通过原因类别", "reject_category"), ("退回/不通过原因", "last_reason"),
)
TERMINATION_COLUMNS = (
    ("考生号", "exam_no"), ("姓名", "graduate_name"), ("院系", "department__name"), ("毕业年份", "graduation_year"),
    ("解约方式", "online"), ("申请方", "applicant"), ("解约状态", "status"), ("单位名称", "employer_name"),
    ("解约原因", "reason"), ("申请时间", "created_at"), ("更新时间", "updated_at"),
    ("不通过原因类别", "reject_category"), ("退回/不通过原因", "last_reason"),
)

SIGNING_EXPORT = Export(
    title="在线签约管理", sheet="在线签约", columns=SIGNING_COLUMNS,
    labels={"initiator": dict(Initiator.choices), "status": dict(SigningStatus.choices),
            "reject_category": dict(RejectCategory.choices)},
)
TERMINATION_EXPORT = Export(
    title="解约管理", sheet="解约", columns=TERMINATION_COLUMNS,
    labels={"online": {True: "线上解约", False: "线下解约"},
            "applicant": {Initiator.EMPLOYER: "用人单位", Initiator.GRADUATE: "毕业生"},
            "status": dict(TerminationStatus.choices), "reject_category": dict(RejectCategory.choices)},
)
_rows = export_rows  # the benchmark reads the export's cells through it


def signing_export(qs: QuerySet, *, returned: bool = False):
    return SIGNING_EXPORT.response(qs, returned=returned)


def termination_export(qs: QuerySet, *, returned: bool = False):
    return TERMINATION_EXPORT.response(qs, returned=returned)
