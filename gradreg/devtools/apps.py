from django.apps import AppConfig


class Config(AppConfig):
    name = "gradreg.devtools"
    label = "devtools"
    verbose_name = "演示数据与性能基准"
