"""Behind the proxy, REMOTE_ADDR is the client's address, and only a trusted proxy can say so."""
from __future__ import annotations

from config.wsgi import client_address, trusted_proxies

PROXY = trusted_proxies(" 127.0.0.1, ::1 ,")


def addr(remote: str, forwarded: str | None = None) -> str:
    environ = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        environ["HTTP_X_FORWARDED_FOR"] = forwarded
    client_address(environ, PROXY)
    return environ["REMOTE_ADDR"]


def test_the_trusted_proxy_passes_the_client_address():
    assert PROXY == {"127.0.0.1", "::1"}
    assert addr("127.0.0.1", "203.0.113.7") == "203.0.113.7"
    assert addr("::1", "2001:db8::5") == "2001:db8::5"


def test_what_a_client_claimed_before_the_proxy_is_ignored():
    assert addr("127.0.0.1", "10.9.9.9, 203.0.113.7") == "203.0.113.7"


def test_a_direct_client_cannot_claim_another_address():
    assert addr("198.51.100.20", "127.0.0.1") == "198.51.100.20"


def test_no_header_keeps_the_peer_address():
    assert addr("127.0.0.1") == "127.0.0.1"
    assert addr("127.0.0.1", " , ") == "127.0.0.1"
