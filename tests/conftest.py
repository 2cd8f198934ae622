"""The personas every test speaks of.

张三 (graduate, 计算机学院) and 李四 (graduate, 外国语学院) study at 示例大学 (labelled 审核);
王老师 is 计算机学院's department user, 赵老师 外国语学院's; 钱处长 is 示例大学's school user;
孙老师 is the school user of 示例理工学院 (another school, labelled 鉴证); 周处长 the province user;
某某科技有限公司 an employer; 管理员 the operator.
"""
from __future__ import annotations

from types import SimpleNamespace

import pytest
import time_machine

from tests import factories as f


def pytest_collection_modifyitems(config, items):
    """Row-lock races need PostgreSQL (the CI's second run); on SQLite they are deselected, not skipped."""
    from django.conf import settings

    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    keep, drop = [], []
    for item in items:
        (drop if item.get_closest_marker("postgres_only") else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(autouse=True)
def _code_tables_in_transactional_tests(request):
    """Transactional tests flush every table, including the code tables the migrations loaded."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        yield
        return
    request.getfixturevalue("transactional_db")
    from gradreg.codes.loader import clear_cache, load_all

    load_all()
    clear_cache()
    yield
    clear_cache()


@pytest.fixture(autouse=True)
def _fresh_unit_choices():
    """Departments and majors are cached per process for a minute; each test builds its own."""
    from gradreg.roster.forms import clear_unit_cache

    clear_unit_cache()
    yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rolled-back tests reuse primary keys: a session, user or badge cached by an earlier test must not leak."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fixed_season():
    """Tests run inside the 2027届 season unless they travel elsewhere themselves."""
    with time_machine.travel("2026-11-28 10:00 +0800", tick=True):
        yield


@pytest.fixture
def world(db):
    prov = f.province()
    other_prov = f.province("11", "北京市")
    sa = f.school("10001", "示例大学", prov, "审核")
    sb = f.school("10002", "示例理工学院", prov, "鉴证")
    sc = f.school("10003", "京华大学", other_prov, "审核")
    cs = f.department(sa, "01", "计算机学院")
    fl = f.department(sa, "02", "外国语学院")
    me = f.department(sb, "01", "机械学院")
    bj = f.department(sc, "01", "文学院")
    cs_major = f.major(cs, "080901", "计算机科学与技术")
    fl_major = f.major(fl, "050201", "英语")
    me_major = f.major(me, "080202", "机械设计制造及其自动化")
    bj_major = f.major(bj, "050101", "汉语言文学")
    zhangsan = f.graduate(cs, cs_major, name="张三")
    lisi = f.graduate(fl, fl_major, name="李四")
    wangwu = f.graduate(me, me_major, name="王五")
    beijing = f.graduate(bj, bj_major, name="赵六")
    from gradreg.common.ids import make_credit_code
    from gradreg.organisations.models import Employer

    employer = Employer.objects.create(name="某某科技有限公司", credit_code=make_credit_code(1), approved=True)
    return SimpleNamespace(
        province=prov, other_province=other_prov, school=sa, other_school=sb, far_school=sc,
        cs=cs, fl=fl, me=me, bj=bj, cs_major=cs_major, fl_major=fl_major, me_major=me_major,
        zhangsan=zhangsan, lisi=lisi, wangwu=wangwu, zhaoliu=beijing, employer=employer,
        u_zhangsan=f.user("zhangsan", "graduate", graduate=zhangsan, display_name="张三"),
        u_lisi=f.user("lisi", "graduate", graduate=lisi, display_name="李四"),
        wang=f.user("wang", "department", school=sa, department=cs, display_name="王老师"),
        zhao=f.user("zhao", "department", school=sa, department=fl, display_name="赵老师"),
        qian=f.user("qian", "school", school=sa, display_name="钱处长"),
        sun=f.user("sun", "school", school=sb, display_name="孙老师"),
        zhou=f.user("zhou", "province", province=prov, display_name="周处长"),
        beijing_official=f.user("bjgov", "province", province=other_prov, display_name="北京省级用户"),
        u_employer=f.user("employer", "employer", employer=employer, display_name="某某科技有限公司"),
        operator=f.user("admin", "operator", display_name="管理员", is_staff=True, is_superuser=True),
    )


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def signals():
    """Every `important_fields_changed` sent during the test, as {"sender", "graduate", "item", "kind", "fields",
    "live"}."""
    from gradreg.roster.changes import important_fields_changed

    got: list[dict] = []

    def receiver(sender, **kw):
        got.append({"sender": sender, **kw})

    important_fields_changed.connect(receiver)
    yield got
    important_fields_changed.disconnect(receiver)
