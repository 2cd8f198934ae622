"""Test settings: fast hashing, no network; DATABASE_URL may still select PostgreSQL."""
from .base import *  # noqa: F401,F403

GRADREG_ENV = "test"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CODE_SENDER_BACKEND = "gradreg.notifications.channels.MemorySender"
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
AUDIT_HMAC_KEY = "test-audit-hmac-key"
