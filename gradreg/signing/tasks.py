"""Signing's periodic work for the Celery worker (CELERY_BEAT_SCHEDULE)."""
from __future__ import annotations

from config.celery import app

from .services import expire_invitations as expire_due


@app.task(name="gradreg.signing.tasks.expire_invitations")
def expire_invitations() -> int:
    """Invitations past their validity move to 邀请已过期 (also `manage.py expire_invitations`)."""
    return expire_due()
