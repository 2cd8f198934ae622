from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "gradreg.verification"
    verbose_name = "公开核验"
