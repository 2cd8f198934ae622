from django.core.management.base import BaseCommand, CommandError

from gradreg.workflow.engine import REGISTRY


class Command(BaseCommand):
    help = "以 Graphviz (dot) 格式输出一个流程的状态转换图，例如: workflow_graph training_mode_change | dot -Tsvg"

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?")

    def handle(self, *args, name=None, **options):
        import gradreg.ems.flows  # noqa: F401  registers the workflows

        if not name or name not in REGISTRY:
            raise CommandError(f"请给出流程名称，可选：{', '.join(sorted(REGISTRY))}")
        self.stdout.write(REGISTRY[name].graphviz())
