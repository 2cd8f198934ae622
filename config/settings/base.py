"""Settings shared by every environment; each value that differs per deployment reads an env var."""
from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from gradreg.common.signed_http import parse_keys

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("GRADREG_VAR_DIR", BASE_DIR / "var"))


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:  # a typo in a deployment must stop the start, not be ignored
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean, got {raw!r}")


SECRET_KEY = os.environ.get("SECRET_KEY", "dev-insecure-key-change-me")
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "gradreg.common",
    "gradreg.codes",
    "gradreg.organisations",
    "gradreg.accounts",
    "gradreg.ems",
    "gradreg.roster",
    "gradreg.workflow",
    "gradreg.notifications",
    "gradreg.employers",
    "gradreg.signing",
    "gradreg.destinations",
    "gradreg.archives",
    "gradreg.verification",
    "gradreg.devtools",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "gradreg.common.middleware.ApiErrorFormatMiddleware",
    "gradreg.common.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "gradreg.accounts.middleware.CachedAuthenticationMiddleware",
    "gradreg.common.middleware.InputSanityMiddleware",
    "gradreg.accounts.middleware.SessionTimeoutMiddleware",
    "gradreg.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "gradreg.common.middleware.FixedCSPMiddleware",
    "gradreg.common.middleware.NoStoreMiddleware",
    "gradreg.common.middleware.DomainErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gradreg.notifications.context_processors.unread_messages",
            ],
        },
    }
]

# Inputs and selects are rendered in Python with the markup of Django's widget templates (a filter form's
# options were a third of a list page's time); other widgets still go through their templates.
FORM_RENDERER = "gradreg.common.formrenderer.FastWidgetRenderer"

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "gradreg.sqlite3",
            # WAL lets the worker and the web process read while the other writes.
            "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:modules"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_MIN_LENGTH = env_int("PASSWORD_MIN_LENGTH", 10)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "gradreg.accounts.validators.MinimumLengthValidator",  # Chinese message, see there
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    # Django's list of the 20,000 most common passwords.
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"

# 在线签约: an employer's invitation waits this many days for the graduate's answer
INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 7)
# The address printed in QR codes of documents (public verification pages live under it)
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000")

# --- cache: Redis when CACHE_URL is set (production.py always uses Redis); otherwise one process's memory,
# right only for a single server process (sessions and cached users must be shared by every worker) ---
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL:
    CACHES = {"default": {"BACKEND": "gradreg.common.cache.RedisCache", "LOCATION": CACHE_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "gradreg"}}
