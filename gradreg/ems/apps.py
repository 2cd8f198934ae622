from django.apps import AppConfig


class Config(AppConfig):
    name = "gradreg.ems"
    label = "ems"
