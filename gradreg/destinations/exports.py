"""下载当前查询数据 and 导出退回修改学生名单 of 去向登记管理 and 补登管理: the columns of the streamed .xlsx."""
from __future__ import annotations

from gradreg.workflow.items import RejectCategory
from gradreg.workflow.lists import Export

from .models import PaperStatus, RegistrationStatus


def _columns(*middle: tuple[str, str]) -> tuple[tuple[str, str], ...]:
    return (
        ("考生号", "exam_no"), ("姓名", "graduate_name"), ("院系", "department__name"), ("毕业年份", "graduation_year"),
        ("毕业去向", "destination_type"), ("具体去向", "subtype"), ("毕业去向代码", "destination_code"),
        ("单位名称", "unit_name"), ("统一社会信用代码", "credit_code"), ("所在地代码", "region"), *middle,
        ("状态", "status"), ("毕业生失效", "graduate__is_valid"), ("提交时间", "submitted_at"), ("登记时间", "approved_at"),
        ("作废时间", "voided_at"), ("审核人员修改时间", "reviewer_edited_at"), ("更新时间", "updated_at"),
        ("不通过原因类别", "reject_category"), ("最近一次原因", "last_reason"),
    )


def _labels(statuses) -> dict:
    return {"status": dict(statuses.choices), "reject_category": dict(RejectCategory.choices),
            "graduate__is_valid": {True: "", False: "失效"}}


REGISTRATION_EXPORT = Export(title="去向登记管理", sheet="去向登记", columns=_columns(),
                             labels=_labels(RegistrationStatus))
# 补登 is one type (签就业协议形式就业): the paper form's number and the signing date say which agreement
PAPER_EXPORT = Export(title="补登管理", sheet="补登",
                      columns=_columns(("纸质协议书编号", "details__paper_no"), ("协议签订日期", "details__signed_date")),
                      labels=_labels(PaperStatus))
