from django.apps import AppConfig


class Config(AppConfig):
    name = "gradreg.ems"
    label = "ems"
    verbose_name = "就业管理系统"

    def ready(self) -> None:
        from gradreg.common.api import register_router
        from gradreg.common.registries import ModuleEntry, register_module
        from gradreg.common.roles import Role
        from gradreg.workflow.items import follow_graduate, register_item
        from gradreg.workflow.outbox import register_receiver

        from .api import router
        from .flows import TRAINING_MODE_STATES  # importing flows registers the training-mode change workflow
        from .models import TrainingModeChange
        from .panels import register as register_panels
        from .services import UPDATE_HOOKS
        from .sync import apply_event

        register_router(router, order=30, operation_ids_as="gradreg.api.training_mode")
        register_panels()
        register_module(ModuleEntry("ems_outbox", "EMS 投递", "查看发往就业管理系统的积压和投递失败的事件，重试、放弃或立即投递",
                                    frozenset({Role.OPERATOR, Role.SCHOOL}), "ems:outbox", 85))
        register_receiver("ems", apply_event)
        register_item(TrainingModeChange, open_states=TRAINING_MODE_STATES.open_states())
        # every registered graduate item's open rows follow the graduate to another department
        UPDATE_HOOKS.append(follow_graduate)
