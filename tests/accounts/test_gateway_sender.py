"""The gateway code sender production uses: posts the code as JSON, and a refusal is an error, never silence."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings

from gradreg.notifications.channels import GatewaySender


@pytest.fixture
def gateway(monkeypatch):
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    received: list[dict] = []
    state = {"status": 200}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(state["status"])
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with override_settings(CODE_SENDER_URL=f"http://127.0.0.1:{server.server_port}/send"):
        yield received, state
    server.shutdown()
    server.server_close()


def test_the_code_is_posted(gateway):
    received, _ = gateway
    GatewaySender().send(channel="sms", to="13800138000", text="您的激活码是 123456")
    assert received == [{"channel": "sms", "to": "13800138000", "text": "您的激活码是 123456"}]


def test_a_refusal_is_an_error(gateway):
    _, state = gateway
    state["status"] = 503
    with pytest.raises(RuntimeError, match="503"):
        GatewaySender().send(channel="sms", to="13800138000", text="x")
