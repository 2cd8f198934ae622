from django.apps import AppConfig


class Config(AppConfig):
    name = "gradreg.common"
    label = "common"
