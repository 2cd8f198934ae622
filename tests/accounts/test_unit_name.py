"""The unit an audit snapshot names: a department user's school and department are read in one query."""
from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from gradreg.accounts.models import User


def test_a_department_users_unit_is_one_query(world):
    wang = User.objects.get(pk=world.wang.pk)  # as a request has it: nothing related loaded
    with CaptureQueriesContext(connection) as ctx:
        assert wang.unit_name == "示例大学计算机学院"
        assert wang.unit_name == "示例大学计算机学院"
    assert len(ctx) == 1
    assert wang.department_id == world.cs.pk and wang.school_id == world.school.pk


def test_the_other_roles_name_their_own_unit(world):
    assert User.objects.get(pk=world.qian.pk).unit_name == "示例大学"
    assert User.objects.get(pk=world.zhou.pk).unit_name == "广东省"
    assert User.objects.get(pk=world.u_zhangsan.pk).unit_name == "示例大学"
    assert User.objects.get(pk=world.operator.pk).unit_name == "平台运营"
