"""Database pagination shared by every list page and the API (LIMIT/OFFSET on an indexed order, one COUNT).

A deep page is a deferred join: the page's ids are found first (`SELECT id … ORDER BY … LIMIT n OFFSET k`,
which the list indexes answer from the index alone, as each ends with the id), then only those rows are
read with their joins. A plain OFFSET would read every skipped row from the table to throw it away.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MAX_PAGE_SIZE = 100
# from this offset on, a page's ids are looked up first (above: a deferred join); shallower pages read directly
DEFERRED_JOIN_FROM = 200


@dataclass
class Page:
    items: list[Any]
    count: int
    number: int
    size: int

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def start_index(self) -> int:
        return 0 if self.count == 0 else (self.number - 1) * self.size + 1


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def paginate(qs: QuerySet, page: Any = 1, size: Any = 20, *, rows: Callable[[QuerySet], QuerySet] | None = None,
             max_size: int = MAX_PAGE_SIZE, default_size: int = 20) -> Page:
    """Count `qs`, then fetch one page of it, shaped by `rows` (e.g. `.values(...)`) if given.

    `size` is capped at `max_size`; a missing or unreadable size is `default_size`; a page number
    past the end is the last page.
    """
    size = min(max(_int(size, default_size), 1), max_size)
    number = max(_int(page, 1), 1)
    count = qs.count()
    last = max(1, -(-count // size))
    number = min(number, last)
    offset = (number - 1) * size
    if offset >= DEFERRED_JOIN_FROM and _deferrable(qs):
        # the ordering and filters stay on the outer query, so the page comes back in the same order
        page_qs = qs.filter(pk__in=qs.values("pk")[offset : offset + size])
        shaped = rows(page_qs) if rows else page_qs
        items = list(shaped)
    else:
        shaped = rows(qs) if rows else qs
        items = list(shaped[offset : offset + size])
    return Page(items=items, count=count, number=number, size=size)


def _deferrable(qs: QuerySet) -> bool:
    """A plain filtered, ordered query (no DISTINCT, no combination, no slice): its page is found by id."""
    query = qs.query
    return (query.can_filter() and not query.distinct and not query.combinator
            and bool(query.order_by or qs.model._meta.ordering))


def page_query(params) -> str:
    """The current filters as a query string for the pager's links (without the page number)."""
    q = params.copy()
    q.pop("page", None)
    return q.urlencode()


def pager_html(page: Page, query: str | None) -> SafeString:
    """The pager under a list: the count, the page number, 上一页 / 下一页 links keeping the filters."""
    query = query or ""
    base = "?" + escape(query) + ("&amp;" if query else "") + "page="
    prev = f'<a href="{base}{page.number - 1}">上一页</a>' if page.has_previous else ""
    nxt = f'<a href="{base}{page.number + 1}">下一页</a>' if page.has_next else ""
    return mark_safe(  # noqa: S308 - the query is escaped, the rest are numbers
        '<div class="pager" role="navigation" aria-label="分页">\n'
        f"  <span>共 {page.count} 条，第 {page.number} / {page.num_pages} 页</span>\n"
        f"  {prev}\n  {nxt}\n</div>"
    )
