from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "gradreg.verification"
    verbose_name = "公开核验"

    def ready(self) -> None:
        from gradreg.common.api import register_router
        from gradreg.ems.services import UPDATE_HOOKS
        from gradreg.ems.sync import CLEARED_HOOKS
        from gradreg.roster.changes import important_fields_changed, important_fields_changed_many

        from .confirmation import follow_department, on_important_change, on_important_changes, register_pages
        from .confirmation_api import router
        from .transfer_api import router as transfer_router
        from .transfer_pages import register_transfer_pages
        from .transfers import follow_department as codes_follow_department
        from .transfers import on_destination_cleared
        from .transfers import on_important_change as stale_on_change
        from .transfers import on_important_changes as stale_on_changes

        register_pages()
        # 登记确认 goes back to 未确认 on any important change of a destination, 档案 or 户口 info
        important_fields_changed.connect(on_important_change, dispatch_uid="verification.confirmation_reset")
        important_fields_changed_many.connect(on_important_changes,
                                              dispatch_uid="verification.confirmation_reset_many")
        if follow_department not in UPDATE_HOOKS:
            UPDATE_HOOKS.append(follow_department)
        register_router(router, order=60)
        # 转递编号 (seed 6.2): the lists, and codes made stale by important changes or a cleared destination
        register_transfer_pages()
        important_fields_changed.connect(stale_on_change, dispatch_uid="verification.transfer_code_stale")
        important_fields_changed_many.connect(stale_on_changes, dispatch_uid="verification.transfer_code_stale_many")
        if on_destination_cleared not in CLEARED_HOOKS:
            CLEARED_HOOKS.append(on_destination_cleared)
        if codes_follow_department not in UPDATE_HOOKS:
            UPDATE_HOOKS.append(codes_follow_department)
        register_router(transfer_router, order=61)
