"""What a list benchmark names (shared by `manage.py bench` and the module bench files it calls)."""
from __future__ import annotations

from dataclasses import dataclass

from django.test import Client


@dataclass(frozen=True)
class ListCase:
    """A review list's benchmark lines `name`, `name`_deep, `name`_queries_20 and _100."""

    name: str
    title: str  # the list, in the progress messages
    client: Client
    page1: str  # page 1 as the reviewer opens it
    floor: str  # the same-layout floor page with the same query
    unit: str
    empty: str  # the error when page 1 has no rows
    deep_title: str
    deep_client: Client
    deep_page: str  # a list long enough for a page 50 if there is one, up to "page="
    deep_unit: str
    sized: str  # the list up to "page_size=" (the query counts)
    table: str  # the items' table: its statements are EXPLAINed
