from django.apps import AppConfig


class Config(AppConfig):
    name = "gradreg.roster"
    label = "roster"

    def ready(self) -> None:
        from gradreg.workflow.engine import register_gate

        from .gates import ensure_item_graduate_can_act

        register_gate("graduate", ensure_item_graduate_can_act)
