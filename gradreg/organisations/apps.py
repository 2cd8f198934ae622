from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class Config(AppConfig):
    name = "gradreg.organisations"
    label = "organisations"

    def ready(self) -> None:
        from .models import Employer, EmployerWarning, School
        from .selectors import invalidate_school, invalidate_warned_employers

        # every write of a flag or an employer's credit code goes through save() or delete() (the admin,
        # the services, cascades)
        for model in (EmployerWarning, Employer):
            for signal in (post_save, post_delete):
                signal.connect(invalidate_warned_employers, sender=model,
                               dispatch_uid=f"warned-employers-{model.__name__}-{signal is post_save}")
        for signal in (post_save, post_delete):
            signal.connect(invalidate_school, sender=School, dispatch_uid=f"school-label-{signal is post_save}")
