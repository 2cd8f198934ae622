"""The Python-rendered widgets give exactly the markup of Django's widget templates."""
from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from gradreg.common.formrenderer import FastWidgetRenderer


class Everything(forms.Form):
    text = forms.CharField(max_length=20, required=False, widget=forms.TextInput(attrs={"placeholder": '"<x>"&'}))
    number = forms.IntegerField(required=False)
    day = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    email = forms.EmailField(required=False)
    secret = forms.CharField(required=False, widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)
    flag = forms.CharField(required=False, widget=forms.TextInput(attrs={"readonly": True, "disabled": False}))
    choice = forms.ChoiceField(required=False, choices=[("", "全部"), ("a&b", "甲<乙>"), (2027, 2027),
                                                        ("s", mark_safe("<b>safe</b>"))])
    grouped = forms.ChoiceField(required=False, choices=[("", "---"), ("组一", [("1", "一"), ("2", "二")]),
                                                         ("3", "三")])
    many = forms.MultipleChoiceField(required=False, choices=[("x", "X"), ("y", "Y")])
    typed = forms.TypedChoiceField(required=False, coerce=int, choices=[(1, "一"), (2, "二")])
    area = forms.CharField(required=False, widget=forms.Textarea)


DATA = [
    {},
    {"text": 'a"b<c>&d', "number": "12", "day": "2027-06-30", "email": "x@example.com", "secret": "p&w",
     "hidden": "h", "flag": "f", "choice": "a&b", "grouped": "2", "many": ["x", "y"], "typed": "2", "area": "<t>"},
    {"choice": "2027", "grouped": "3", "many": ["y"], "typed": "9", "day": "not a date", "number": "x"},
]


@pytest.mark.parametrize("data", DATA)
def test_every_field_renders_as_the_templates_do(data):
    initial = {"day": dt.date(2027, 1, 2), "text": mark_safe("<i>i</i>")}
    slow = Everything(data or None, initial=initial, renderer=DjangoTemplates())
    fast = Everything(data or None, initial=initial, renderer=FastWidgetRenderer())
    for name in fast.fields:
        assert str(fast[name]) == str(slow[name]), name


def test_the_settings_use_the_fast_renderer():
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), FastWidgetRenderer)


def test_templates_are_compiled_once_per_process():
    """With no `loaders` given, Django wraps the loaders in its cached loader (DEBUG on or off)."""
    from django.template import engines
    from django.template.loaders.cached import Loader

    assert isinstance(engines["django"].engine.template_loaders[0], Loader)
