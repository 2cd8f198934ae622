from django.core.management.base import BaseCommand

from gradreg.codes.loader import load_all


class Command(BaseCommand):
    help = "加载/更新代码表 (学历、民族、政治面貌、培养方式、行政区划……)，可重复执行"

    def handle(self, *args, **options):
        for table, n in load_all().items():
            self.stdout.write(f"{table}: {n}")
