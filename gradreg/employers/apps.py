from django.apps import AppConfig


class EmployersConfig(AppConfig):
    name = "gradreg.employers"
    verbose_name = "用人单位注册与审核"

    def ready(self) -> None:
        from . import flows  # noqa: F401  (registers the employer review workflow)
