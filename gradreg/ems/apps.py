from django.apps import AppConfig


class Config(AppConfig):
    name = "gradreg.ems"
    label = "ems"
    verbose_name = "就业管理系统"

    def ready(self) -> None:
        from gradreg.common.api import register_router

        from . import (
            flows,  # noqa: F401  registers the training-mode change workflow
            panels,
        )
        from .api import router

        register_router(router, order=30, operation_ids_as="gradreg.api.training_mode")
        panels.register()
