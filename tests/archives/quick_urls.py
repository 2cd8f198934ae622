"""The site's URLs with 快速审核 mounted, where the site does not mount the archives yet."""
from __future__ import annotations

from django.urls import NoReverseMatch, include, path, reverse

from config.urls import handler403, handler404, handler500  # noqa: F401  (the site's error pages)
from config.urls import urlpatterns as site
from gradreg.archives import quick_views
from gradreg.ems.transfer_modules import ARCHIVE, HUKOU

try:
    reverse("archives:quick_review", urlconf="config.urls")
    urlpatterns = site
except NoReverseMatch:
    urlpatterns = [*site, path("archives/", include((quick_views.patterns(ARCHIVE), "archives"))),
                   path("hukou/", include((quick_views.patterns(HUKOU), "hukou")))]
