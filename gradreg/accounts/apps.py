from django.apps import AppConfig


class Config(AppConfig):
    name = "gradreg.accounts"
    label = "accounts"

    def ready(self) -> None:
        from gradreg.common.api import register_router

        from . import modules
        from .api import router

        register_router(router, order=10, operation_ids_as="gradreg.api.auth")
        modules.register()
