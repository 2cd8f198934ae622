from django.apps import AppConfig


class Config(AppConfig):
    name = "gradreg.roster"
    label = "roster"

    def ready(self) -> None:
        from gradreg.common.api import register_router
        from gradreg.workflow.bulk import register_set_gate
        from gradreg.workflow.engine import register_gate

        from .api import router
        from .gates import ensure_item_graduate_can_act, items_graduates_can_act
        from .panels import register as register_panels

        register_gate("graduate", ensure_item_graduate_can_act)
        register_set_gate("graduate", items_graduates_can_act)
        register_router(router, order=20, operation_ids_as="gradreg.api.roster")
        register_panels()
