from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gradreg.common.pagination import paginate

from . import services
from .selectors import inbox


@login_required
def message_list(request):
    page = paginate(inbox(request.user).order_by("-created_at"), request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page, "query": ""})


@require_POST
@login_required
def message_read(request, pk: int):
    services.message_mark_read(actor=request.user, pk=pk)
    msg = inbox(request.user).filter(pk=pk).only("link", "url_name", "url_args").first()
    url = msg.url if msg else ""
    return redirect(url if url.startswith("/") else "notifications:list")


@require_POST
@login_required
def message_read_all(request):
    services.messages_mark_all_read(actor=request.user)
    return redirect("notifications:list")
