"""Graduate self-activation: 考生号 + 身份证号 → code to the roster's phone/e-mail → own password."""
from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.hashers import check_password
from django.utils import timezone

from gradreg.accounts.models import ActivationCode, Role, User
from gradreg.common.ids import make_id_number
from gradreg.notifications.channels import MemorySender
from gradreg.roster import activation
from gradreg.workflow.models import AuditEvent
from tests import factories as f

from .helpers import STRONG, all_errors, form_errors, last_code

pytestmark = pytest.mark.django_db


def start(client, g, *, channel="sms", exam_no=None, id_number=None):
    return client.post(
        "/activate/",
        {"exam_no": exam_no or g.exam_no, "id_number": id_number or g.id_number, "channel": channel},
    )


def confirm(client, code, password=STRONG, password2=None):
    return client.post(
        "/activate/confirm/", {"code": code, "password1": password, "password2": password2 or password}
    )


def test_happy_path_creates_the_account_logs_in_and_opens_the_module_page(client, world, outbox):
    g = f.graduate(world.cs)
    r = start(client, g)
    assert r.status_code == 302 and r.url == "/activate/confirm/"
    assert len(outbox) == 1
    assert outbox[0]["channel"] == "sms" and outbox[0]["to"] == g.phone
    code = last_code(outbox)

    page = client.get("/activate/confirm/").content.decode()
    assert g.phone[:3] + "****" + g.phone[-4:] in page  # shown masked...
    assert g.phone not in page  # ...never in full

    stored = ActivationCode.objects.get(graduate=g)
    assert code not in stored.code_hash and check_password(code, stored.code_hash)
    assert stored.expires_at - stored.created_at == dt.timedelta(seconds=600)

    r = confirm(client, code)
    assert r.status_code == 302 and r.url == "/modules/"
    user = User.objects.get(graduate=g)
    assert (user.role, user.username, user.display_name) == (Role.GRADUATE, g.exam_no, g.name)
    assert user.check_password(STRONG) and not user.must_change_password
    assert STRONG not in user.password
    page = client.get("/modules/").content.decode()
    assert "毕业去向登记与网签" in page and "就业管理系统" not in page
    assert AuditEvent.objects.filter(item_type="user", item_id=user.pk, action="activate", actor=user).exists()
    stored.refresh_from_db()
    assert stored.used_at is not None

    # the code is spent: a second activation is refused
    client.logout()
    assert "已激活" in "".join(all_errors(start(client, g)))


def test_graduate_then_logs_in_with_exam_no(client, world, outbox):
    g = f.graduate(world.cs)
    start(client, g)
    confirm(client, last_code(outbox))
    client.logout()
    r = client.post("/login/", {"username": g.exam_no, "password": STRONG})
    assert r.status_code == 302 and r.url == "/modules/"


def test_email_channel_and_fallback_when_the_roster_lacks_the_chosen_one(client, world, outbox):
    g = f.graduate(world.cs)
    start(client, g, channel="email")
    assert outbox[-1] == {"channel": "email", "to": g.email, "text": outbox[-1]["text"]}
    assert g.email not in client.get("/activate/confirm/").content.decode()

    no_phone = f.graduate(world.cs, phone="")
    start(client, no_phone, channel="sms")
    assert outbox[-1]["channel"] == "email" and outbox[-1]["to"] == no_phone.email

    nothing = f.graduate(world.cs, phone="", email="")
    r = start(client, nothing)
    assert r.status_code == 200 and "没有您的手机号码或电子邮箱" in "".join(all_errors(r))


def test_wrong_code_is_refused_and_counted(client, world, outbox):
    g = f.graduate(world.cs)
    start(client, g)
    code = last_code(outbox)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    r = confirm(client, wrong)
    assert r.status_code == 200
    assert form_errors(r)["code"] == ["验证码不正确，还可以尝试4次。"]
    assert not User.objects.filter(graduate=g).exists()
    assert ActivationCode.objects.get(graduate=g).attempts == 1
    # the right code still works afterwards
    assert confirm(client, code).status_code == 302


