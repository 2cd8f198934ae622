from django.core.management.base import BaseCommand, CommandError

from gradreg.workflow.audit import verify_chain
from gradreg.workflow.models import AuditEvent


class Command(BaseCommand):
    help = "校验所有审计记录的哈希链（逐条目），发现篡改或缺失时以非零状态退出"

    def handle(self, *args, **options):
        problems: list[str] = []
        items = 0
        current: tuple[str, int] | None = None
        chain: list[AuditEvent] = []
        # stream in item order so memory stays flat whatever the log's size
        for event in AuditEvent.objects.order_by("item_type", "item_id", "seq").iterator(chunk_size=2000):
            key = (event.item_type, event.item_id)
            if key != current:
                if chain:
                    problems += verify_chain(chain)
                    items += 1
                current, chain = key, []
            chain.append(event)
        if chain:
            problems += verify_chain(chain)
            items += 1
        for p in problems:
            self.stderr.write(p)
        if problems:
            raise CommandError(f"审计链校验失败：{len(problems)} 处问题（共 {items} 个条目）")
        self.stdout.write(f"审计链完整：{items} 个条目")
