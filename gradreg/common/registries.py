"""Registries a module adds itself to from its `apps.py`, so that no page lower down names it.

- module-page entries (选择功能模块): `register_module(ModuleEntry(...))`
- navigation entries of a module menu (the bar under the top bar): `register_nav(NavEntry(...))`
- home panels (what a module shows on a shared home page): `register_panel(HomePanel(...))`

Every entry has an `order`; pages list entries by it, so where an app is loaded does not matter.
Registering an entry again under the same key replaces it (apps' ready() may run twice in tests).
API routers have their registry beside the API's shared pieces (`gradreg.common.api`).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# ---- module page (选择功能模块) ----------------------------------------------------------------------


@dataclass(frozen=True)
class ModuleEntry:
    key: str
    title: str
    description: str
    roles: frozenset[str]
    url_name: str | None  # None: not built yet, the page says so
    order: int


MODULES: dict[str, ModuleEntry] = {}


def register_module(entry: ModuleEntry) -> None:
    """Add or replace an entry; a not-built placeholder never replaces the module itself."""
    existing = MODULES.get(entry.key)
    if existing is not None and existing.url_name and not entry.url_name:
        return
    MODULES[entry.key] = entry


def modules_for(user) -> list[ModuleEntry]:
    """The module page's entries this user's role may open (or see as not built yet), in order."""
    return [m for m in sorted(MODULES.values(), key=lambda m: m.order) if user.role in m.roles]


# ---- navigation ---------------------------------------------------------------------------------------

REGISTRATION_MENU = "registration"  # 毕业去向登记与网签 (snippets/signing_nav.html)
EMS_MENU = "ems"  # 就业管理系统 (snippets/ems_nav.html)


@dataclass(frozen=True)
class NavEntry:
    menu: str
    key: str
    label: str
    url_name: str
    order: int
    active: str = ""  # the page's `active` value that highlights this entry ("": never highlighted)
    roles: frozenset[str] | None = None  # None: everyone who sees the menu


NAV: dict[tuple[str, str], NavEntry] = {}


def register_nav(*entries: NavEntry) -> None:
    for entry in entries:
        NAV[(entry.menu, entry.key)] = entry


def nav_for(menu: str, user) -> list[NavEntry]:
    """The entries of one menu this user sees, in order."""
    role = getattr(user, "role", None)
    entries = (e for e in NAV.values() if e.menu == menu and (e.roles is None or role in e.roles))
    return sorted(entries, key=lambda e: e.order)


# ---- home panels --------------------------------------------------------------------------------------

STAFF_HOME = "staff_home"  # the 待处理 card of the registration module's home (roster/home.html)
GRADUATE_HOME = "graduate_home"  # the graduate's own page (roster/self.html)


@dataclass(frozen=True)
class HomePanel:
    page: str
    key: str
    template: str  # rendered with the context under `panel`
    context: Callable[[Any], dict[str, Any] | None]  # user -> context, or None: nothing for this user
    order: int


PANELS: dict[tuple[str, str], HomePanel] = {}


def register_panel(panel: HomePanel) -> None:
    PANELS[(panel.page, panel.key)] = panel


@dataclass(frozen=True)
class RenderedPanel:
    key: str
    template: str
    context: dict[str, Any]


def panels_for(page: str, user) -> list[RenderedPanel]:
    """The panels of one page with their context for this user, in order; panels with nothing to show left out."""
    shown = []
    for panel in sorted((p for p in PANELS.values() if p.page == page), key=lambda p: p.order):
        context = panel.context(user)
        if context is not None:
            shown.append(RenderedPanel(panel.key, panel.template, context))
    return shown
