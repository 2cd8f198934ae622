from django.apps import AppConfig


class Config(AppConfig):
    name = "gradreg.roster"
    label = "roster"

    def ready(self) -> None:
        from gradreg.common.api import register_router

        from .api import router
        from .panels import register as register_panels

        register_router(router, order=20, operation_ids_as="gradreg.api.roster")
        register_panels()
