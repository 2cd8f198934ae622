from django.apps import AppConfig


class SigningConfig(AppConfig):
    name = "gradreg.signing"
    verbose_name = "在线签约与解约"

    def ready(self) -> None:
        from gradreg.common.api import register_router
        from gradreg.ems.services import RESTORATION_HOOKS
        from gradreg.roster.live import register_live_source
        from gradreg.workflow.items import register_item

        from . import flows  # noqa: F401  (registers the workflows)
        from .api import signing_router, termination_router
        from .invalidation import resend_signed
        from .live import signing_holds
        from .models import SIGNING_STATES, TERMINATION_STATES, Signing, Termination
        from .panels import register as register_panels

        register_live_source(signing_holds)
        # a signing follows its graduate while in flight, and once signed (its termination is reviewed there)
        register_item(Signing, open_states=SIGNING_STATES.open_states() | SIGNING_STATES.holding())
        register_item(Termination, open_states=TERMINATION_STATES.open_states())
        register_router(signing_router, order=50, operation_ids_as="gradreg.api.signing")
        register_router(termination_router, order=51, operation_ids_as="gradreg.api.signing")
        register_panels()
        if resend_signed not in RESTORATION_HOOKS:
            RESTORATION_HOOKS.append(resend_signed)
