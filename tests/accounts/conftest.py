"""Account tests: a clean outbox of one-time codes, and helpers that go through the real pages."""
from __future__ import annotations

import re

import pytest

from gradreg.notifications.channels import MemorySender
from tests import factories as f


@pytest.fixture(autouse=True)
def outbox():
    MemorySender.outbox.clear()
    yield MemorySender.outbox
    MemorySender.outbox.clear()


def last_code(outbox) -> str:
    return re.search(r"(?<!\d)\d{6}(?!\d)", outbox[-1]["text"]).group()


def web_login(client, username: str, password: str = f.PASSWORD):
    return client.post("/login/", {"username": username, "password": password})
