"""Staff accounts created by the level above: one-time password shown once, changed at first login."""
from __future__ import annotations

import re

import pytest

from gradreg.accounts import services
from gradreg.accounts.models import Role, User
from gradreg.common.errors import Forbidden, NotFound
from gradreg.workflow.audit import verify_chain
from gradreg.workflow.models import AuditEvent
from tests import factories as f

from .helpers import STRONG, form_errors, web_login

pytestmark = pytest.mark.django_db


def create(client, **data):
    return client.post("/accounts/new/", data)


def shown_password(response) -> str:
    return response.context["password"]


def test_operator_creates_a_school_user(client, world):
    client.force_login(world.operator)
    r = create(client, role="school", username="newschool", display_name="新学校管理员", school=world.far_school.pk)
    assert r.status_code == 200
    password = shown_password(r)
    assert password in r.content.decode() and "只显示这一次" in r.content.decode()
    user = User.objects.get(username="newschool")
    assert (user.role, user.school, user.created_by) == (Role.SCHOOL, world.far_school, world.operator)
    assert user.must_change_password and user.is_active
    # never stored in clear: not in the user row, not in the audit trail
    assert password not in user.password and user.check_password(password)
    event = AuditEvent.objects.get(item_type="user", item_id=user.pk)
    assert (event.action, event.actor) == ("create", world.operator)
    assert password not in repr(event.data) and password not in event.hash
    assert r["Cache-Control"] == "no-store"


def test_operator_creates_a_province_user(client, world):
    client.force_login(world.operator)
    r = create(client, role="province", username="gdgov2", display_name="广东省主管", province=world.province.pk)
    assert r.status_code == 200
    assert User.objects.get(username="gdgov2").province == world.province


def test_operator_must_name_the_unit(client, world):
    client.force_login(world.operator)
    r = create(client, role="school", username="nounit", display_name="某人", province=world.province.pk)
    assert form_errors(r) == {"school": ["请选择学校。"]}
    assert not User.objects.filter(username="nounit").exists()


def test_school_creates_a_department_user_in_its_own_school(client, world):
    client.force_login(world.qian)
    r = create(client, role="department", username="cs2", display_name="计算机学院新老师", department=world.cs.pk)
    assert r.status_code == 200
    user = User.objects.get(username="cs2")
    assert (user.role, user.school, user.department) == (Role.DEPARTMENT, world.school, world.cs)
    assert user.must_change_password and user.check_password(shown_password(r))


def test_school_cannot_create_for_another_schools_department_or_a_school_user(client, world):
    client.force_login(world.qian)
    r = create(client, role="department", username="intruder", display_name="某人", department=world.me.pk)
    assert r.status_code == 200 and "department" in form_errors(r)
    r = create(client, role="school", username="intruder", display_name="某人", school=world.school.pk)
    assert r.status_code == 200 and "role" in form_errors(r)
    assert not User.objects.filter(username="intruder").exists()
    # the service itself refuses, whatever a form lets through
    with pytest.raises(Forbidden):
        services.staff_user_create(
            actor=world.qian, username="intruder", display_name="某人", role=Role.DEPARTMENT, department=world.me
        )
    with pytest.raises(Forbidden):
        services.staff_user_create(
            actor=world.qian, username="intruder", display_name="某人", role=Role.SCHOOL, school=world.school
        )
    with pytest.raises(Forbidden):
        services.staff_user_create(
            actor=world.operator, username="intruder", display_name="某人", role=Role.OPERATOR
        )
    assert not User.objects.filter(username="intruder").exists()


