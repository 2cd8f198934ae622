"""gunicorn settings for the production stack (`make serve`, `make loadtest`, the systemd unit).

Workers and threads follow the cores unless GUNICORN_WORKERS / GUNICORN_THREADS say otherwise:
one process per core plus one, each with a few threads so that a request waiting on PostgreSQL
or Redis does not hold a core idle. Every value can be overridden on the command line.
"""
import multiprocessing
import os

_cores = multiprocessing.cpu_count()

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS") or _cores + 1)
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS") or 4)
# A request longer than this is a bug or an attack; large exports stream and reset the timer per chunk.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 60)
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so that a slow leak never becomes an outage in June.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS") or 20000)
max_requests_jitter = max_requests // 10
# The application is imported once in the master and forked: less memory, faster worker restarts.
preload_app = True
# nginx in front adds X-Forwarded-For / -Proto; trust it only from the proxy's address.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "gradreg"


def pre_fork(server, worker):  # noqa: ARG001 - gunicorn's hook signature
    # A connection the master opened while importing the app must not be inherited by the workers.
    from django.db import connections  # function-level: Django is set up by the app import, not here

    for conn in connections.all(initialized_only=True):
        conn.close()
