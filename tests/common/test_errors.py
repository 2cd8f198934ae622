"""get_in_scope: a malformed id, a missing row and one outside the scope answer alike."""
from __future__ import annotations

import pytest

from gradreg.accounts.models import Role, User
from gradreg.common.errors import NotFound, get_in_scope
from tests import factories as f


@pytest.mark.django_db
def test_get_in_scope_answers_every_miss_with_the_same_not_found():
    user = f.user("probe", Role.OPERATOR)
    assert get_in_scope(User.objects.all(), user.pk, "无") == user
    for qs, pk in [(User.objects.all(), user.pk + 1), (User.objects.exclude(pk=user.pk), user.pk),
                   (User.objects.all(), "abc"), (User.objects.all(), None)]:
        with pytest.raises(NotFound, match="未找到该用户"):
            get_in_scope(qs, pk, "未找到该用户")
