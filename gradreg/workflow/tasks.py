"""Outbox delivery in the background: right after each commit that wrote events, and periodically;
and the worker's heartbeat, which `/healthz` reads.

In the embedded default Celery runs eagerly, so delivery happens in-process just after the commit;
in production the task goes to the worker. Whatever is missed (broker or EMS down) stays pending
and is picked up by the periodic pass: celery beat (CELERY_BEAT_SCHEDULE) or
`manage.py deliver_outbox --loop`.
"""
from __future__ import annotations

import logging

from celery.signals import worker_ready
from django.db import transaction

from config.celery import app

from .health import record_heartbeat
from .outbox import alert_operators, deliver_pending

log = logging.getLogger("gradreg.workflow.outbox")


@app.task(name="gradreg.workflow.tasks.deliver_outbox")
def deliver_outbox() -> dict[str, int]:
    return deliver_pending()


@app.task(name="gradreg.workflow.tasks.outbox_alert")
def outbox_alert() -> list[str]:
    """Operators are told of a stale backlog or an event failed for good (at most once an hour each)."""
    return alert_operators()


def _enqueue() -> None:
    try:
        # no publish retries: the user's request must not wait on a broker that is down
        deliver_outbox.apply_async(retry=False)
    except Exception:
        # the events are committed and stay pending; the periodic pass delivers them
        log.exception("could not schedule outbox delivery; events stay pending")


def schedule_delivery() -> None:
    """Deliver the outbox once the current transaction commits (nothing is sent if it rolls back)."""
    transaction.on_commit(_enqueue)


@app.task(name="gradreg.workflow.tasks.heartbeat")
def heartbeat() -> float:
    """The worker is alive and consuming: beat sends this every 30 s, `/healthz` reports its age."""
    return record_heartbeat()


@worker_ready.connect
def _heartbeat_at_start(**_kwargs) -> None:
    # a freshly started stack is healthy at once instead of after beat's first interval
    try:
        record_heartbeat()
    except Exception:
        log.exception("could not record the worker heartbeat at start")
