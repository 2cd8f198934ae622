"""WSGI entry point.

Behind nginx every request comes from the proxy's address; the client's is in X-Forwarded-For,
which the proxy sets (deploy/nginx/gradreg.conf). The audit log, the login lockout by address and
the rate limits read REMOTE_ADDR, so it is replaced by the client's address, but only when the
request really comes from a proxy named in TRUSTED_PROXY_IPS: anyone else could write that header.
"""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")


def trusted_proxies(raw: str) -> frozenset[str]:
    return frozenset(ip.strip() for ip in raw.split(",") if ip.strip())


def client_address(environ: dict, trusted: frozenset[str]) -> None:
    """Set REMOTE_ADDR to the address the trusted proxy saw (the last X-Forwarded-For hop)."""
    if environ.get("REMOTE_ADDR") not in trusted:
        return
    hops = [hop.strip() for hop in environ.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if hops:
        # the last hop is the one our proxy appended; earlier ones are whatever the client claimed
        environ["REMOTE_ADDR"] = hops[-1]


_django = get_wsgi_application()
_trusted = trusted_proxies(os.environ.get("TRUSTED_PROXY_IPS", ""))


def application(environ, start_response):
    if _trusted:
        client_address(environ, _trusted)
    return _django(environ, start_response)
