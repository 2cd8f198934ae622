from django.apps import AppConfig


class Config(AppConfig):
    name = "gradreg.roster"
    label = "roster"

    def ready(self) -> None:
        from gradreg.common.api import register_router
        from gradreg.ems.destination_upload import UPLOAD_HOOKS
        from gradreg.workflow.bulk import register_set_gate
        from gradreg.workflow.engine import register_gate

        from .api import router
        from .changes import tell_destinations
        from .gates import ensure_item_graduate_can_act, items_graduates_can_act
        from .panels import register as register_panels

        register_gate("graduate", ensure_item_graduate_can_act)
        register_set_gate("graduate", items_graduates_can_act)
        register_router(router, order=20, operation_ids_as="gradreg.api.roster")
        register_panels()
        UPLOAD_HOOKS.append(tell_destinations)  # EMS's destination upload: important changes reset 登记确认
