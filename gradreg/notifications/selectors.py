"""Reads of the message centre."""
from __future__ import annotations

from django.db.models import QuerySet

from gradreg.common.versioned_cache import MISSING, VersionedCache

from .models import Message

# The badge on every page: counted once, then kept until a message arrives or is read.
unread_counts = VersionedCache("unread", 300)


def inbox(user) -> QuerySet[Message]:
    """The user's messages. A user of one school gets only that school's: the read stays on its shard."""
    qs = Message.objects.filter(recipient=user)
    school_id = getattr(user, "school_id", None)
    return qs.filter(school_id=school_id) if school_id is not None else qs


def unread_count(user) -> int:
    count, version = unread_counts.get(user.pk)
    if count is MISSING:
        count = inbox(user).filter(read_at__isnull=True).count()
        unread_counts.set(user.pk, "", version, count)
    return count


def unread_changed(user_id: object) -> None:
    """A message of `user_id` arrived, was read or removed: the badge is counted again."""
    unread_counts.invalidate(user_id)
