from django.apps import AppConfig


class Config(AppConfig):
    name = "gradreg.codes"
    label = "codes"
    verbose_name = "代码表"
