"""Production: PostgreSQL, Celery on Redis, HTTPS. Every required value must be set; bad values stop the start."""
import os

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from gradreg.notifications.channels import ConsoleSender, GatewaySender, MemorySender

from .base import *  # noqa: F401,F403
from .base import env_bool, env_int

GRADREG_ENV = "production"
DEBUG = False


def _required(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in production")
    return value


SECRET_KEY = _required("SECRET_KEY")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("dev-"):
    raise ImproperlyConfigured("SECRET_KEY must be a random string of at least 50 characters")
if not DATABASE_URL.startswith(("postgres://", "postgresql://")):
    raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL in production")
ALLOWED_HOSTS = [h for h in _required("ALLOWED_HOSTS").split(",") if h]

# A weaker password rule or a longer session than the baseline is a deployment mistake, not a choice.
if PASSWORD_MIN_LENGTH < 8:  # noqa: F405
    raise ImproperlyConfigured("PASSWORD_MIN_LENGTH must be at least 8 in production")
if not 0 < SESSION_IDLE_TIMEOUT <= SESSION_ABSOLUTE_TIMEOUT <= 24 * 60 * 60:  # noqa: F405
    raise ImproperlyConfigured(
        "SESSION_IDLE_TIMEOUT and SESSION_ABSOLUTE_TIMEOUT must be positive, idle <= absolute <= 24 h"
    )
# Under five minutes an idle timeout ends the session of someone reading a page or filling in a form.
if SESSION_IDLE_TIMEOUT < 5 * 60:  # noqa: F405
    raise ImproperlyConfigured("SESSION_IDLE_TIMEOUT must be at least 300 seconds (5 minutes) in production")
if AXES_FAILURE_LIMIT < 1:  # noqa: F405
    raise ImproperlyConfigured("AXES_FAILURE_LIMIT must be at least 1 in production")

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# Only correct behind a proxy that sets X-Forwarded-Proto itself and strips what clients send.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The load balancer's health check speaks plain http to the web server itself: no redirect for it.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
# Off unless every subdomain is HTTPS-only and the domain owner asks for the preload list
# (check --deploy then still reports security.W005 / W021, on purpose).
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = _required("CELERY_BROKER_URL")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
CODE_SENDER_BACKEND = _required("CODE_SENDER_BACKEND")
try:
    _sender = import_string(CODE_SENDER_BACKEND)
except ImportError as exc:
    raise ImproperlyConfigured(f"CODE_SENDER_BACKEND: cannot import {CODE_SENDER_BACKEND}: {exc}") from exc
if issubclass(_sender, (ConsoleSender, MemorySender)):  # the console or memory: nobody would receive the codes
    raise ImproperlyConfigured("CODE_SENDER_BACKEND must name a real SMS/e-mail sender in production")
if issubclass(_sender, GatewaySender) and not CODE_SENDER_URL.startswith("https://"):  # noqa: F405
    raise ImproperlyConfigured("CODE_SENDER_URL must be the SMS/e-mail gateway's https:// address")
WHITENOISE_USE_FINDERS = False

# An external EMS trusts only signed requests (docs/ems-protocol.md): a real client id and key, never the dev key.
if EMS_TRANSPORT == "http":  # noqa: F405
    EMS_CLIENT_ID = _required("EMS_CLIENT_ID")
    EMS_CLIENT_KEY = _required("EMS_CLIENT_KEY")
    if len(EMS_CLIENT_KEY) < 32 or EMS_CLIENT_KEY == EMS_DEV_CLIENT_KEY:  # noqa: F405
        raise ImproperlyConfigured("EMS_CLIENT_KEY must be a random string of at least 32 characters")
# the inbound endpoint never accepts the development key: without EMS_CLIENT_KEYS it trusts no client
EMS_CLIENT_KEYS = {c: k for c, k in EMS_CLIENT_KEYS.items() if k != EMS_DEV_CLIENT_KEY}  # noqa: F405

# Shared cache (login/activation guess counters must be counted across processes).
CACHES = {"default": {"BACKEND": "gradreg.common.cache.RedisCache",
                      "LOCATION": os.environ.get("CACHE_URL", CELERY_BROKER_URL)}}

# The platform's PDF signing key pair is provisioned by the operator, never generated on the fly.
PDF_SIGNING_KEY = Path(_required("PDF_SIGNING_KEY"))
PDF_SIGNING_CERT = Path(_required("PDF_SIGNING_CERT"))
for _name, _path in (("PDF_SIGNING_KEY", PDF_SIGNING_KEY), ("PDF_SIGNING_CERT", PDF_SIGNING_CERT)):
    if not _path.is_file():
        raise ImproperlyConfigured(f"{_name} must name an existing PEM file, {_path} not found")

# The audit chain's HMAC key: without it, anyone who can write the database could recompute rewritten rows.
AUDIT_HMAC_KEY = _required("AUDIT_HMAC_KEY")
if len(AUDIT_HMAC_KEY) < 32 or AUDIT_HMAC_KEY.startswith("dev-"):
    raise ImproperlyConfigured("AUDIT_HMAC_KEY must be a random string of at least 32 characters")

# QR codes on signed documents point here: it must be the public HTTPS address of the platform.
PUBLIC_BASE_URL = _required("PUBLIC_BASE_URL")
if not PUBLIC_BASE_URL.startswith("https://"):
    raise ImproperlyConfigured("PUBLIC_BASE_URL must be the platform's public https:// address")
