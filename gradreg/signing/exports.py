"""下载当前查询数据 and 导出退回修改学生名单 for 在线签约管理 and 解约管理: streamed .xlsx."""
from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils import timezone

from gradreg.common.xlsx import xlsx_response

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
# rows per fetch: the iterator holds two fetches at once, so this bounds the export's memory
CHUNK = 500


def _rows(qs: QuerySet, columns, labels: dict[str, dict]) -> Iterator[list]:
    fields = [f for _, f in columns]
    for values in qs.values_list(*fields).iterator(chunk_size=CHUNK):
        yield [labels[f].get(v, v) if f in labels else v for f, v in zip(fields, values)]


def _filename(title: str, returned: bool) -> str:
    kind = "退回修改学生名单" if returned else "查询数据"
    return f"{title}-{kind}-{timezone.localtime():%Y%m%d%H%M}.xlsx"


def signing_export(qs: QuerySet, *, returned: bool = False):
    labels = {"initiator": dict(Initiator.choices), "status": dict(SigningStatus.choices),
              "reject_category": dict(RejectCategory.choices)}
    return xlsx_response(filename=_filename("在线签约管理", returned), sheet="在线签约",
                         headers=[h for h, _ in SIGNING_COLUMNS], rows=_rows(qs, SIGNING_COLUMNS, labels))


def termination_export(qs: QuerySet, *, returned: bool = False):
    labels = {"online": {True: "线上解约", False: "线下解约"}, "applicant": {Initiator.EMPLOYER: "用人单位",
              Initiator.GRADUATE: "毕业生"}, "status": dict(TerminationStatus.choices),
              "reject_category": dict(RejectCategory.choices)}
    return xlsx_response(filename=_filename("解约管理", returned), sheet="解约",
                         headers=[h for h, _ in TERMINATION_COLUMNS], rows=_rows(qs, TERMINATION_COLUMNS, labels))
