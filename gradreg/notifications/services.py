"""Delivering messages to the in-app message centre (and, later, other channels)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from .models import Message


def deliver(messages: Iterable[dict[str, Any]]) -> int:
    """Each dict: recipient (User), title, body, and the page it opens as url_name and url_args
    (e.g. "signing:detail", [pk]), and school_id, the school of the item it is about. Runs after the change
    has committed.

    A message to a user of one school is stored at that school, whatever it is about: the inbox is read there.
    """
    rows = [Message(**{**m, "school_id": getattr(m["recipient"], "school_id", None) or m.get("school_id")})
            for m in messages]
    Message.objects.bulk_create(rows)
    return len(rows)


def inbox(user) -> QuerySet[Message]:
    """The user's messages. A user of one school gets only that school's: the read stays on its shard."""
    qs = Message.objects.filter(recipient=user)
    school_id = getattr(user, "school_id", None)
    return qs.filter(school_id=school_id) if school_id is not None else qs


def message_mark_read(*, actor, pk: int) -> None:
    inbox(actor).filter(pk=pk, read_at__isnull=True).update(read_at=timezone.now())


def messages_mark_all_read(*, actor) -> int:
    return inbox(actor).filter(read_at__isnull=True).update(read_at=timezone.now())
