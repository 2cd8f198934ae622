from django.apps import AppConfig


class Config(AppConfig):
    name = "gradreg.accounts"
    label = "accounts"

    def ready(self) -> None:
        from gradreg.common.api import register_router

        from .api import router
        from .modules import register as register_modules

        register_router(router, order=10, operation_ids_as="gradreg.api.auth")
        register_modules()
