"""Helpers that go through the real pages, as a user would."""
from __future__ import annotations

import re

from tests import factories as f

STRONG = "Lanmei-Qiuyu-2027"  # passes every configured validator


def last_code(outbox) -> str:
    return re.search(r"(?<!\d)\d{6}(?!\d)", outbox[-1]["text"]).group()


def web_login(client, username: str, password: str = f.PASSWORD):
    return client.post("/login/", {"username": username, "password": password})


def form_errors(response) -> dict[str, list[str]]:
    return {k: list(v) for k, v in response.context["form"].errors.items()}


def all_errors(response) -> list[str]:
    return [m for msgs in form_errors(response).values() for m in msgs]
