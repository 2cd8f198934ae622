"""The signed-in user read from the cache, so a request reads neither the session nor the user table.

A cached user is keyed by its id *and* the session's auth hash (an HMAC of the password hash), and
is served only while the user's version token is current: every save or delete of a user retires
the token (`invalidate_user`, wired to the model's signals), so a password change, a disabled
account or a new role or unit shows on the next request. Whatever misses goes through Django's own
`get_user`, which checks the session hash against the stored password and flushes a stale session.
A `User.objects.filter(...).update(...)` sends no signal: such a write must call `invalidate_user`.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.utils.crypto import constant_time_compare

from gradreg.common.versioned_cache import MISSING, VersionedCache

# Bounds how long a write that bypassed invalidation could go unseen.
USER_CACHE_SECONDS = 300
users = VersionedCache("authuser", USER_CACHE_SECONDS)


def invalidate_user(user_id: object) -> None:
    users.invalidate(user_id)


def cached_get_user(request):
    """Django's `auth.get_user`, answered from the cache when the same user and session hash were seen."""
    session = request.session
    try:
        user_id = session[SESSION_KEY]
        backend_path = session[BACKEND_SESSION_KEY]
    except KeyError:
        return AnonymousUser()
    session_hash = session.get(HASH_SESSION_KEY)
    if backend_path not in settings.AUTHENTICATION_BACKENDS or not isinstance(session_hash, str) or not session_hash:
        return auth.get_user(request)
    variant = session_hash[:40]
    user, version = users.get(user_id, variant)
    # The hash is checked again on a hit, so a cached user can only ever confirm the hash it was stored with.
    if user is not MISSING and constant_time_compare(session_hash, user.get_session_auth_hash()):
        return user
    user = auth.get_user(request)  # checks the hash against the password, flushes the session when stale
    if user.is_authenticated and str(user.pk) == str(user_id) and request.session.get(HASH_SESSION_KEY) == session_hash:
        users.set(user_id, variant, version, user)
    return user
