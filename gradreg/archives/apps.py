from django.apps import AppConfig


class ArchivesConfig(AppConfig):
    name = "gradreg.archives"
    verbose_name = "档案/户口信息管理"

    def ready(self) -> None:
        from gradreg.ems.services import INVALIDATION_HOOKS, UPDATE_HOOKS
        from gradreg.workflow.items import register_item

        from . import flows  # noqa: F401  (registers the workflow)
        from .invalidation import invalidate
        from .models import APPLICATION_STATES, TransferApplication
        from .panels import register as register_panels
        from .records import follow_department

        # an application in review follows its graduate to a new department
        register_item(TransferApplication, open_states=APPLICATION_STATES.open_states())
        register_panels()
        if invalidate not in INVALIDATION_HOOKS:  # seed 4.4; nothing is restored (no restoration hook)
            INVALIDATION_HOOKS.append(invalidate)
        if follow_department not in UPDATE_HOOKS:
            UPDATE_HOOKS.append(follow_department)
