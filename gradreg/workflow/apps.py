from django.apps import AppConfig


class Config(AppConfig):
    name = "gradreg.workflow"
    label = "workflow"
