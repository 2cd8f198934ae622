"""What signing shows on shared pages: its menu entries, the module page entry, its home panels."""
from __future__ import annotations

from gradreg.common import registries as reg
from gradreg.common.roles import Role

from .guides import has_guide
from .selectors import invitations_for, waiting_counts

STAFF = frozenset({Role.DEPARTMENT, Role.SCHOOL})
GRADUATE = frozenset({Role.GRADUATE})
EMPLOYER = frozenset({Role.EMPLOYER})


def reviews_waiting(user) -> dict | None:
    """Signings and terminations waiting for this reviewer (nothing for other roles)."""
    return waiting_counts(user) or None


def graduate_signing(user) -> dict:
    return {"invitations": invitations_for(user).count()}


def guide_link(user) -> dict | None:
    """下载操作指南 on each module home: this role's guide (docs/guides/<role>.md), where one is written."""
    return {"role": user.role} if has_guide(user.role) else None


def register() -> None:
    menu = reg.REGISTRATION_MENU
    reg.register_module(reg.ModuleEntry(
        "signing", "毕业去向登记与网签", "管理毕业生的毕业去向及签约信息",
        frozenset({Role.DEPARTMENT, Role.SCHOOL, Role.GRADUATE, Role.EMPLOYER}), "roster:home", 10,
    ))
    reg.register_nav(
        reg.NavEntry(menu, "signing", "在线签约管理", "signing:review_list", 30, active="signing", roles=STAFF),
        reg.NavEntry(menu, "termination", "解约管理", "signing:termination_list", 40, active="termination",
                     roles=STAFF),
        reg.NavEntry(menu, "my", "我的签约", "signing:my", 70, active="my", roles=GRADUATE),
        reg.NavEntry(menu, "apply", "申请电子就业协议书", "signing:apply", 80, active="apply", roles=GRADUATE),
        reg.NavEntry(menu, "employer", "签约管理", "signing:employer", 90, active="employer", roles=EMPLOYER),
        reg.NavEntry(menu, "invite", "发起签约邀请", "signing:invite", 100, active="invite", roles=EMPLOYER),
    )
    reg.register_panel(reg.HomePanel(reg.STAFF_HOME, "signing", "signing/_home_waiting.html", reviews_waiting, 20))
    reg.register_panel(reg.HomePanel(reg.GRADUATE_HOME, "signing", "signing/_graduate_panel.html",
                                     graduate_signing, 10))
    for page in (reg.STAFF_HOME, reg.GRADUATE_HOME):
        reg.register_panel(reg.HomePanel(page, "guide", "signing/_guide_link.html", guide_link, 1))