def test_expired_code_is_refused(client, world, outbox):
    g = f.graduate(world.cs)
    start(client, g)
    code = last_code(outbox)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=601), tick=False):
        r = confirm(client, code)
    assert r.status_code == 200 and form_errors(r)["code"] == ["验证码已过期，请重新获取验证码。"]
    assert not User.objects.filter(graduate=g).exists()


def test_five_wrong_codes_spend_the_code_even_for_the_right_one(client, world, outbox):
    g = f.graduate(world.cs)
    start(client, g)
    code = last_code(outbox)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(4):
        confirm(client, wrong)
    r = confirm(client, wrong)
    assert form_errors(r)["code"] == ["验证码错误次数过多，已失效，请重新获取验证码。"]
    r = confirm(client, code)
    assert form_errors(r)["code"] == ["验证码错误次数过多，已失效，请重新获取验证码。"]
    assert not User.objects.filter(graduate=g).exists()
    assert ActivationCode.objects.get(graduate=g).attempts == 5

    # a new code (after the resend pause) works, and the old one is dead
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61), tick=False):
        assert start(client, g).status_code == 302
        new_code = last_code(outbox)
        if new_code != code:
            assert "code" in form_errors(confirm(client, code))
        assert confirm(client, new_code).status_code == 302
    assert User.objects.filter(graduate=g).exists()


def test_a_new_code_at_most_once_a_minute(client, world, outbox):
    g = f.graduate(world.cs)
    with time_machine.travel(timezone.now(), tick=False) as t:
        start(client, g)
        r = start(client, g)
        assert r.status_code == 200 and "验证码发送过于频繁，请60秒后再试。" in all_errors(r)
        assert len(outbox) == 1
        t.shift(61)
        assert start(client, g).status_code == 302
    assert len(outbox) == 2 and ActivationCode.objects.filter(graduate=g).count() == 2


def test_unknown_graduate_and_mismatched_id_get_the_same_answer(client, world, outbox):
    g = f.graduate(world.cs)
    other_id = make_id_number("440106", dt.date(2003, 3, 3), 17)
    unknown = start(client, g, exam_no="27449999999999")
    mismatch = start(client, g, id_number=other_id)
    assert unknown.status_code == mismatch.status_code == 200
    assert form_errors(unknown) == form_errors(mismatch) == {"__all__": [activation.NO_MATCH]}
    assert not outbox and not ActivationCode.objects.exists()


def test_already_activated_graduate_is_told_to_log_in(client, world, outbox):
    r = start(client, world.zhangsan)
    assert all_errors(r) == ["您的账号已激活，请直接登录。如忘记密码，请联系所在院系。"]
    assert 'href="/login/"' in r.content.decode()
    assert not outbox


def test_invalid_graduate_cannot_activate(client, world, outbox):
    g = f.graduate(world.cs, is_valid=False, invalidated_at=timezone.now(), invalid_reason="退学")
    r = start(client, g)
    assert r.status_code == 200 and "失效" in "".join(all_errors(r))
    assert not outbox and not ActivationCode.objects.exists()


def test_old_cohort_cannot_activate(client, world, outbox):
    old = f.graduate(world.cs, graduation_year=2025)
    r = start(client, old)
    assert all_errors(r) == ["2025届为往届毕业生，不能激活账号。"]
    last_year = f.graduate(world.cs, graduation_year=2026)
    assert start(client, last_year).status_code == 302  # last year's cohort: until 31 January
    with time_machine.travel("2027-02-01 09:00 +0800", tick=False):
        r = start(client, last_year)
    assert all_errors(r) == ["2026届毕业生的办理期限已于2027年1月31日截止，不能再激活账号。"]
    assert len(outbox) == 1 and not User.objects.filter(graduate=last_year).exists()


@pytest.mark.parametrize(
    "password, message",
    [
        ("qwertyuiop", "这个密码太常见了。"),
        ("Ab3$xyz", "密码长度太短。密码必须包含至少 10 个字符。"),
        ("2837461950", "密码只包含数字。"),
    ],
)
def test_weak_password_is_refused_by_the_validators(client, world, outbox, password, message):
    g = f.graduate(world.cs)
    start(client, g)
    r = confirm(client, last_code(outbox), password)
    assert r.status_code == 200 and message in form_errors(r)["password1"]
    assert not User.objects.filter(graduate=g).exists()
    assert ActivationCode.objects.get(graduate=g).attempts == 0  # a weak password does not spend a try


