"""URLs of the page chrome, reversed once per process instead of on every page.

`reverse()` costs tens of microseconds; the top bar and a module menu call it a dozen times a page
for names without arguments, whose URLs only change with the URLconf and the script prefix. Both
are part of the key: the resolver object (a new one after `clear_url_caches()` or an overridden
`ROOT_URLCONF`, held weakly so a discarded URLconf takes its entries with it) and the prefix.
"""
from __future__ import annotations

import weakref

from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

_URLS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
# a bound on one URLconf's entries: their keys come from templates and registries, so this is never
# reached in production; it keeps a pathological caller from growing the process without end
MAX_ENTRIES = 2000


def _bucket() -> dict:
    resolver = get_resolver(get_urlconf())
    bucket = _URLS.get(resolver)
    if bucket is None or len(bucket) > MAX_ENTRIES:
        bucket = _URLS[resolver] = {}
    return bucket


def cached_reverse(name: str) -> str:
    """`reverse(name)` of a URL without arguments, remembered per URLconf and script prefix."""
    bucket = _bucket()
    key = ("url", get_script_prefix(), name)
    url = bucket.get(key)
    if url is None:
        url = bucket[key] = reverse(name)
    return url


def memo(key: tuple, build):
    """`build()` remembered per URLconf, script prefix and language under `key` (HTML made of URLs)."""
    bucket = _bucket()
    full = ("memo", get_script_prefix(), get_language(), *key)
    value = bucket.get(full)
    if value is None:
        value = bucket[full] = build()
    return value
