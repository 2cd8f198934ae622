"""Every periodic job celery beat sends names a registered task, and that task runs."""
from __future__ import annotations

from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from config.celery import app

SCHEDULE = settings.CELERY_BEAT_SCHEDULE


@pytest.fixture(scope="module", autouse=True)
def _tasks_imported():
    # what the worker does at start: import every app's tasks module
    app.loader.import_default_modules()


def test_the_schedule_holds_the_platforms_periodic_jobs():
    tasks = {entry["task"] for entry in SCHEDULE.values()}
    assert tasks == {
        "gradreg.workflow.tasks.deliver_outbox",
        "gradreg.workflow.tasks.heartbeat",
        "gradreg.workflow.tasks.outbox_alert",
        "gradreg.signing.tasks.expire_invitations",
        "gradreg.accounts.tasks.clear_expired_sessions",
    }


@pytest.mark.parametrize("name", sorted(SCHEDULE))
def test_each_scheduled_task_is_registered_and_runs(name, db):
    task_name = SCHEDULE[name]["task"]
    assert task_name in app.tasks, f"{name}: {task_name} is not a registered task"
    result = app.tasks[task_name].apply()
    assert result.successful(), result.traceback


def test_session_cleanup_removes_only_expired_sessions(db):
    store = import_module(settings.SESSION_ENGINE).SessionStore
    old, live = store(), store()
    old["x"] = 1
    old.set_expiry(-10)
    old.save()
    live["x"] = 2
    live.save()
    app.tasks["gradreg.accounts.tasks.clear_expired_sessions"].apply()
    assert store().exists(live.session_key)
    if not issubclass(store, DatabaseSessionStore):
        return  # a cache-only engine expires its entries itself: nothing in the database to look at
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]
    assert Session.objects.get().expire_date > timezone.now()
