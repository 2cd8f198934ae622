from django.apps import AppConfig


class Config(AppConfig):
    name = "gradreg.notifications"
    label = "notifications"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from .models import Message
        from .selectors import unread_changed

        def _message_changed(sender, instance, **kwargs) -> None:
            # saves outside the services (the admin, a deleted account's messages) recount the badge too
            unread_changed(instance.recipient_id)

        post_save.connect(_message_changed, sender=Message, dispatch_uid="notifications.unread.save", weak=False)
        post_delete.connect(_message_changed, sender=Message, dispatch_uid="notifications.unread.delete", weak=False)
