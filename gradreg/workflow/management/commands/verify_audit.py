from django.core.management.base import BaseCommand, CommandError

from gradreg.workflow.audit import verify_all


class Command(BaseCommand):
    help = "校验所有审计记录的哈希链（带密钥的 HMAC）及每个条目的链尾记录，发现篡改或缺失时以非零状态退出"

    def handle(self, *args, **options):
        items, problems = verify_all()
        for p in problems:
            self.stderr.write(p)
        if problems:
            raise CommandError(f"审计链校验失败：{len(problems)} 处问题（共 {items} 个条目）")
        self.stdout.write(f"审计链完整：{items} 个条目")
