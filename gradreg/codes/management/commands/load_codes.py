from django.core.management.base import BaseCommand

from gradreg.codes.loader import clear_cache, load_all
from gradreg.codes.regions import write_csv


class Command(BaseCommand):
    help = "加载/更新代码表 (学历、民族、政治面貌、培养方式、行政区划……)，可重复执行"

    def add_arguments(self, parser):
        parser.add_argument(
            "--rebuild-regions", action="store_true",
            help="先用已安装的 python-stdnum 重新生成 gradreg/codes/data/gbt2260.csv（升级 stdnum 后使用）",
        )

    def handle(self, *args, rebuild_regions=False, **options):
        if rebuild_regions:
            self.stdout.write(f"gbt2260.csv: {write_csv()} 条")
        for table, n in load_all().items():
            self.stdout.write(f"{table}: {n}")
        clear_cache()
