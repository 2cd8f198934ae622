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

        from django.db.models.signals import post_delete, post_save

        from .models import User
        from .usercache import invalidate_user

        def _user_changed(sender, instance, **kwargs) -> None:
            # every save (password, is_active, role, unit, last_login) retires the cached copy
            invalidate_user(instance.pk)

        post_save.connect(_user_changed, sender=User, dispatch_uid="accounts.user_cache.save", weak=False)
        post_delete.connect(_user_changed, sender=User, dispatch_uid="accounts.user_cache.delete", weak=False)
