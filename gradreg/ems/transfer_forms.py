"""The form of 档案/户口 info, generated from the module's fields: the platform's pages and EMS's page use it."""
from __future__ import annotations

from django import forms

from .transfer_modules import Module
from .transfer_validation import type_choices


class InfoForm(forms.Form):
    """One field per field of the module; the type a select of its code table. Rendering only: the rules are
    `gradreg.ems.transfer_validation`'s, applied by the service (errors come back on their fields)."""

    def __init__(self, *args, module: Module, **kwargs):
        super().__init__(*args, **kwargs)
        for f in module.fields:
            if f.kind == "choice":
                field = forms.ChoiceField(label=f.label, required=False,
                                          choices=[("", "请选择"), *type_choices(module)])
            else:
                attrs = {"maxlength": f.max_length}
                if f.kind in ("region", "postcode"):
                    attrs["inputmode"] = "numeric"
                if f.kind == "phone":
                    attrs["inputmode"] = "tel"
                field = forms.CharField(label=f.label, required=False, help_text=f.help,
                                        widget=forms.TextInput(attrs=attrs))
            field.widget.attrs["aria-required"] = "true" if f.required else "false"
            if f.required:
                field.label = f"{f.label}（必填）"
            self.fields[f.name] = field

    def data_for_service(self) -> dict[str, str]:
        """The raw values as typed (the service cleans them; a NUL or an over-long value is refused there)."""
        return {name: self.data.get(name, "") for name in self.fields}
