from django.apps import AppConfig


class Config(AppConfig):
    name = "gradreg.ems"
    label = "ems"
    verbose_name = "就业管理系统"

    def ready(self) -> None:
        from . import flows  # noqa: F401  registers the training-mode change workflow
