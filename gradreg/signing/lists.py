"""在线签约管理 and 解约管理, declared as lists: page, htmx filter, exports and API page come from the spec."""
from __future__ import annotations

from typing import Any

from django import forms

from gradreg.organisations.selectors import school_review_label
from gradreg.workflow.lists import (
    REVIEW_ACTIONS,
    Batch,
    Column,
    ListSpec,
    link_column,
    review_link,
    status_column,
    truncated,
    warned_cell,
)

from . import services
from .exports import SIGNING_EXPORT, TERMINATION_EXPORT
from .forms import ReviewFilterForm
from .models import SIGNING_STATES, TERMINATION_STATES, RejectCategory, SigningStatus, TerminationStatus
from .presenting import decorate_signing_rows, decorate_termination_rows
from .selectors import (
    ensure_employer,
    ensure_reviewer,
    signing_rows,
    signing_search,
    signings_visible_to,
    termination_rows,
    termination_search,
    terminations_visible_to,
)

employer_cell = warned_cell("employer_name")  # 单位名称, with the 预警单位 label this user may see


def review_context(request) -> dict[str, Any]:
    user = request.user
    return {"review_label": school_review_label(user.school_id) if user.school_id else "审核"}


EMPLOYER, STATUS, UPDATED = (Column("单位名称", html=employer_cell), status_column("签约状态"),
                             Column("更新时间", "updated_at"))


def review_list(kind: str, title: str, *, nav: str, detail: str, search, act, termination: bool = False,
                columns: tuple[Column, ...], **spec) -> ListSpec:
    """A reviewer's list of this module: the seed's filters, 批量审核, both exports, the school's wording."""
    return ListSpec(
        name=f"signing:{kind}", title=title, template=f"signing/{kind}_list.html", nav=nav, detail=detail,
        form=lambda params, user: ReviewFilterForm(params, termination=termination),
        search=lambda user, form: search(user, form.filters()), context=review_context, returns="returned",
        columns=(Column("考生号", "exam_no"), Column("姓名", "graduate_name"), Column("院系", "department_name"),
                 *columns),
        batch=Batch(act=act, actions=REVIEW_ACTIONS, ensure=ensure_reviewer, categories=RejectCategory.choices),
        **spec,
    )


SIGNING_REVIEW = review_list(
    "review", "在线签约管理", nav="signing", detail="signing:detail", search=signing_search,
    act=services.signing_act, rows=signing_rows, decorate=decorate_signing_rows, states=SIGNING_STATES,
    export=SIGNING_EXPORT,
    columns=(Column("签约发起方", "initiator_label"), EMPLOYER, Column("岗位", "position"), STATUS, UPDATED,
             link_column("操作", "signing:detail", review_link)),
)

TERMINATION_REVIEW = review_list(
    "termination", "解约管理", nav="termination", detail="signing:termination_detail", search=termination_search,
    act=services.termination_act, termination=True, rows=termination_rows, decorate=decorate_termination_rows,
    states=TERMINATION_STATES, export=TERMINATION_EXPORT,
    columns=(Column("解约方式", "kind_label"), EMPLOYER, Column("解约原因", truncated("reason", 30)), STATUS, UPDATED,
             link_column("操作", "signing:termination_detail", review_link)),
)


class EmployerFilterForm(forms.Form):
    status = forms.ChoiceField(label="签约状态", required=False, choices=[("", "全部")] + list(SigningStatus.choices))


def employer_search(user, form: EmployerFilterForm):
    ensure_employer(user)
    status = form.cleaned_data.get("status") if form.is_valid() else ""
    qs = signings_visible_to(user).order_by("-updated_at", "-id")
    return qs.filter(status=status) if status else qs


def employer_context(request) -> dict[str, Any]:
    pending = terminations_visible_to(request.user).filter(status=TerminationStatus.PENDING_OTHER)
    return {"pending_terminations": list(pending.order_by("-updated_at")[:20])}


EMPLOYER_SIGNINGS = ListSpec(
    name="signing:employer", title="签约管理", template="signing/employer_list.html", nav="employer",
    form=lambda params, user: EmployerFilterForm(params), search=employer_search, rows=signing_rows,
    decorate=decorate_signing_rows, context=employer_context, htmx=False, empty="暂无签约记录。",
    columns=(Column("姓名", "graduate_name"), Column("考生号", "exam_no"), Column("岗位", "position"), STATUS,
             UPDATED, link_column("操作", "signing:detail")),
)
