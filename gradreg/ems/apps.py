from django.apps import AppConfig


class Config(AppConfig):
    name = "gradreg.ems"
    label = "ems"
    verbose_name = "就业管理系统"

    def ready(self) -> None:
        from gradreg.workflow.outbox import register_local_receiver

        from . import flows  # noqa: F401  registers the training-mode change workflow
        from .sync import apply_event

        register_local_receiver(apply_event)  # the outbox's in-process transport
