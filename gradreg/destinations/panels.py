"""What 去向登记 and 补登 show on shared pages: their menu entries and the reviewers' home panel."""
from __future__ import annotations

from gradreg.common import registries as reg
from gradreg.common.roles import Role

from .selectors import waiting_counts

STAFF = frozenset({Role.DEPARTMENT, Role.SCHOOL})


def reviews_waiting(user) -> dict | None:
    """补登 and registrations waiting for this reviewer, per state (nothing for other roles)."""
    return waiting_counts(user) or None


def register() -> None:
    menu = reg.REGISTRATION_MENU
    reg.register_nav(
        # the seed's order: 补登管理 after 在线签约管理 (30), 去向登记管理 after 解约管理 (40)
        reg.NavEntry(menu, "paper", "补登管理", "destinations:paper_list", 35, active="paper", roles=STAFF),
        reg.NavEntry(menu, "destinations", "去向登记管理", "destinations:list", 45, active="destinations", roles=STAFF),
    )
    reg.register_panel(reg.HomePanel(reg.STAFF_HOME, "destinations", "destinations/_home_waiting.html",
                                     reviews_waiting, 25))
