from django.apps import AppConfig


class ArchivesConfig(AppConfig):
    name = "gradreg.archives"
    verbose_name = "档案/户口信息管理"

    def ready(self) -> None:
        from gradreg.common.api import register_router
        from gradreg.ems.services import INVALIDATION_HOOKS, UPDATE_HOOKS
        from gradreg.ems.sync import register_topic, report_transfer
        from gradreg.ems.transfer_modules import ARCHIVE, HUKOU
        from gradreg.roster.changes import important_fields_changed, important_fields_changed_many
        from gradreg.workflow.items import register_item
        from gradreg.workflow.outbox import register_receiver

        from . import flows  # noqa: F401  (registers the workflow)
        from .api import routers
        from .flowin import flow_in, flow_in_many
        from .inbound import receive
        from .invalidation import invalidate
        from .models import APPLICATION_STATES, TransferApplication
        from .panels import register as register_panels
        from .records import follow_department

        # an application in review follows its graduate to a new department
        register_item(TransferApplication, open_states=APPLICATION_STATES.open_states())
        register_panels()
        if invalidate not in INVALIDATION_HOOKS:  # seed 4.4; nothing is restored (no restoration hook)
            INVALIDATION_HOOKS.append(invalidate)
        if follow_department not in UPDATE_HOOKS:
            UPDATE_HOOKS.append(follow_department)
        # platform → EMS: registered info becomes EMS's copy; EMS → platform: EMS's edits are registered here
        for module in (ARCHIVE, HUKOU):
            register_topic(module.topic, report_transfer)
        register_receiver("platform", receive)
        # a live destination's 档案/户口 receiving info flows into the modules
        important_fields_changed.connect(flow_in, dispatch_uid="archives.flow_in")
        important_fields_changed_many.connect(flow_in_many, dispatch_uid="archives.flow_in_many")
        for order, router in zip((55, 56), routers, strict=True):
            register_router(router, order=order)
