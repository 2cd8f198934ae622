"""Production settings: `check --deploy` clean, and bad configuration stops the start."""
from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ALLOWED_WARNINGS = {"security.W021", "security.W005"}  # HSTS preload / subdomains: the domain owner's call


@pytest.fixture(scope="module")
def signing_pair(tmp_path_factory):
    """A throwaway PDF signing key and certificate (production requires both files to exist)."""
    from gradreg.common.pdfsign import generate_signing_key

    folder = tmp_path_factory.mktemp("signing")
    key, cert = folder / "platform-key.pem", folder / "platform-cert.pem"
    generate_signing_key(key, cert)
    return key, cert


@pytest.fixture
def prod_env(tmp_path, signing_pair):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DJANGO_", "DATABASE_", "PASSWORD_", "SESSION_", "AXES_", "PDF_", "PUBLIC_", "AUDIT_",
                                "CODE_", "EMS_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(60),
        DATABASE_URL="postgres://gradreg:pw@127.0.0.1:5432/gradreg",
        ALLOWED_HOSTS="jy.example.edu.cn",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        CODE_SENDER_BACKEND="gradreg.notifications.channels.GatewaySender",
        CODE_SENDER_URL="https://sms.example.edu.cn/send",
        GRADREG_VAR_DIR=str(tmp_path),
        PDF_SIGNING_KEY=str(signing_pair[0]),
        PDF_SIGNING_CERT=str(signing_pair[1]),
        PUBLIC_BASE_URL="https://jy.example.edu.cn",
        AUDIT_HMAC_KEY=secrets.token_urlsafe(40),
    )
    for k in ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD"):
        env.pop(k, None)
    return env


def run(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_passes(prod_env):
    r = run(prod_env, "check", "--deploy")
    assert r.returncode == 0, r.stderr
    found = set(re.findall(r"\(([a-z_]+\.[EW]\d+)\)", r.stdout + r.stderr))
    assert found <= ALLOWED_WARNINGS, found


@pytest.mark.parametrize(
    "change, message",
    [
        ({"SECRET_KEY": None}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "short-key"}, "SECRET_KEY must be a random string"),
        ({"SECRET_KEY": "dev-" + "x" * 60}, "SECRET_KEY must be a random string"),
        ({"PASSWORD_MIN_LENGTH": "ten"}, "PASSWORD_MIN_LENGTH must be an integer"),
        ({"PASSWORD_MIN_LENGTH": "6"}, "PASSWORD_MIN_LENGTH must be at least 8"),
        ({"SESSION_IDLE_TIMEOUT": "0"}, "SESSION_IDLE_TIMEOUT"),
        # an external EMS trusts only signed requests: no key, a short one or the development one stops the start
        ({"EMS_TRANSPORT": "http", "EMS_URL": "https://ems.example.edu.cn/ems/inbound/events"},
         "EMS_CLIENT_ID must be set"),
        ({"EMS_TRANSPORT": "http", "EMS_URL": "https://ems.example.edu.cn/e", "EMS_CLIENT_ID": "gradreg"},
         "EMS_CLIENT_KEY must be set"),
        ({"EMS_TRANSPORT": "http", "EMS_URL": "https://ems.example.edu.cn/e", "EMS_CLIENT_ID": "gradreg",
          "EMS_CLIENT_KEY": "short"}, "EMS_CLIENT_KEY must be a random string"),
        ({"EMS_TRANSPORT": "http", "EMS_URL": "https://ems.example.edu.cn/e", "EMS_CLIENT_ID": "gradreg",
          "EMS_CLIENT_KEY": "dev-ems-client-key-not-secret"}, "EMS_CLIENT_KEY must be a random string"),
        ({"EMS_CLIENT_KEYS": "gradreg"}, "EMS_CLIENT_KEYS: expected id:key"),
        # a sub-minute idle timeout logged active users out (last-seen is written about once a minute)
        ({"SESSION_IDLE_TIMEOUT": "45"}, "SESSION_IDLE_TIMEOUT must be at least 300 seconds"),
        ({"AXES_FAILURE_LIMIT": "5x"}, "AXES_FAILURE_LIMIT must be an integer"),
        ({"SECURE_SSL_REDIRECT": "maybe"}, "SECURE_SSL_REDIRECT must be a boolean"),
        ({"DATABASE_URL": "sqlite:///tmp/x.sqlite3"}, "DATABASE_URL must point to PostgreSQL"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS must be set"),
        ({"CELERY_BROKER_URL": None}, "CELERY_BROKER_URL must be set"),
        ({"CODE_SENDER_BACKEND": None}, "CODE_SENDER_BACKEND must be set"),
        ({"CODE_SENDER_BACKEND": "gradreg.notifications.channels.MemorySender"}, "real SMS/e-mail sender"),
        # guards: the console sender (the default outside production) printed codes nobody received
        ({"CODE_SENDER_BACKEND": "gradreg.notifications.channels.ConsoleSender"}, "real SMS/e-mail sender"),
        ({"CODE_SENDER_BACKEND": "gradreg.notifications.channels.NoSuchSender"}, "CODE_SENDER_BACKEND: cannot import"),
        ({"CODE_SENDER_URL": None}, "CODE_SENDER_URL must be the SMS/e-mail gateway's https:// address"),
        ({"CODE_SENDER_URL": "http://sms.example.edu.cn/send"}, "CODE_SENDER_URL must be"),
        ({"PUBLIC_BASE_URL": None}, "PUBLIC_BASE_URL must be set"),
        ({"PUBLIC_BASE_URL": "http://jy.example.edu.cn"}, "public https:// address"),
    ],
)
def test_bad_configuration_fails_loudly(prod_env, change, message):
    for key, value in change.items():
        if value is None:
            prod_env.pop(key, None)
        else:
            prod_env[key] = value
    r = run(prod_env, "check")
    assert r.returncode != 0
    assert "ImproperlyConfigured" in r.stderr and message in r.stderr


def test_production_values(prod_env):
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS, s.SESSION_IDLE_TIMEOUT, s.SESSION_ABSOLUTE_TIMEOUT, s.AXES_FAILURE_LIMIT)"
    )
    r = run(prod_env, "shell", "-c", code)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1].split() == ["False", "True", "True", "True", "31536000", "1800", "43200", "5"]
