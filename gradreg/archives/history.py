"""办理记录 of a record or an application, in the module's words."""
from __future__ import annotations

from gradreg.ems.transfer_modules import Module


def labelled(m: Module, events: list, states=None) -> list:
    """办理记录 naming what each change changed (the module's field labels) and, for a record, its 登记状态."""
    labels = {f.name: f.label for f in m.fields}
    names = dict(states or ())
    for e in events:
        changed = (e.data or {}).get("changes") or (e.data or {}).get("changed") or {}
        e.changed_labels = [labels[n] for n in changed if n in labels]
        if names and e.to_state in names:
            e.state_label = names[e.to_state]
    return events
