"""The production WSGI application with the load test's URLconf (gradreg.devtools.loadtest_urls).

Same settings module (config.settings.production, from the environment), same middleware and URLs; only
the constant view is added, so the production entry point config.wsgi never serves it. The public sheet
look-up's limits per address and per code (30 and 10 in ten minutes) would turn the load test's one client
address and one QR code into 429s after a few requests: this server alone lifts them, still counting in Redis.
"""
import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
settings.ROOT_URLCONF = "gradreg.devtools.loadtest_urls"
settings.SHEET_LOOKUPS_PER_ADDRESS = settings.SHEET_LOOKUPS_PER_CODE = 10**9

application = get_wsgi_application()
