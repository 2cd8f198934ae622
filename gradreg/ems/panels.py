"""What the EMS app shows on shared pages: its entries in the menus and the module page, its home panel."""
from __future__ import annotations

from gradreg.common import registries as reg
from gradreg.common.roles import Role

from .selectors import training_mode_changes_visible_to

STAFF = frozenset({Role.DEPARTMENT, Role.SCHOOL})
# the 培养方式修改申请 that wait for each role
WAITING_STATUS = {Role.SCHOOL: "requested", Role.PROVINCE: "submitted"}


def training_mode_waiting(user) -> dict | None:
    status = WAITING_STATUS.get(user.role)
    if status is None:
        return None
    # a request of an invalid (失效) graduate is frozen: it waits for no one
    qs = training_mode_changes_visible_to(user).filter(status=status, graduate__is_valid=True)
    return {"waiting": qs.count()}


def register() -> None:
    reg.register_module(reg.ModuleEntry("ems", "就业管理系统", "毕业生名单上传与维护、培养方式修改申请",
                                        STAFF, "ems:home", 60))
    reg.register_module(reg.ModuleEntry("province", "培养方式修改审核", "审核学校提交的培养方式修改申请",
                                        frozenset({Role.PROVINCE}), "ems:training_mode_list", 70))
    reg.register_nav(
        reg.NavEntry(reg.EMS_MENU, "home", "首页", "ems:home", 10, active="home"),
        reg.NavEntry(reg.EMS_MENU, "import", "毕业生名单上传", "ems:import_upload", 20, active="import",
                     roles=frozenset({Role.SCHOOL})),
        reg.NavEntry(reg.EMS_MENU, "destination_upload", "毕业去向上传", "ems:destination_upload", 30,
                     active="destination_upload", roles=frozenset({Role.SCHOOL})),
        reg.NavEntry(reg.EMS_MENU, "tmc", "培养方式修改申请", "ems:training_mode_list", 40, active="tmc"),
        # seed 4.3.1: 档案/户口信息 may be reported or changed in EMS too, and flow back to the platform
        reg.NavEntry(reg.EMS_MENU, "transfer_archive", "档案信息", "ems:transfer_archive_list", 45,
                     active="transfer_archive", roles=STAFF),
        reg.NavEntry(reg.EMS_MENU, "transfer_hukou", "户口信息", "ems:transfer_hukou_list", 46,
                     active="transfer_hukou", roles=STAFF),
        reg.NavEntry(reg.REGISTRATION_MENU, "tmc", "培养方式修改记录", "ems:training_mode_list", 60, active="tmc",
                     roles=STAFF),
    )
    reg.register_panel(reg.HomePanel(reg.STAFF_HOME, "training_mode", "ems/_home_waiting.html",
                                     training_mode_waiting, 10))