@pytest.mark.parametrize("who", ["wang", "u_zhangsan", "zhou", "u_employer"])
def test_department_user_graduate_and_others_are_refused(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get("/accounts/").status_code == 403
    assert client.get("/accounts/new/").status_code == 403
    r = create(client, role="department", username="x1y2z3", display_name="某人", department=world.cs.pk)
    assert r.status_code == 403 and "只有系统管理员和学校用户可以管理账号。" in r.content.decode()
    assert client.post(f"/accounts/{world.zhao.pk}/reset-password/").status_code == 403
    assert not User.objects.filter(username="x1y2z3").exists()
    with pytest.raises(Forbidden):
        services.staff_user_create(
            actor=getattr(world, who), username="x1y2z3", display_name="某人", role=Role.DEPARTMENT,
            department=world.cs,
        )


def test_anonymous_is_sent_to_login(client, db):
    r = client.get("/accounts/")
    assert r.status_code == 302 and r.url.startswith("/login/")


def test_created_user_must_change_password_at_first_login(client, world):
    admin = client.__class__()
    admin.force_login(world.qian)
    password = shown_password(create(admin, role="department", username="fresh", display_name="新老师", department=world.cs.pk))

    r = web_login(client, "fresh", password)
    assert r.status_code == 302 and r.url == "/modules/"
    for path in ("/modules/", "/roster/", "/accounts/", "/messages/"):
        r = client.get(path)
        assert r.status_code == 302 and r.url == "/password/", path
    page = client.get("/password/")
    assert page.status_code == 200 and "请先设置您自己的密码" in page.content.decode()

    # the one-time password itself is not accepted as the new one
    r = client.post("/password/", {"old_password": password, "new_password1": password, "new_password2": password})
    assert "new_password1" in form_errors(r)
    r = client.post("/password/", {"old_password": password, "new_password1": STRONG, "new_password2": STRONG})
    assert r.status_code == 302 and r.url == "/modules/"
    assert client.get("/modules/").status_code == 200
    assert client.get("/roster/").status_code == 200
    user = User.objects.get(username="fresh")
    assert not user.must_change_password and user.check_password(STRONG)


def test_list_is_scoped(client, world):
    other = client.__class__()
    other.force_login(world.sun)
    create(other, role="department", username="mech2", display_name="机械学院老师", department=world.me.pk)

    client.force_login(world.qian)
    r = client.get("/accounts/")
    names = {u.username for u in r.context["page"].items}
    assert names == {"wang", "zhao"}
    assert "mech2" not in r.content.decode()

    client.force_login(world.sun)
    assert {u.username for u in client.get("/accounts/").context["page"].items} == {"mech2"}

    client.force_login(world.operator)
    names = {u.username for u in client.get("/accounts/").context["page"].items}
    assert names == {"qian", "sun", "zhou", "bjgov"}
    assert {u.username for u in client.get("/accounts/?q=qia").context["page"].items} == {"qian"}


def test_reset_password_gives_a_new_one_time_password(client, world):
    client.force_login(world.qian)
    assert "重置密码" in client.get(f"/accounts/{world.wang.pk}/reset-password/").content.decode()
    r = client.post(f"/accounts/{world.wang.pk}/reset-password/")
    assert r.status_code == 200
    password = shown_password(r)
    wang = User.objects.get(pk=world.wang.pk)
    assert wang.must_change_password and wang.check_password(password) and not wang.check_password(f.PASSWORD)
    assert password not in wang.password
    event = AuditEvent.objects.get(item_type="user", item_id=wang.pk, action="reset_password")
    assert event.actor == world.qian and password not in repr(event.data)

    login_as = client.__class__()
    assert web_login(login_as, "wang", f.PASSWORD).status_code == 200  # old password gone
    assert web_login(login_as, "wang", password).url == "/modules/"
    assert login_as.get("/modules/").url == "/password/"


def test_reset_is_scoped(client, world):
    client.force_login(world.qian)
    mech = f.user("mech", "department", school=world.other_school, department=world.me)
    for target in (mech, world.sun, world.zhou, world.operator, world.u_zhangsan):
        assert client.post(f"/accounts/{target.pk}/reset-password/").status_code == 404
        assert client.post(f"/accounts/{target.pk}/disable/").status_code == 404
    with pytest.raises(NotFound):
        services.staff_user_reset_password(actor=world.qian, user_id=mech.pk)
    assert User.objects.get(pk=mech.pk).check_password(f.PASSWORD)


def test_disable_ends_sessions_and_logins_then_enable(client, world):
    victim = client.__class__()
    victim.force_login(world.wang)
    assert victim.get("/modules/").status_code == 200

    client.force_login(world.qian)
    assert "停用" in client.get(f"/accounts/{world.wang.pk}/disable/").content.decode()
    r = client.post(f"/accounts/{world.wang.pk}/disable/")
    assert r.status_code == 302 and r.url == "/accounts/"
    assert not User.objects.get(pk=world.wang.pk).is_active
    assert victim.get("/modules/").status_code == 302  # the open session is gone
    assert web_login(client.__class__(), "wang").status_code == 200  # refused, form shown again
    assert AuditEvent.objects.filter(item_type="user", item_id=world.wang.pk, action="disable").exists()
    assert client.post(f"/accounts/{world.wang.pk}/disable/").status_code == 400  # already disabled

    r = client.post(f"/accounts/{world.wang.pk}/enable/")
    assert r.status_code == 302
    assert web_login(client.__class__(), "wang").url == "/modules/"
    events = list(AuditEvent.objects.filter(item_type="user", item_id=world.wang.pk).order_by("seq"))
    assert [e.action for e in events] == ["disable", "enable"] and verify_chain(events) == []


@pytest.mark.parametrize(
    "username, message",
    [
        ("wang", "该用户名已被使用，请换一个。"),
        ("WANG", "该用户名已被使用，请换一个。"),
        ("27440101000001", "用户名须以字母开头，由3至30位字母、数字、下划线、点或连字符组成。"),
        ("a b", "用户名须以字母开头，由3至30位字母、数字、下划线、点或连字符组成。"),
        ("王老师", "用户名须以字母开头，由3至30位字母、数字、下划线、点或连字符组成。"),
    ],
)
def test_username_rules(client, world, username, message):
    client.force_login(world.qian)
    r = create(client, role="department", username=username, display_name="某人", department=world.cs.pk)
    assert form_errors(r) == {"username": [message]}


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"role": "department"},
        {"role": "x" * 300, "username": "\x00", "display_name": "", "department": "abc"},
        {"role": "department", "username": "okname", "display_name": "某人", "department": "999999"},
    ],
)
def test_malformed_create_shows_field_errors_never_a_500(client, world, data):
    client.force_login(world.qian)
    r = create(client, **data)
    if any("\x00" in v for v in data.values()):
        assert r.status_code == 400  # a NUL byte is refused at the edge, before the form
    else:
        assert r.status_code == 200 and form_errors(r)


def test_one_time_passwords_pass_the_validators_and_differ():
    from django.contrib.auth.password_validation import validate_password

    seen = {services.one_time_password() for _ in range(50)}
    assert len(seen) == 50
    for p in seen:
        validate_password(p)
        assert len(p) >= 12 and re.search(r"[A-Za-z]", p) and re.search(r"[0-9]", p)


def test_reset_password_also_lifts_a_lockout(client, world):
    for _ in range(5):
        web_login(client, "wang", "wrong-password-1")
    assert web_login(client, "wang").status_code == 429
    admin = client.__class__()
    admin.force_login(world.qian)
    password = shown_password(admin.post(f"/accounts/{world.wang.pk}/reset-password/"))
    assert web_login(client, "wang", password).url == "/modules/"


def test_module_page_links_to_account_management(client, world):
    client.force_login(world.qian)
    assert 'href="/accounts/"' in client.get("/modules/").content.decode()
    client.force_login(world.wang)
    assert 'href="/accounts/"' not in client.get("/modules/").content.decode()
