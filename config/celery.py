"""Celery on Redis for production background work (outbox delivery, notifications, large exports).

In the embedded default (`config.settings.local`) tasks run in-process (CELERY_TASK_ALWAYS_EAGER).
"""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("gradreg")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
