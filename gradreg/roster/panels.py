"""What the roster shows in the menus: the registration module's home and lists, and its links from EMS."""
from __future__ import annotations

from gradreg.common.registries import EMS_MENU, REGISTRATION_MENU, NavEntry, register_nav
from gradreg.common.roles import Role

STAFF = frozenset({Role.DEPARTMENT, Role.SCHOOL})


def register() -> None:
    register_nav(
        NavEntry(REGISTRATION_MENU, "home", "首页", "roster:home", 10, active="home"),
        NavEntry(REGISTRATION_MENU, "list", "学生名单管理", "roster:list", 20, active="list", roles=STAFF),
        NavEntry(REGISTRATION_MENU, "invalid", "失效信息管理", "roster:invalid", 50, active="invalid", roles=STAFF),
        NavEntry(EMS_MENU, "roster", "学生列表", "roster:list", 30),
        NavEntry(EMS_MENU, "registration", "前往登记系统", "roster:home", 50),
    )
