"""操作指南: a Chinese guide per role, written in docs/guides/<role>.md and served as HTML from the install."""
from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils.html import escape

from gradreg.common.errors import NotFound
from gradreg.common.roles import Role

GUIDE_ROLES = (Role.DEPARTMENT, Role.SCHOOL, Role.GRADUATE, Role.EMPLOYER)


def guide_path(role: str) -> Path:
    return Path(settings.BASE_DIR) / "docs" / "guides" / f"{role}.md"


def has_guide(role: str) -> bool:
    return role in GUIDE_ROLES and guide_path(role).is_file()


def guide_for(role: str) -> tuple[str, str]:
    """(title, HTML body) of this role's guide; NotFound when the role has none."""
    if not has_guide(role):
        raise NotFound("暂无适用于您的操作指南。")
    return render_guide(guide_path(role).read_text(encoding="utf-8"))


def render_guide(text: str) -> tuple[str, str]:
    """The guides' small Markdown (#/## headings, - lists, paragraphs) as HTML; every text escaped."""
    title, html, items = "", [], []

    def close_list() -> None:
        if items:
            html.append("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
            items.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("- "):
            items.append(escape(line[2:].strip()))
            continue
        close_list()
        if line.startswith("## "):
            html.append(f"<h2>{escape(line[3:].strip())}</h2>")
        elif line.startswith("# "):
            title = line[2:].strip()
        elif line:
            html.append(f"<p>{escape(line)}</p>")
    close_list()
    return title, "\n".join(html)
