from django.utils.functional import SimpleLazyObject

from .models import Message


def unread_messages(request):
    """The unread badge; lazy, so pages that don't show it run no query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_count": SimpleLazyObject(lambda: Message.objects.filter(recipient=user, read_at__isnull=True).count())}
