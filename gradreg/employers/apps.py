from django.apps import AppConfig


class EmployersConfig(AppConfig):
    name = "gradreg.employers"
    verbose_name = "用人单位注册与审核"

    def ready(self) -> None:
        from gradreg.common.api import register_router
        from gradreg.common.registries import REGISTRATION_MENU, ModuleEntry, NavEntry, register_module, register_nav
        from gradreg.common.roles import Role

        from . import flows  # noqa: F401  (registers the employer review workflow)
        from .api import router

        register_module(ModuleEntry("employers", "用人单位审核", "审核用人单位注册信息和营业执照",
                                    frozenset({Role.OPERATOR}), "organisations:review_list", 80))
        register_module(ModuleEntry("unit", "单位信息", "查看和修改本单位注册信息、审核状态",
                                    frozenset({Role.EMPLOYER}), "organisations:employer_self", 90))
        register_nav(NavEntry(REGISTRATION_MENU, "unit", "单位信息", "organisations:employer_self", 110,
                              active="unit", roles=frozenset({Role.EMPLOYER})))
        register_router(router, order=40, operation_ids_as="gradreg.api.employers")
