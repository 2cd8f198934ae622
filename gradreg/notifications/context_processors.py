from django.utils.functional import SimpleLazyObject

from .selectors import unread_count


def unread_messages(request):
    """The unread badge; lazy, so pages that don't show it look nothing up."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_count": SimpleLazyObject(lambda: unread_count(user))}
