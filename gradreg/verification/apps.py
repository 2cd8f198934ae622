from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "gradreg.verification"
    verbose_name = "公开核验"

    def ready(self) -> None:
        from gradreg.common.api import register_router
        from gradreg.ems.services import UPDATE_HOOKS
        from gradreg.roster.changes import important_fields_changed, important_fields_changed_many

        from .confirmation import follow_department, on_important_change, on_important_changes, register_pages
        from .confirmation_api import router
        from .sheet_api import router as sheet_router

        register_pages()
        # 登记确认 goes back to 未确认 on any important change of a destination, 档案 or 户口 info
        important_fields_changed.connect(on_important_change, dispatch_uid="verification.confirmation_reset")
        important_fields_changed_many.connect(on_important_changes,
                                              dispatch_uid="verification.confirmation_reset_many")
        if follow_department not in UPDATE_HOOKS:
            UPDATE_HOOKS.append(follow_department)
        register_router(router, order=60)
        register_router(sheet_router, order=61)
