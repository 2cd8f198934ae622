from django.core.management.base import BaseCommand

from gradreg.workflow.models import OutboxEvent


class Command(BaseCommand):
    help = "列出待投递的发件箱事件（发往就业管理系统等）"

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=100)

    def handle(self, *args, limit, **options):
        qs = OutboxEvent.objects.filter(status=OutboxEvent.Status.PENDING).order_by("id")
        total = qs.count()
        for e in qs[:limit]:
            self.stdout.write(f"{e.id}\t{e.created_at:%Y-%m-%d %H:%M:%S}\t{e.topic}\t{e.idempotency_key}\t{e.attempts}")
        self.stdout.write(f"待投递：{total}")
