from django.apps import AppConfig


class Config(AppConfig):
    name = "gradreg.notifications"
    label = "notifications"
