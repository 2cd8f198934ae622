from django.apps import AppConfig


class Config(AppConfig):
    name = "gradreg.roster"
    label = "roster"
