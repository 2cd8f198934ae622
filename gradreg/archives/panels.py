"""What the two modules show on shared pages: their entries of 选择功能模块, their menus, the graduate's panel."""
from __future__ import annotations

from gradreg.common import registries as reg
from gradreg.common.roles import Role
from gradreg.ems.models import Graduate
from gradreg.ems.transfer_modules import MODULES

from .models import RecordState, TransferRecord

STAFF = frozenset({Role.DEPARTMENT, Role.SCHOOL})
GRADUATE = frozenset({Role.GRADUATE})


def graduate_panel(user) -> dict | None:
    """The graduate's own page: 登记状态 of each module they may use, with its link (two small queries)."""
    if user.role != Role.GRADUATE or not user.graduate_id:
        return None
    graduate = Graduate.objects.filter(pk=user.graduate_id).only("hukou_moved_to_school", "school_id").first()
    if graduate is None:
        return None
    states = dict(TransferRecord.objects.filter(school_id=graduate.school_id, graduate_id=graduate.pk)
                  .values_list("kind", "state"))
    labels = dict(RecordState.choices)
    rows = [{"title": m.info, "url": f"{m.url}:mine", "state": labels[states.get(m.kind, RecordState.NONE)]}
            for m in MODULES.values() if m.on_roster(graduate)]
    return {"rows": rows}


def register() -> None:
    for m in MODULES.values():
        ns = m.url
        reg.register_module(reg.ModuleEntry(
            m.kind if m.kind == "hukou" else "archives", m.title,
            "管理毕业生的档案转递信息" if m.kind == "archive" else "管理毕业生的户口迁移信息",
            STAFF | GRADUATE, f"{ns}:home", m.order))
        reg.register_nav(
            reg.NavEntry(m.kind, "home", "首页", f"{ns}:home", 10, active="home", roles=STAFF),
            reg.NavEntry(m.kind, "roster", "学生名单管理", f"{ns}:roster_list", 20, active="roster", roles=STAFF),
            reg.NavEntry(m.kind, "info", m.info, f"{ns}:info_list", 30, active="info", roles=STAFF),
            reg.NavEntry(m.kind, "applications", "申请记录", f"{ns}:application_list", 40, active="applications",
                         roles=STAFF),
            reg.NavEntry(m.kind, "invalid", "失效信息管理", f"{ns}:invalid_list", 50, active="invalid", roles=STAFF),
            reg.NavEntry(m.kind, "statistics", "数据统计", f"{ns}:statistics", 60, active="statistics", roles=STAFF),
            reg.NavEntry(m.kind, "mine", f"我的{m.info}", f"{ns}:mine", 10, active="mine", roles=GRADUATE),
        )
    reg.register_panel(reg.HomePanel(reg.GRADUATE_HOME, "archives", "archives/_graduate_panel.html",
                                     graduate_panel, 30))
