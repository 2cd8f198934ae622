"""Facts about the states of one status vocabulary, declared once beside its TextChoices.

A `StateSet` holds, for each state, how pages colour it (`tone`), whether an item in it holds the
graduate (one live destination) and whether it is still open (in flight). What only the tables
know is derived from the workflows over the vocabulary (attached when they are registered):
which states wait for a role, a list's default state, the home page's counts.

    SIGNING_STATES = StateSet(SigningStatus, {
        S.INVITED: State("wait", open=True),
        S.SIGNED: State("ok", holds=True),
        ...
    }, list_default={Role.DEPARTMENT: S.DRAFT_WAIT_DEPT})

Several workflows may share one vocabulary (线上 and 线下签约 share SigningStatus); the set knows them all.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Count, QuerySet

if TYPE_CHECKING:  # pragma: no cover
    from .engine import Workflow

SYSTEM = "system"  # the engine's role of the platform's own moves (kept equal to engine.SYSTEM)
INITIAL = ""

TONES = ("wait", "ok", "bad", "off", "")  # the `status <tone>` classes of the pages' CSS


@dataclass(frozen=True)
class State:
    tone: str = "wait"
    holds: bool = False  # an item here holds the graduate: no second live destination
    open: bool = False   # still in flight (closed: an end the item does not leave on anyone's action)

    def __post_init__(self) -> None:
        if self.tone not in TONES:
            raise ValueError(f"unknown tone {self.tone!r}; one of {TONES}")


class StateSet:
    def __init__(self, vocabulary: type[models.TextChoices], meta: Mapping[str, State], *,
                 list_default: Mapping[str, str] | None = None) -> None:
        missing = set(vocabulary.values) - set(meta)
        unknown = set(meta) - set(vocabulary.values)
        if missing or unknown:
            raise ValueError(f"{vocabulary.__name__}: states without meta {sorted(missing)}, "
                             f"unknown states {sorted(unknown)}")
        self.vocabulary = vocabulary
        self.meta = {v: meta[v] for v in vocabulary.values}  # declaration order of the vocabulary
        self.list_default = dict(list_default or {})
        self.workflows: dict[str, Workflow] = {}
        self._holding = frozenset(s for s, m in self.meta.items() if m.holds)
        self._open = frozenset(s for s, m in self.meta.items() if m.open)

    def __repr__(self) -> str:
        return f"StateSet({self.vocabulary.__name__})"

    # ---- declared -----------------------------------------------------------------------------------

    @property
    def choices(self) -> list[tuple[str, str]]:
        return self.vocabulary.choices

    @property
    def values(self) -> list[str]:
        return self.vocabulary.values

    def __iter__(self) -> Iterator[str]:
        return iter(self.vocabulary.values)

    def __contains__(self, state: object) -> bool:
        return state in self.meta

    def label(self, state: str) -> str:
        try:
            return self.vocabulary(state).label
        except ValueError:
            return state

    def tone(self, state: str) -> str:
        meta = self.meta.get(state)
        return meta.tone if meta else "wait"

    def holding(self) -> frozenset[str]:
        return self._holding

    def open_states(self) -> frozenset[str]:
        return self._open

    # ---- derived from the workflows over this vocabulary ----------------------------------------------

    def attach(self, workflow: Workflow) -> None:
        self.workflows[workflow.name] = workflow

    def waiting_for(self, role: str) -> tuple[str, ...]:
        """States from which this role has a move of its own (not the platform's), in declaration order.

        A change in place (a move whose target is its source, such as 修改去向 of an approved registration)
        is something the role may do there, not something the item waits for."""
        sources = {s for wf in self.workflows.values() for t in wf.transitions
                   if role in t.roles and SYSTEM not in t.roles for s in t.source if s not in (INITIAL, t.target)}
        return tuple(s for s in self.meta if s in sources)

    def default_for(self, role: str) -> str:
        """A list's default state filter: the declared one, else the first state waiting for the role."""
        if role in self.list_default:
            return self.list_default[role]
        waiting = self.waiting_for(role)
        return waiting[0] if waiting else ""

    def defaults(self, roles: frozenset[str] | set[str]) -> RoleDefaults:
        """`default_for` of these roles as a mapping role -> state, computed when read (tables attach later)."""
        return RoleDefaults(self, roles)

    def counts(self, qs: QuerySet, role: str, *, field: str = "status") -> list[tuple[str, str, int]]:
        """(state, label, n) for each state waiting for the role, zeros included, in one grouped query."""
        waiting = self.waiting_for(role)
        counts = dict.fromkeys(waiting, 0)
        for row in qs.filter(**{f"{field}__in": waiting}).values(field).annotate(n=Count("pk")):
            counts[row[field]] = row["n"]
        return [(s, self.label(s), n) for s, n in counts.items()]


class RoleDefaults(Mapping):
    def __init__(self, states: StateSet, roles: frozenset[str] | set[str]) -> None:
        self._states, self._roles = states, frozenset(roles)

    def __getitem__(self, role: Any) -> str:
        state = self._states.default_for(role) if role in self._roles else ""
        if not state:
            raise KeyError(role)
        return state

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(r for r in self._roles if self._states.default_for(r)))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return repr(dict(self))
