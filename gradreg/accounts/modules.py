"""The module selection page's entries, and which roles may use each."""
from __future__ import annotations

from dataclasses import dataclass

from .models import Role


@dataclass(frozen=True)
class Module:
    key: str
    title: str
    description: str
    roles: frozenset[str]
    url_name: str | None  # None: not built yet, the page says so


STAFF = frozenset({Role.DEPARTMENT, Role.SCHOOL})

MODULES = [
    Module("signing", "毕业去向登记与网签", "管理毕业生的毕业去向及签约信息",
           frozenset({Role.DEPARTMENT, Role.SCHOOL, Role.GRADUATE, Role.EMPLOYER}), "roster:home"),
    Module("archives", "档案信息管理", "管理毕业生的档案转递信息", STAFF | {Role.GRADUATE}, None),
    Module("hukou", "户口信息管理", "管理毕业生的户口迁移信息", STAFF | {Role.GRADUATE}, None),
    Module("confirmation", "登记确认信息", "管理毕业生去向登记确认信息", STAFF | {Role.GRADUATE}, None),
    Module("verification", "户档转递与核验信息", "供档案、户籍接收管理部门查询核验毕业生的去向登记信息",
           STAFF | {Role.GRADUATE}, None),
    Module("ems", "就业管理系统", "毕业生名单上传与维护、培养方式修改申请", frozenset({Role.SCHOOL}), "ems:home"),
    Module("province", "培养方式修改审核", "审核学校提交的培养方式修改申请", frozenset({Role.PROVINCE}),
           "ems:training_mode_list"),
    Module("employers", "用人单位审核", "审核用人单位注册信息和营业执照", frozenset({Role.OPERATOR}),
           "organisations:review_list"),
    Module("unit", "单位信息", "查看和修改本单位注册信息、审核状态", frozenset({Role.EMPLOYER}),
           "organisations:employer_self"),
    Module("accounts", "账号管理", "创建和管理下级单位用户账号",
           frozenset({Role.OPERATOR, Role.SCHOOL}), "accounts:staff_list"),
]


def modules_for(user) -> list[Module]:
    return [m for m in MODULES if user.role in m.roles]
