"""What 去向登记 and 补登 show the graduate on shared pages: their menu entries and their home panel."""
from __future__ import annotations

from gradreg.common import registries as reg
from gradreg.common.roles import Role

from .flows import workflow_of
from .selectors import current_items

GRADUATE = frozenset({Role.GRADUATE})


def graduate_destination(user) -> dict | None:
    """The graduate's current registrations and 补登 (in review or approved), each with its status."""
    if user.role != Role.GRADUATE or not user.graduate_id:
        return None
    items = []
    for item in sorted(current_items(user.graduate_id), key=lambda i: (i.updated_at, i.pk), reverse=True):
        states = workflow_of(item).states
        items.append({"what": item._meta.verbose_name, "label": item.type_label,
                      "unit": item.unit_name, "status": states.label(item.status), "tone": states.tone(item.status),
                      "url": item.get_absolute_url(), "edited": item.reviewer_edited_at})
    return {"items": items}


def register() -> None:
    menu = reg.REGISTRATION_MENU
    reg.register_nav(
        reg.NavEntry(menu, "my_destinations", "我的毕业去向", "destinations:my", 72, active="my_destinations",
                     roles=GRADUATE),
        reg.NavEntry(menu, "new_destination", "登记毕业去向", "destinations:new", 74, active="new_destination",
                     roles=GRADUATE),
        reg.NavEntry(menu, "new_paper", "补登纸质协议", "destinations:paper_new", 76, active="new_paper",
                     roles=GRADUATE),
    )
    reg.register_panel(reg.HomePanel(reg.GRADUATE_HOME, "destinations", "destinations/graduate/_home_panel.html",
                                     graduate_destination, 20))