def test_password_confirmation_must_match(client, world, outbox):
    g = f.graduate(world.cs)
    start(client, g)
    r = confirm(client, last_code(outbox), STRONG, STRONG + "x")
    assert form_errors(r) == {"password2": ["两次输入的密码不一致。"]}


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"exam_no": "", "id_number": "", "channel": "sms"},
        {"exam_no": "x" * 500, "id_number": "<script>", "channel": "fax"},
        {"exam_no": "27440101000001", "id_number": "44010620040101001", "channel": "sms"},
        {"exam_no": "27440101000001\x00", "id_number": "4401062004010100１X", "channel": "email"},
    ],
)
def test_malformed_step_one_shows_field_errors_never_a_500(client, world, outbox, data):
    r = client.post("/activate/", data)
    if any("\x00" in v for v in data.values()):
        assert r.status_code == 400  # a NUL byte is refused at the edge, before the form
    else:
        assert r.status_code == 200 and form_errors(r)
    assert not outbox


@pytest.mark.parametrize("data", [{}, {"code": "abc", "password1": "", "password2": ""}, {"code": "1" * 50}])
def test_malformed_step_two_shows_field_errors_never_a_500(client, world, outbox, data):
    g = f.graduate(world.cs)
    start(client, g)
    r = client.post("/activate/confirm/", data)
    assert r.status_code == 200 and form_errors(r)


def test_step_two_without_step_one_goes_back_to_step_one(client, db):
    r = client.get("/activate/confirm/")
    assert r.status_code == 302 and r.url == "/activate/"
    r = client.post("/activate/confirm/", {"code": "123456", "password1": STRONG, "password2": STRONG})
    assert r.status_code == 302 and r.url == "/activate/"


def test_signed_in_users_skip_activation(client, world):
    client.force_login(world.u_zhangsan)
    assert client.get("/activate/").url == "/modules/"


def test_a_failing_gateway_leaves_no_code_behind(client, world, outbox, monkeypatch):
    def broken(self, **kw):
        raise OSError("gateway down")

    monkeypatch.setattr(MemorySender, "send", broken)
    g = f.graduate(world.cs)
    r = start(client, g)
    assert r.status_code == 200 and all_errors(r) == ["验证码发送失败，请稍后再试。"]
    assert not ActivationCode.objects.exists()


def test_pages_are_in_chinese_and_link_from_login(client, db):
    assert 'href="/activate/"' in client.get("/login/").content.decode()
    page = client.get("/activate/").content.decode()
    assert "考生号" in page and "身份证号" in page and "手机短信" in page and "电子邮箱" in page


def test_repeated_mismatches_are_throttled_without_revealing_anything(client, world, outbox):
    g = f.graduate(world.cs)
    with time_machine.travel(timezone.now(), tick=False) as t:
        for seq in range(activation.FAILS_PER_EXAM_NO):
            guess = make_id_number("440106", dt.date(2003, 3, 3), seq)
            assert all_errors(start(client, g, id_number=guess)) == [activation.NO_MATCH]
        # now even the right ID number gets the same pause, as does a 考生号 that does not exist
        assert all_errors(start(client, g)) == [activation.THROTTLED]
        nobody = "27449999999999"
        for seq in range(activation.FAILS_PER_EXAM_NO):
            start(client, g, exam_no=nobody, id_number=make_id_number("440106", dt.date(2003, 3, 3), seq))
        assert all_errors(start(client, g, exam_no=nobody)) == [activation.THROTTLED]
        assert not outbox
        t.shift(dt.timedelta(minutes=61))
        assert start(client, g).status_code == 302


def test_one_address_guessing_many_exam_numbers_is_throttled(client, world, outbox):
    g = f.graduate(world.cs)
    for n in range(activation.FAILS_PER_IP):
        start(client, g, exam_no=f"2744{n:010d}")
    assert all_errors(start(client, g)) == [activation.THROTTLED]
    other = client.__class__(REMOTE_ADDR="10.1.2.3")
    assert start(other, g).status_code == 302
