"""Account housekeeping for the Celery worker (CELERY_BEAT_SCHEDULE)."""
from __future__ import annotations

from importlib import import_module

from django.conf import settings

from config.celery import app


@app.task(name="gradreg.accounts.tasks.clear_expired_sessions")
def clear_expired_sessions() -> None:
    """Delete expired sessions (Django's `clearsessions`), whatever SESSION_ENGINE stores them."""
    # a session engine that expires its entries by itself (the cache) makes this a no-op
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
