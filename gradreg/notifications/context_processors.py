from django.utils.functional import SimpleLazyObject

from .services import inbox


def unread_messages(request):
    """The unread badge; lazy, so pages that don't show it run no query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_count": SimpleLazyObject(lambda: inbox(user).filter(read_at__isnull=True).count())}
