from django.apps import AppConfig


class Config(AppConfig):
    name = "gradreg.accounts"
    label = "accounts"
