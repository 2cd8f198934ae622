"""Delivering messages to the in-app message centre (and, later, other channels)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from .models import Message
from .selectors import inbox, unread_changed


def deliver(messages: Iterable[dict[str, Any]]) -> int:
    """Each dict: recipient (User), title, body, and the page it opens as url_name and url_args
    (e.g. "signing:detail", [pk]), and school_id, the school of the item it is about. Runs after the change
    has committed.

    A message to a user of one school is stored at that school, whatever it is about: the inbox is read there.
    """
    rows = [Message(**{**m, "school_id": getattr(m["recipient"], "school_id", None) or m.get("school_id")})
            for m in messages]
    Message.objects.bulk_create(rows)
    for recipient_id in {row.recipient_id for row in rows}:
        unread_changed(recipient_id)
    return len(rows)


def message_mark_read(*, actor, pk: int) -> None:
    if inbox(actor).filter(pk=pk, read_at__isnull=True).update(read_at=timezone.now()):
        unread_changed(actor.pk)


def messages_mark_all_read(*, actor) -> int:
    marked = inbox(actor).filter(read_at__isnull=True).update(read_at=timezone.now())
    if marked:
        unread_changed(actor.pk)
    return marked
