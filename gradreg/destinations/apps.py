from django.apps import AppConfig


class DestinationsConfig(AppConfig):
    name = "gradreg.destinations"
    verbose_name = "去向登记与补登"

    def ready(self) -> None:
        from gradreg.common.api import register_router
        from gradreg.ems.services import RESTORATION_HOOKS
        from gradreg.ems.sync import clear_destination, register_topic, report_destination
        from gradreg.roster.live import LIVE_SOURCES, register_live_source, register_superseder
        from gradreg.workflow.items import register_item

        from . import flows  # noqa: F401  (registers the workflows)
        from .api import destination_router, paper_router, types_router
        from .graduate_panels import register as register_graduate_panels
        from .invalidation import resend_approved
        from .live import paper_holds, registration_holds, supersede_unemployed
        from .models import PAPER_STATES, REGISTRATION_STATES, PaperAgreement, Registration
        from .panels import register as register_panels

        for source in (registration_holds, paper_holds):
            if source not in LIVE_SOURCES:
                register_live_source(source)
        register_superseder(supersede_unemployed)
        # an item in review follows its graduate to a new department; an approved one stays where it was decided
        register_item(Registration, open_states=REGISTRATION_STATES.open_states())
        register_item(PaperAgreement, open_states=PAPER_STATES.open_states())
        register_topic(flows.TOPIC_REPORTED, report_destination)
        register_topic(flows.TOPIC_VOIDED, clear_destination)
        if resend_approved not in RESTORATION_HOOKS:
            RESTORATION_HOOKS.append(resend_approved)
        register_graduate_panels()
        register_router(types_router, order=52)
        register_router(destination_router, order=53)
        register_router(paper_router, order=54)
        register_panels()
