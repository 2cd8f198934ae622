from django.apps import AppConfig


class Config(AppConfig):
    name = "gradreg.roster"
    label = "roster"

    def ready(self) -> None:
        from gradreg.common.api import register_router

        from . import panels
        from .api import router

        register_router(router, order=20, operation_ids_as="gradreg.api.roster")
        panels.register()
