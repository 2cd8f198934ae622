"""The Content-Security-Policy header is built once, and a changed policy is built again."""
from __future__ import annotations

import pytest
from django.conf import settings
from django.test import override_settings

from gradreg.common import middleware


@pytest.fixture
def builds(monkeypatch):
    calls: list[bool] = []
    real = middleware.build_policy

    def counting(*args, **kwargs):
        calls.append(kwargs.get("report_only", False))
        return real(*args, **kwargs)

    monkeypatch.setattr(middleware, "build_policy", counting)
    monkeypatch.setattr(middleware.FixedCSPMiddleware, "_built", None)
    return calls


def test_the_header_is_built_once_for_many_responses(client, builds):
    first = client.get("/login/")
    for _ in range(5):
        again = client.get("/login/")
    assert again["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert "default-src 'self'" in first["Content-Security-Policy"]
    assert len(builds) == 2  # the policy and the (empty) report-only policy, once each


def test_a_changed_policy_is_built_again(client, builds):
    client.get("/login/")
    policy = {"DIRECTIVES": {**settings.CONTENT_SECURITY_POLICY["DIRECTIVES"], "img-src": ["'self'"]}}
    with override_settings(CONTENT_SECURITY_POLICY=policy):
        changed = client.get("/login/")
    assert "img-src 'self';" in changed["Content-Security-Policy"] + ";"
    assert "data:" not in changed["Content-Security-Policy"]
    assert len(builds) == 4
