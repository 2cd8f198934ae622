"""The form renderer: Django's own widget templates, with the common ones rendered in Python.

A select's options each go through two template includes; on a list page's filter form that was
about a third of the page's time. `<input>`, `<select>` and `<option>` are built here with exactly
the markup of Django's templates (escaping, localisation, attribute rules and whitespace included,
checked by the tests against the templates themselves); any other widget, or a widget template
overridden by an app, renders through the template as before.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import django.forms
from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import template_localtime

WIDGETS = "django/forms/widgets/"
BUILTIN_DIR = str(Path(django.forms.__file__).parent / "templates")
OPTION_TEMPLATE = WIDGETS + "select_option.html"
# Widget templates that are nothing but `{% include "django/forms/widgets/input.html" %}`.
INPUT_TEMPLATES = frozenset(
    WIDGETS + name + ".html"
    for name in ("input", "text", "date", "datetime", "time", "number", "email", "url", "tel", "search",
                 "password", "hidden", "color")
)


def _out(value: Any) -> str:
    """`{{ value }}` in an autoescaped template."""
    return conditional_escape(localize(template_localtime(value)))


def _fmt(value: Any) -> str:
    """`{{ value|stringformat:'s' }}` in an autoescaped template."""
    try:
        text = "%s" % (str(value) if isinstance(value, tuple) else value)
    except (ValueError, TypeError):  # pragma: no cover - as the filter answers
        text = ""
    return conditional_escape(mark_safe(text) if isinstance(value, SafeData) else text)  # noqa: S308


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    return "".join(
        f" {_out(name)}" + ("" if value is True else f'="{_fmt(value)}"')
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{_fmt(widget["value"])}"'
    return f'<input type="{_out(widget["type"])}" name="{_out(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


def _option(option: dict) -> str:
    return f'<option value="{_fmt(option["value"])}"{_attrs(option["attrs"])}>{_out(option["label"])}</option>'


def _select(widget: dict) -> str | None:
    parts = [f'<select name="{_out(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_out(group_name)}">')
        for option in group_choices:
            if option.get("template_name") != OPTION_TEMPLATE:
                return None
            parts.append("\n  " + _option(option) + "\n")  # the option template's file ends in a newline
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class FastWidgetRenderer(DjangoTemplates):
    """Django's DjangoTemplates renderer; inputs, selects and options skip the template engine."""

    def __init__(self) -> None:
        self._builtin: dict[str, bool] = {}

    def _fast(self, template_name: str) -> Callable[[dict], str | None] | None:
        if template_name in INPUT_TEMPLATES:
            fn = _input
        elif template_name == WIDGETS + "select.html":
            fn = _select
        elif template_name == OPTION_TEMPLATE:
            fn = _option
        else:
            return None
        builtin = self._builtin.get(template_name)
        if builtin is None:  # an app may override a widget template: then the template is the truth
            origin = self.get_template(template_name).origin.name
            builtin = self._builtin[template_name] = str(origin).startswith(BUILTIN_DIR)
            if fn is _select:
                option_origin = self.get_template(OPTION_TEMPLATE).origin.name
                builtin = self._builtin[template_name] = builtin and str(option_origin).startswith(BUILTIN_DIR)
        return fn if builtin else None

    def render(self, template_name, context, request=None):
        fn = self._fast(template_name)
        if fn is not None and "widget" in context:
            html = fn(context["widget"])
            if html is not None:
                return html
        return super().render(template_name, context, request=request)