# Sessions are read from the cache and written through to the database: a signed-in request reads no
# table, and a restart of the cache (Redis here keeps nothing on disk) signs nobody out, which the
# pure "cache" engine would. Writes stay rare: the last-seen time is written at most once a minute.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- sessions: idle timeout 30 min, absolute 12 h (enforced by SessionTimeoutMiddleware) ---
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
SESSION_ABSOLUTE_TIMEOUT = env_int("SESSION_ABSOLUTE_TIMEOUT", 12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- login lockout (gradreg.accounts.lockout): 5 failures lock an account from that address for
# 30 minutes; 20 failures from one address, across usernames, lock the address ---
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_ADDRESS_FAILURE_LIMIT = env_int("AXES_ADDRESS_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30) / 60  # hours (a float, which axes reads to the minute)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "gradreg.accounts.lockout.AccountAndAddressHandler"
AXES_LOCKOUT_CALLABLE = "gradreg.accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
# The lock lasts 30 minutes from the last counted failure; tries while locked do not extend it, so a
# stranger hammering a known username cannot keep its owner out indefinitely with one burst.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = True
# Every failed login is kept as a row (who, when, from which address), not only a counter.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Axes always masks the password; the username and address stay readable in the security log.
AXES_SENSITIVE_PARAMETERS: list[str] = []

# --- headers ---
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- uploads ---
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
ROSTER_UPLOAD_MAX_BYTES = env_int("ROSTER_UPLOAD_MAX_MB", 40) * 1024 * 1024
# Any request body above this is refused before it is read (the largest legitimate one is a roster file).
MAX_REQUEST_BYTES = ROSTER_UPLOAD_MAX_BYTES + 1024 * 1024

# --- the platform's own rules ---
# Month from which the next year's graduates are the current cohort (autumn recruiting season).
COHORT_SWITCH_MONTH = env_int("COHORT_SWITCH_MONTH", 9)
ACTIVATION_CODE_TTL_SECONDS = env_int("ACTIVATION_CODE_TTL_SECONDS", 600)
CODE_SENDER_BACKEND = os.environ.get("CODE_SENDER_BACKEND", "gradreg.notifications.channels.ConsoleSender")
CODE_SENDER_URL = os.environ.get("CODE_SENDER_URL", "")  # the SMS/e-mail gateway of GatewaySender
# 核验授权 (docs/handover.md): the 实人认证 provider (a dotted path to an IdentityProvider class), the built-in
# provider's one-time code, and how long an authorisation lasts before it reads 已过期
IDENTITY_PROVIDER = os.environ.get("IDENTITY_PROVIDER", "gradreg.verification.identity.BuiltinProvider")
IDENTITY_CODE_TTL_SECONDS = env_int("IDENTITY_CODE_TTL_SECONDS", 300)
IDENTITY_CODE_ATTEMPTS = env_int("IDENTITY_CODE_ATTEMPTS", 5)
IDENTITY_CODE_RESEND_SECONDS = env_int("IDENTITY_CODE_RESEND_SECONDS", 60)
IDENTITY_CODES_PER_DAY = env_int("IDENTITY_CODES_PER_DAY", 10)
IDENTITY_FAILS_PER_GRADUATE = env_int("IDENTITY_FAILS_PER_GRADUATE", 10)
IDENTITY_FAILS_PER_ADDRESS = env_int("IDENTITY_FAILS_PER_ADDRESS", 30)
VERIFICATION_GRANT_DAYS = env_int("VERIFICATION_GRANT_DAYS", 90)
# the public 去向登记信息表 look-up (seed 6.3): look-ups per client address and per code in ten minutes
SHEET_LOOKUPS_PER_ADDRESS = env_int("SHEET_LOOKUPS_PER_ADDRESS", 30)
SHEET_LOOKUPS_PER_CODE = env_int("SHEET_LOOKUPS_PER_CODE", 10)

# --- background work ---
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
CELERY_TASK_ALWAYS_EAGER = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "axes": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gradreg": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}


# Serve static files straight from the source folders outside production (no collectstatic step).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = False
STATIC_ROOT.mkdir(parents=True, exist_ok=True) if not os.environ.get("GRADREG_NO_MKDIR") else None

# --- e-agreement PDFs: the embedded Chinese font and the platform's signing key pair (PEM files) ---
# Outside production a missing key pair is generated on first use (see gradreg.common.pdfsign).
PDF_FONT_PATH = Path(os.environ.get("PDF_FONT_PATH") or "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
PDF_SIGNING_KEY = Path(os.environ.get("PDF_SIGNING_KEY") or VAR_DIR / "signing" / "platform-key.pem")
PDF_SIGNING_CERT = Path(os.environ.get("PDF_SIGNING_CERT") or VAR_DIR / "signing" / "platform-cert.pem")
PDF_SIGNING_KEY_PASSPHRASE = os.environ.get("PDF_SIGNING_KEY_PASSPHRASE", "")

# --- audit log: the key of its HMAC hash chain (required in production; a fixed development key elsewhere) ---
AUDIT_HMAC_KEY = os.environ.get("AUDIT_HMAC_KEY") or "dev-audit-key-not-secret"

# --- uploaded documents (agreement scans, termination material, business licences) ---
# Must stay below MAX_REQUEST_BYTES, or the request-size middleware refuses first with a vaguer message.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 5 * 1024 * 1024)

# --- sync to EMS: outbox delivery (gradreg.workflow.outbox) ---
# "local": EMS is the app inside this deployment; "http": POST each event to an external EMS at EMS_URL.
EMS_TRANSPORT = os.environ.get("EMS_TRANSPORT", "local")
EMS_URL = os.environ.get("EMS_URL", "")
EMS_TIMEOUT_SECONDS = env_int("EMS_TIMEOUT_SECONDS", 5)
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 10)
# Every request to EMS is signed (docs/ems-protocol.md): the sender's client id and key; the receiving end
# (this deployment's EMS inbound endpoint) knows each client's key, "id1:key1,id2:key2". Outside production
# a fixed development key on both sides; production requires a real one when EMS_TRANSPORT=http.
EMS_DEV_CLIENT_KEY = "dev-ems-client-key-not-secret"
EMS_CLIENT_ID = os.environ.get("EMS_CLIENT_ID") or "gradreg"
EMS_CLIENT_KEY = os.environ.get("EMS_CLIENT_KEY") or EMS_DEV_CLIENT_KEY
try:
    EMS_CLIENT_KEYS = parse_keys(os.environ.get("EMS_CLIENT_KEYS", "")) or {EMS_CLIENT_ID: EMS_CLIENT_KEY}
except ValueError as exc:
    raise ImproperlyConfigured(str(exc)) from exc
# a request signed longer ago (or later) than this is refused; its nonce is remembered for as long
EMS_SIGNATURE_MAX_SKEW_SECONDS = env_int("EMS_SIGNATURE_MAX_SKEW_SECONDS", 300)
# operators get an in-app alert when the oldest pending event is older than this (and when one fails for good)
OUTBOX_ALERT_AGE_MINUTES = env_int("OUTBOX_ALERT_AGE_MINUTES", 30)
if EMS_TRANSPORT not in {"local", "http"}:
    raise ImproperlyConfigured(f"EMS_TRANSPORT must be 'local' or 'http', got {EMS_TRANSPORT!r}")
if EMS_TRANSPORT == "http" and not EMS_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("EMS_TRANSPORT=http needs EMS_URL (http:// or https://)")
# Celery beat's periodic work (production: `make serve` and deploy/gradreg-beat.service run beat).
# The outbox pass picks up what the on-commit delivery missed (broker or EMS down); the heartbeat is
# what /healthz reads to know the worker is alive (every 30 s, gradreg.workflow.health.HEARTBEAT_INTERVAL).
CELERY_BEAT_SCHEDULE = {
    "deliver-outbox": {"task": "gradreg.workflow.tasks.deliver_outbox", "schedule": 30.0},
    "outbox-alert": {"task": "gradreg.workflow.tasks.outbox_alert", "schedule": 60.0, "options": {"expires": 55}},
    # a beat queued while the worker was away is stale: dropped, not run in a pile on its return
    "worker-heartbeat": {"task": "gradreg.workflow.tasks.heartbeat", "schedule": 30.0, "options": {"expires": 25}},
    # invitations carry their own expiry time; a quarter-hour pass keeps 邀请已过期 close to it
    "expire-invitations": {"task": "gradreg.signing.tasks.expire_invitations", "schedule": 15 * 60.0},
    "clear-expired-sessions": {"task": "gradreg.accounts.tasks.clear_expired_sessions", "schedule": 24 * 3600.0},
}
