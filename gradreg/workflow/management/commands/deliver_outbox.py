"""Deliver pending outbox events to EMS.

Each commit that writes events already schedules a delivery; this command is the periodic fallback
that picks up what that missed (EMS or the broker was down, a retry came due):

    manage.py deliver_outbox                       # one pass (e.g. from cron)
    manage.py deliver_outbox --loop --interval 10  # a simple worker, for deployments without celery beat
    manage.py deliver_outbox --now                 # EMS is back: ignore every backoff, one pass at once
    manage.py deliver_outbox --retry-failed        # requeue events that ran out of attempts (and make the
                                                   # events in backoff due, so nothing holds them), one pass

With celery beat, CELERY_BEAT_SCHEDULE runs the same pass as a task instead.
"""
from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

from gradreg.workflow.outbox import alert_operators, deliver_now, deliver_pending
from gradreg.workflow.outbox import retry_failed as requeue_failed


class Command(BaseCommand):
    help = "投递待投递的发件箱事件（发往就业管理系统）；--loop 持续运行"

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="持续运行，每隔 --interval 秒投递一次")
        parser.add_argument("--interval", type=float, default=10.0, help="两次投递之间的秒数（默认 10）")
        parser.add_argument("--limit", type=int, default=100, help="每次最多投递的事件数（默认 100）")
        parser.add_argument("--retry-failed", action="store_true",
                            help="先把已放弃投递的事件重新放回队列（退避等待中的事件也立即投递）")
        parser.add_argument("--now", action="store_true", help="立即投递：忽略退避等待，马上投递所有待投递事件")

    def handle(self, *args, loop: bool, interval: float, limit: int, retry_failed: bool, now: bool, **options):
        if now:
            counts = deliver_now(retry=retry_failed, limit=limit)
            if retry_failed:
                self.stdout.write(f"重新排队：{counts['requeued']}")
            self.stdout.write(f"提前投递（忽略退避）：{counts['brought_forward']}")
            self.stdout.write(f"已投递：{counts['sent']}，失败：{counts['failed']}，等待前序事件：{counts['held']}")
            if not loop:
                return
        elif retry_failed:
            self.stdout.write(f"重新排队：{requeue_failed()}")
        while True:
            try:
                counts = deliver_pending(limit=limit)
            except DatabaseError as exc:
                if not loop:
                    raise
                # the database is away for a moment: a worker waits and tries again rather than dying
                self.stderr.write(f"数据库不可用，稍后重试：{exc}")
                counts = {"sent": 0, "failed": 0, "held": 0}
            if counts["sent"] or counts["failed"] or not loop:
                self.stdout.write(f"已投递：{counts['sent']}，失败：{counts['failed']}，等待前序事件：{counts['held']}")
            if not loop:
                return
            try:
                alert_operators()  # a stale backlog or an event failed for good: operators are told (hourly at most)
            except DatabaseError as exc:
                self.stderr.write(f"未能检查投递告警：{exc}")
            # a full batch means a backlog: go on at once; otherwise wait
            if counts["sent"] + counts["failed"] < limit:
                time.sleep(interval)
            close_old_connections()

