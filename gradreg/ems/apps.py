from django.apps import AppConfig


class Config(AppConfig):
    name = "gradreg.ems"
    label = "ems"
    verbose_name = "就业管理系统"

    def ready(self) -> None:
        from gradreg.workflow.items import follow_graduate, register_item

        from . import flows  # noqa: F401  registers the training-mode change workflow
        from .models import TRAINING_MODE_OPEN_STATES, TrainingModeChange
        from .services import UPDATE_HOOKS

        register_item(TrainingModeChange, open_states=TRAINING_MODE_OPEN_STATES)
        # every registered graduate item's open rows follow the graduate to another department
        UPDATE_HOOKS.append(follow_graduate)
