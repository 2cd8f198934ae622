"""学生名单管理 and 失效信息管理, declared as lists (gradreg.workflow.lists)."""
from __future__ import annotations

from gradreg.codes.loader import code_map
from gradreg.common.masking import mask_id_number, mask_phone
from gradreg.workflow.lists import Column, ListSpec, link_column

from .forms import RosterFilterForm
from .gates import current_cohort
from .selectors import as_list_rows, roster_search


def decorate_roster_rows(rows: list[dict], user) -> None:
    """Display values of a roster page: masked numbers, code names."""
    training_modes, levels = code_map("pyfs"), code_map("xl")
    for g in rows:
        g["id_masked"] = mask_id_number(g["id_number"])
        g["phone_masked"] = mask_phone(g["phone"])
        g["training_mode_name"] = training_modes.get(g["training_mode"], g["training_mode"])
        g["level_name"] = levels.get(g["education_level"], g["education_level"])


ROSTER_LIST = ListSpec(
    name="roster:list",
    title="学生名单管理",
    template="roster/list.html",
    nav="list",
    form=lambda params, user: RosterFilterForm(params, actor=user),
    search=lambda user, form: roster_search(user, form.filters(valid=True)),
    rows=as_list_rows,
    decorate=decorate_roster_rows,
    defaults=lambda user: {"graduation_year": str(current_cohort())},  # the list opens on the current cohort
    defaults_when_blank=True,
    columns=(
        Column("考生号", "exam_no"), Column("学号", "student_no"), Column("姓名", "name"),
        Column("身份证号", "id_masked"), Column("院系", "department_name"), Column("专业", "major_name"),
        Column("学历层次", "level_name"), Column("培养方式", "training_mode_name"),
        Column("毕业年份", "graduation_year"), Column("手机号码", "phone_masked"),
        link_column("操作", "roster:detail", "详细"),
    ),
    empty="没有符合条件的毕业生。",
    empty_class="",
)

INVALID_LIST = ListSpec(
    name="roster:invalid",
    title="失效信息管理",
    template="roster/invalid_list.html",
    nav="invalid",
    form=lambda params, user: RosterFilterForm(params or None, actor=user),
    search=lambda user, form: roster_search(user, form.filters(valid=False)),
    rows=as_list_rows,
    decorate=decorate_roster_rows,
    columns=(
        Column("考生号", "exam_no"), Column("姓名", "name"), Column("身份证号", "id_masked"),
        Column("院系", "department_name"), Column("专业", "major_name"), Column("毕业年份", "graduation_year"),
        Column("失效时间", "invalidated_at"), Column("失效原因", "invalid_reason"),
        Column("操作", template="roster/_invalid_actions.html"),
    ),
    empty="没有失效的毕业生。",
    empty_class="",
    htmx=False,
)
