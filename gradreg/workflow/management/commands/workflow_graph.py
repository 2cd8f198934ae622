from django.core.management.base import BaseCommand, CommandError

from gradreg.workflow.engine import REGISTRY


class Command(BaseCommand):
    help = "以 Graphviz (dot) 格式输出一个流程的状态转换图，例如: workflow_graph training_mode_change | dot -Tsvg"
    # every workflow is in REGISTRY once the apps are ready: each app registers its tables in its apps.py

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?")

    def handle(self, *args, name=None, **options):
        if not name or name not in REGISTRY:
            raise CommandError(f"请给出流程名称，可选：{', '.join(sorted(REGISTRY))}")
        self.stdout.write(REGISTRY[name].graphviz())
