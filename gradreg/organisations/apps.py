from django.apps import AppConfig


class Config(AppConfig):
    name = "gradreg.organisations"
    label = "organisations"
