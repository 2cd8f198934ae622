from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "gradreg.verification"
    verbose_name = "公开核验"

    def ready(self) -> None:
        from gradreg.common.api import register_router
        from gradreg.ems.services import UPDATE_HOOKS
        from gradreg.ems.sync import CLEARED_HOOKS
        from gradreg.roster import changes

        from . import grants, transfers
        from .confirmation import CONFIRMED_HOOKS, follow_department, register_pages, reset
        from .confirmation_api import router
        from .grant_api import router as grant_router
        from .sheet_api import router as sheet_router
        from .transfer_api import router as transfer_router
        from .transfer_pages import register_transfer_pages

        register_pages()
        grants.register_pages()
        register_transfer_pages()
        # an important change of a destination, 档案 or 户口 info sends 登记确认 back to 未确认, ends the
        # 核验授权 given on that confirmation (核验状态 未确认) and makes the touched sheets' 转递编号 stale
        changes.connect(reset, dispatch_uid="verification.confirmation_reset")
        changes.connect(grants.end_grants, dispatch_uid="verification.grant_end")
        if grants.end_on_wrong not in CONFIRMED_HOOKS:  # 确认有误 ends the 核验授权 too
            CONFIRMED_HOOKS.append(grants.end_on_wrong)
        changes.connect(transfers.mark_stale, dispatch_uid="verification.transfer_code_stale")
        # EMS no longer holding the destination (a void, a termination, 失效) makes both sheets' codes stale
        # and ends the 核验授权
        for cleared in (transfers.on_destination_cleared, grants.on_destination_cleared):
            if cleared not in CLEARED_HOOKS:
                CLEARED_HOOKS.append(cleared)
        if follow_department not in UPDATE_HOOKS:  # 登记确认, 核验授权 and 转递编号 keep the department
            UPDATE_HOOKS.append(follow_department)
        register_router(router, order=60)
        register_router(grant_router, order=61)
        register_router(transfer_router, order=62)
        register_router(sheet_router, order=63)
