"""Sending one-time codes by SMS or e-mail, behind one interface.

The backend is chosen with CODE_SENDER_BACKEND. The development backend writes to the console;
the test backend keeps messages in memory. A production deployment names its SMS/e-mail gateway
adapter here.
"""
from __future__ import annotations

import logging

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


def get_sender() -> CodeSender:
    return import_string(settings.CODE_SENDER_BACKEND)()
