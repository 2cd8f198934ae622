"""The roster table's rows, rendered in one pass (the template engine costs ~0.1 ms a row on a hot list)."""
from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

ROW = (
    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
    '<td>{}</td><td>{}</td><td><a href="/roster/graduates/{}/">详细</a></td></tr>'
)


def roster_rows(items) -> SafeString:
    """Rows of 学生名单管理; every value is escaped by format_html."""
    if not items:
        return format_html('<tr><td colspan="11">{}</td></tr>', "没有符合条件的毕业生。")
    return format_html_join(
        "\n",
        ROW,
        (
            (g["exam_no"], g["student_no"], g["name"], g["id_masked"], g["department_name"], g["major_name"],
             g["level_name"], g["training_mode_name"], g["graduation_year"], g["phone_masked"], g["id"])
            for g in items
        ),
    )
