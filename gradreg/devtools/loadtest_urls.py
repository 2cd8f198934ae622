"""URLconf of the server `make loadtest` starts: the site's own URLs plus one constant view.

The constant view loads the session and the user, as every page does, and answers a fixed body: its
requests/s is what the stack (gunicorn, middleware, session and user lookups) allows before a page does
any work of its own, the baseline of every line. It is mounted only here, never in config.urls: a public
endpoint that keeps sessions alive and costs the server a session read is no feature of the platform.
"""
from __future__ import annotations

from django.http import HttpResponse
from django.urls import path

import config.urls as site

CONST_PATH = "__load/const/"


def const(request):
    """Touches the user (so the session and the user row are read) and answers a small fixed body."""
    body = b"ok:user" if request.user.is_authenticated else b"ok:anonymous"
    return HttpResponse(body, content_type="text/plain; charset=utf-8")


urlpatterns = [
    path(CONST_PATH, const, name="load_const"),
    *site.urlpatterns,
]

handler400 = site.handler400
handler404 = site.handler404
handler500 = site.handler500
handler403 = site.handler403
