"""Embedded default: SQLite, console code sender, background work in-process."""
from .base import *  # noqa: F401,F403
from .base import env_bool

DEBUG = env_bool("DEBUG", False)
GRADREG_ENV = "local"
