"""Embedded default: SQLite, console code sender, background work in-process."""
import os

from .base import *  # noqa: F401,F403
from .base import env_bool

DEBUG = env_bool("DEBUG", False)
GRADREG_ENV = "local"
# QR codes carry the address this server answers on: `make run` passes its PORT
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL") or f"http://127.0.0.1:{os.environ.get('PORT') or '8000'}"
