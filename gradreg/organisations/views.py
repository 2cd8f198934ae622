"""The one page piece of organisations that several modules' forms share: the 预警单位 notice as it is typed."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from gradreg.common.errors import Forbidden
from gradreg.common.roles import Role

from .warnings import typed_warning


@login_required
def credit_warning(request):
    """While a graduate types an employer in (线下签约, 补登, 去向登记): the 预警单位 notice for the typed
    统一社会信用代码, as an htmx fragment (`snippets/credit_warning.html`)."""
    if request.user.role != Role.GRADUATE:
        raise Forbidden("只有毕业生本人可以使用此功能。")
    return render(request, "snippets/credit_warning.html",
                  {"warning": typed_warning(request.user, request.GET.get("credit_code"))})
