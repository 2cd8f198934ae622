"""The page chrome's tags: menu entries, the module menu, cached chrome URLs and the pager.

The module menu is the same for every user of a role but for its highlighted entry, so its HTML is
built once per (title, the role's entries, active entry) and kept in process memory (`urlcache.memo`,
which also keys on the URLconf, script prefix and language). The entries themselves are part of the
key, so a menu registered or replaced later is never served from an older rendering.
"""
from django import template
from django.utils.functional import Promise
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

from gradreg.common.pagination import pager_html
from gradreg.common.registries import NavEntry, nav_for
from gradreg.common.urlcache import cached_reverse, memo

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_entries(context, menu: str):
    return nav_for(menu, context.get("user"))


def _module_nav(menu_title: str, entries: tuple[NavEntry, ...], active) -> str:
    out = [f'<nav class="modnav" aria-label="{escape(menu_title)}">\n  <span class="title">{escape(menu_title)}</span>\n']
    for e in entries:
        cls = ' class="active"' if e.active and e.active == active else ""
        out.append(f'  <a href="{escape(cached_reverse(e.url_name))}"{cls}>{escape(e.label)}</a>\n')
    out.append("</nav>")
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


@register.simple_tag(takes_context=True)
def module_nav(context, menu: str, menu_title: str, active=None):
    """A module's menu bar (the bar under the top bar), the entry named by `active` highlighted."""
    if active is None:
        active = context.get("active")
    if isinstance(active, Promise):
        active = str(active)
    elif not isinstance(active, str):  # only a string can match an entry's `active`; the key must hash
        active = None
    entries = tuple(nav_for(menu, context.get("user")))
    return memo(("module_nav", str(menu_title), entries, active), lambda: _module_nav(str(menu_title), entries, active))


@register.simple_tag
def chrome_url(name: str) -> str:
    """`{% url name %}` for a URL without arguments, reversed once per process."""
    return cached_reverse(name)


@register.simple_tag
def filter_fields(form):
    """A list's filter fields, each a labelled cell of the filter bar (snippets/list_filters.html)."""
    return mark_safe("".join(  # noqa: S308 - labels and ids escaped, widgets rendered by the form renderer
        f'\n  <div><label for="{conditional_escape(bf.id_for_label)}">{conditional_escape(bf.label)}</label>{bf}</div>\n  '
        for bf in form
    ))


@register.simple_tag
def pager(page, query: str):
    """The pager under a list (snippets/pager.html), built in Python."""
    return pager_html(page, query)
