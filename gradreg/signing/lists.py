"""在线签约管理 and 解约管理, declared as lists: page, htmx filter, exports and API page come from the spec."""
from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils.html import format_html

from gradreg.workflow.lists import Batch, Column, ListSpec, link_column, status_column, truncated

from . import services
from .exports import SIGNING_EXPORT, TERMINATION_EXPORT
from .forms import ReviewFilterForm
from .models import SIGNING_STATES, TERMINATION_STATES, RejectCategory
from .presenting import decorate_signing_rows, decorate_termination_rows
from .selectors import (
    ensure_reviewer,
    signing_rows,
    signing_search,
    termination_rows,
    termination_search,
)


def employer_cell(r: dict, ctx) -> str:
    """单位名称, with the 预警单位 label when this user may see a warning on the employer."""
    warning = r["warning"]
    label = render_to_string("snippets/employer_warning.html", {"warning": warning}) if warning else ""
    return format_html("{} {}", r["employer_name"], label)


def review_context(request) -> dict[str, Any]:
    user = request.user
    return {"review_label": user.school.review_label if user.school_id else "审核"}


REVIEW_ACTIONS = (("approve", "{review}通过"), ("return", "退回修改"), ("reject", "{review}不通过"))
COMMON = (Column("考生号", "exam_no"), Column("姓名", "graduate_name"), Column("院系", "department_name"))

SIGNING_REVIEW = ListSpec(
    name="signing:review",
    title="在线签约管理",
    template="signing/review_list.html",
    nav="signing",
    form=lambda params, user: ReviewFilterForm(params),
    search=lambda user, form: signing_search(user, form.filters()),
    rows=signing_rows,
    decorate=decorate_signing_rows,
    states=SIGNING_STATES,
    context=review_context,
    columns=(
        *COMMON,
        Column("签约发起方", "initiator_label"),
        Column("单位名称", html=employer_cell),
        Column("岗位", "position"),
        status_column("签约状态"),
        Column("更新时间", "updated_at"),
        link_column("操作", "signing:detail", lambda r, ctx: ctx["review_label"] if r["waits_for_me"] else "查看"),
    ),
    export=SIGNING_EXPORT,
    returns="returned",
    detail="signing:detail",
    batch=Batch(act=services.signing_act, actions=REVIEW_ACTIONS, ensure=ensure_reviewer,
                categories=RejectCategory.choices),
)

TERMINATION_REVIEW = ListSpec(
    name="signing:termination",
    title="解约管理",
    template="signing/termination_list.html",
    nav="termination",
    form=lambda params, user: ReviewFilterForm(params, termination=True),
    search=lambda user, form: termination_search(user, form.filters()),
    rows=termination_rows,
    decorate=decorate_termination_rows,
    states=TERMINATION_STATES,
    context=review_context,
    columns=(
        *COMMON,
        Column("解约方式", "kind_label"),
        Column("单位名称", html=employer_cell),
        Column("解约原因", truncated("reason", 30)),
        status_column("签约状态"),
        Column("更新时间", "updated_at"),
        link_column("操作", "signing:termination_detail"),
    ),
    export=TERMINATION_EXPORT,
    returns="returned",
    detail="signing:termination_detail",
    batch=Batch(act=services.termination_act, actions=REVIEW_ACTIONS, ensure=ensure_reviewer,
                categories=RejectCategory.choices),
)
