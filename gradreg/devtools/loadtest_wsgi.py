"""The production WSGI application with the load test's URLconf (gradreg.devtools.loadtest_urls).

Same settings module (config.settings.production, from the environment), same middleware and URLs; only
the constant view is added, so the production entry point config.wsgi never serves it.
"""
import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
settings.ROOT_URLCONF = "gradreg.devtools.loadtest_urls"

application = get_wsgi_application()
