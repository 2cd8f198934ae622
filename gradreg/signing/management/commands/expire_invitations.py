"""Move employer invitations past their validity to 邀请已过期 (run daily, or from the worker's schedule)."""
from django.core.management.base import BaseCommand

from gradreg.signing.services import expire_invitations


class Command(BaseCommand):
    help = "将超过有效期未处理的签约邀请标记为“邀请已过期”"

    def handle(self, *args, **options):
        n = expire_invitations()
        self.stdout.write(f"已过期的签约邀请：{n} 条")
