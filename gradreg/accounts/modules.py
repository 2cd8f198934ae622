"""The module selection page: the entries the modules registered, and the ones not built yet.

A module adds its entry from its `apps.py` with `gradreg.common.registries.register_module`; the
modules still to come are listed here, so the page already names them as not built.
"""
from __future__ import annotations

from gradreg.common.registries import ModuleEntry, modules_for, register_module
from gradreg.common.roles import Role

STAFF = frozenset({Role.DEPARTMENT, Role.SCHOOL})

NOT_BUILT = (
    ModuleEntry("archives", "档案信息管理", "管理毕业生的档案转递信息", STAFF | {Role.GRADUATE}, None, 20),
    ModuleEntry("hukou", "户口信息管理", "管理毕业生的户口迁移信息", STAFF | {Role.GRADUATE}, None, 30),
    ModuleEntry("confirmation", "登记确认信息", "管理毕业生去向登记确认信息", STAFF | {Role.GRADUATE}, None, 40),
)

ACCOUNTS = ModuleEntry("accounts", "账号管理", "创建和管理下级单位用户账号",
                       frozenset({Role.OPERATOR, Role.SCHOOL}), "accounts:staff_list", 100)


def register() -> None:
    """Called from the app's ready(): this app's entry and the placeholders of the modules to come."""
    for entry in (*NOT_BUILT, ACCOUNTS):
        register_module(entry)


__all__ = ["ModuleEntry", "modules_for", "register"]
