"""One live destination per graduate (SPEC 3): each module that can hold a graduate registers a source here.

A source answers, for a graduate, the Chinese description of what holds them (a completed signing, a
signing in review, an approved registration…) or None. Callers lock the graduate row first, so two
concurrent attempts for the same graduate are checked one after the other.
"""
from __future__ import annotations

from collections.abc import Callable

from gradreg.common.errors import Conflict
from gradreg.ems.models import Graduate

# (graduate, exclude) -> description of the holding item, or None; `exclude` is the item being moved
LiveSource = Callable[[Graduate, object | None], str | None]
LIVE_SOURCES: list[LiveSource] = []


def register_live_source(source: LiveSource) -> LiveSource:
    LIVE_SOURCES.append(source)
    return source


def live_destination(graduate: Graduate, *, exclude: object | None = None) -> str | None:
    for source in LIVE_SOURCES:
        held = source(graduate, exclude)
        if held:
            return held
    return None


def lock_graduate(graduate: Graduate) -> None:
    """Serialise every attempt to give this graduate a destination (a no-op lock on SQLite)."""
    Graduate.objects.select_for_update().filter(school_id=graduate.school_id, pk=graduate.pk).values_list(
        "pk", flat=True).first()


def ensure_no_live_destination(graduate: Graduate, *, exclude: object | None = None) -> None:
    lock_graduate(graduate)
    held = live_destination(graduate, exclude=exclude)
    if held:
        raise Conflict(held, code="live_destination")


# (graduate, item, actor) -> None: told, inside the transaction, when an item becomes the graduate's live
# destination (a signing completes, a registration or 补登 is approved); a module whose items give way to
# it (an approved 未就业 report) registers here
Superseder = Callable[[Graduate, object, object], None]
SUPERSEDERS: list[Superseder] = []


def register_superseder(fn: Superseder) -> Superseder:
    if fn not in SUPERSEDERS:
        SUPERSEDERS.append(fn)
    return fn


def became_live(graduate: Graduate, item: object, actor=None) -> None:
    """A new live destination: whatever it replaces gives way (recorded by the module that owns it)."""
    for fn in SUPERSEDERS:
        fn(graduate, item, actor)
