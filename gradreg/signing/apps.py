from django.apps import AppConfig


class SigningConfig(AppConfig):
    name = "gradreg.signing"
    verbose_name = "在线签约与解约"

    def ready(self) -> None:
        from gradreg.roster.live import register_live_source
        from gradreg.workflow.items import register_item

        from . import flows  # noqa: F401  (registers the workflows)
        from .live import signing_holds
        from .models import SIGNING_OPEN_STATES, TERMINATION_OPEN_STATES, Signing, Termination

        register_live_source(signing_holds)
        register_item(Signing, open_states=SIGNING_OPEN_STATES)
        register_item(Termination, open_states=TERMINATION_OPEN_STATES)
