"""Sending one-time codes by SMS or e-mail, behind one interface.

The backend is chosen with CODE_SENDER_BACKEND. The development backend writes to the console;
the test backend keeps messages in memory; neither reaches anybody, so production refuses both
(config/settings/production.py). A production deployment uses the gateway backend (an HTTPS SMS/e-mail
gateway at CODE_SENDER_URL) or names its own adapter.
"""
from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

from gradreg.common.http import PostFailed, post_json

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
        try:
            post_json(settings.CODE_SENDER_URL, {"channel": channel, "to": to, "text": text}, timeout=10)
        except PostFailed as exc:
            raise RuntimeError(f"code gateway refused or unreachable: {exc}") from exc
        log.info("code sent by %s to %s", channel, to)


def get_sender() -> CodeSender:
    return import_string(settings.CODE_SENDER_BACKEND)()
