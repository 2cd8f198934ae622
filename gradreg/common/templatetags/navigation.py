"""`{% nav_entries "registration" as entries %}`: the entries the modules registered for one menu."""
from django import template

from gradreg.common.registries import nav_for

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_entries(context, menu: str):
    return nav_for(menu, context.get("user"))
