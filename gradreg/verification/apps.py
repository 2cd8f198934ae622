from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "gradreg.verification"
    verbose_name = "公开核验"

    def ready(self) -> None:
        from gradreg.common.api import register_router
        from gradreg.ems.services import UPDATE_HOOKS
        from gradreg.roster import changes

        from . import grants
        from .confirmation import follow_department, register_pages, reset
        from .confirmation_api import router
        from .grant_api import router as grant_router

        register_pages()
        grants.register_pages()
        # an important change of a destination, 档案 or 户口 info sends 登记确认 back to 未确认 and ends the
        # 核验授权 given on that confirmation (核验状态 未确认)
        changes.connect(reset, dispatch_uid="verification.confirmation_reset")
        changes.connect(grants.end_grants, dispatch_uid="verification.grant_end")
        if follow_department not in UPDATE_HOOKS:
            UPDATE_HOOKS.append(follow_department)
        register_router(router, order=60)
        register_router(grant_router, order=61)
