"""Sending one-time codes by SMS or e-mail, behind one interface.

The backend is chosen with CODE_SENDER_BACKEND. The development backend writes to the console;
the test backend keeps messages in memory; neither reaches anybody, so production refuses both
(config/settings/production.py). A production deployment uses the gateway backend (an HTTPS SMS/e-mail
gateway at CODE_SENDER_URL) or names its own adapter.
"""
from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("gradreg.codes")


class CodeSender:
    def send(self, *, channel: str, to: str, text: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleSender(CodeSender):
    def send(self, *, channel: str, to: str, text: str) -> None:
        print(f"[{channel} -> {to}] {text}", flush=True)
        log.info("code sent by %s to %s", channel, to)


class MemorySender(CodeSender):
    outbox: list[dict[str, str]] = []

    def send(self, *, channel: str, to: str, text: str) -> None:
        MemorySender.outbox.append({"channel": channel, "to": to, "text": text})


class GatewaySender(CodeSender):
    """POST {channel, to, text} as JSON to the SMS/e-mail gateway at CODE_SENDER_URL; only 2xx is sent."""

    def send(self, *, channel: str, to: str, text: str) -> None:
        body = json.dumps({"channel": channel, "to": to, "text": text}, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(settings.CODE_SENDER_URL, data=body, method="POST",
                                         headers={"Content-Type": "application/json; charset=utf-8"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"code gateway answered HTTP {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise RuntimeError(f"code gateway unreachable: {getattr(exc, 'reason', exc)}") from exc
        if not 200 <= status < 300:
            raise RuntimeError(f"code gateway answered HTTP {status}")
        log.info("code sent by %s to %s", channel, to)


def get_sender() -> CodeSender:
    return import_string(settings.CODE_SENDER_BACKEND)()
