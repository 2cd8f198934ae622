"""核验授权 (seed 6.1): 实人认证 by the built-in provider, the status moves (未确认 → 生效中 → 已过期, re-authorise,
an important change ends it), each refusal, and the time travel of an authorisation's validity."""
from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from gradreg.archives.services import write_record
from gradreg.common.errors import Conflict, DomainError, Forbidden, Invalid, ReadOnly
from gradreg.ems import sync
from gradreg.ems.models import Graduate, ReportedDestination
from gradreg.ems.services import graduate_update
from gradreg.ems.transfer_modules import ARCHIVE
from gradreg.notifications.channels import MemorySender
from gradreg.verification import codeformat, identity, lookup, windows
from gradreg.verification import confirmation as c
from gradreg.verification import grants as g
from gradreg.verification.models import IdentityCheck, VerificationGrant
from gradreg.workflow.audit import timeline, verify_all
from tests import factories as f
from tests.archives.conftest import info
from tests.archives.test_import import row_of, run
from tests.verification.test_confirmation import confirmed
from tests.workflow.harness import graduate_user

from .grant_helpers import _empty_outbox, authorised, last_code  # noqa: F401

GS = g.GS


def status(graduate: Graduate) -> str:
    return g.status_of(VerificationGrant.objects.filter(graduate=graduate).first())


def expression_status(graduate: Graduate) -> str:
    return (Graduate.objects.filter(pk=graduate.pk).annotate(s=g.status_expression())
            .values_list("s", flat=True).get())


# ---- the moves -----------------------------------------------------------------------------------------------

def test_unconfirmed_then_active_with_a_grouped_readable_code_and_an_audit_without_it(world):
    assert status(world.zhangsan) == expression_status(world.zhangsan) == GS.UNCONFIRMED
    confirmed(world)
    started = g.start_identity_check(actor=world.u_zhangsan, channel="sms", ip="10.0.0.1")
    assert started.channel == "sms" and started.sent_to == world.zhangsan.phone[:3] + "****" + world.zhangsan.phone[-4:]
    assert [m["channel"] for m in MemorySender.outbox] == ["sms"]
    assert MemorySender.outbox[0]["to"] == world.zhangsan.phone
    check = IdentityCheck.objects.get(graduate=world.zhangsan)
    code = last_code()
    assert code not in check.code_hash  # only its hash is kept
    grant = g.authorise(world.u_zhangsan, id_number=world.zhangsan.id_number.lower(), code=code, ip="10.0.0.1")
    assert status(world.zhangsan) == expression_status(world.zhangsan) == GS.ACTIVE
    assert len(grant.code) == 16 and set(grant.code) <= set(codeformat.ALPHABET)
    assert not set(grant.code) & set("ILOU") and codeformat.BITS == 80
    assert grant.provider == "builtin" and grant.school_id == world.school.pk and grant.department_id == world.cs.pk
    assert grant.expires_at == grant.granted_at + dt.timedelta(days=windows.grant_days())
    events = timeline(g.ITEM_TYPE, grant.pk, grant.school_id)
    assert [(e.action, e.from_state, e.to_state, e.actor_id) for e in events] == [
        ("authorise", GS.UNCONFIRMED, GS.ACTIVE, world.u_zhangsan.pk)]
    assert grant.code not in str(events[0].data) and grant.qr_token not in str(events[0].data)
    assert verify_all()[1] == []
    assert IdentityCheck.objects.get(pk=check.pk).used_at is not None


def test_the_code_is_single_use(world):
    authorised(world)
    code = last_code()
    with pytest.raises(DomainError, match="请先获取验证码"):
        g.authorise(world.u_zhangsan, id_number=world.zhangsan.id_number, code=code)


def test_expiry_by_time_travel_and_re_authorising_replaces_the_code(world):
    grant = authorised(world)
    old_code, old_token = grant.code, grant.qr_token
    with time_machine.travel(timezone.now() + dt.timedelta(days=windows.grant_days() - 1)):
        assert status(world.zhangsan) == expression_status(world.zhangsan) == GS.ACTIVE
    with time_machine.travel(timezone.now() + dt.timedelta(days=windows.grant_days(), seconds=5)):
        assert status(world.zhangsan) == expression_status(world.zhangsan) == GS.EXPIRED
        m = g.mine(world.u_zhangsan)
        assert m.status == GS.EXPIRED and m.code == "" and m.sheets() == [] and m.may_authorise
        g.start_identity_check(actor=world.u_zhangsan, channel="email")
        assert MemorySender.outbox[-1]["to"] == world.zhangsan.email
        renewed = g.authorise(world.u_zhangsan, id_number=world.zhangsan.id_number, code=last_code())
        assert renewed.pk == grant.pk and status(world.zhangsan) == GS.ACTIVE
        assert renewed.code != old_code and renewed.qr_token != old_token
        events = timeline(g.ITEM_TYPE, grant.pk, grant.school_id)
        assert [(e.from_state, e.to_state) for e in events][-1] == (GS.EXPIRED, GS.ACTIVE)
        assert events[-1].data["renewed"] is True


@override_settings(VERIFICATION_GRANT_DAYS=7)
def test_the_validity_is_configurable(world):
    grant = authorised(world)
    assert grant.expires_at - grant.granted_at == dt.timedelta(days=7)
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        assert status(world.zhangsan) == GS.EXPIRED


def test_re_authorising_while_active_replaces_the_code_at_once(world):
    first = authorised(world)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61)):
        second = authorised(world, confirm=False)
    assert second.pk == first.pk and second.code != first.code
    assert not VerificationGrant.objects.filter(code=first.code).exists()


# ---- refusals ------------------------------------------------------------------------------------------------

def test_not_confirmed_or_confirmed_wrong_is_a_conflict_pointing_to_confirmation(world):
    with pytest.raises(Conflict, match="登记确认"):
        g.start_identity_check(actor=world.u_zhangsan, channel="sms")
    confirmed(world, correct=False)
    with pytest.raises(Conflict, match="确认有误"):
        g.start_identity_check(actor=world.u_zhangsan, channel="sms")
    with pytest.raises(Conflict, match="登记确认"):
        g.authorise(world.u_zhangsan, id_number=world.zhangsan.id_number, code="123456")
    assert MemorySender.outbox == [] and not VerificationGrant.objects.exists()


def test_a_wrong_id_number_and_a_wrong_code_get_one_answer_and_count(world):
    confirmed(world)
    g.start_identity_check(actor=world.u_zhangsan, channel="sms")
    code = last_code()
    other_id = world.lisi.id_number
    wrong_code = f"{(int(code) + 1) % 10**6:06d}"
    with pytest.raises(DomainError) as a:
        g.authorise(world.u_zhangsan, id_number=other_id, code=code)
    with pytest.raises(DomainError) as b:
        g.authorise(world.u_zhangsan, id_number=world.zhangsan.id_number, code=wrong_code)
    assert a.value.message.startswith(identity.MISMATCH) and b.value.message.startswith(identity.MISMATCH)
    assert "还可以尝试4次" in a.value.message and "还可以尝试3次" in b.value.message
    assert IdentityCheck.objects.get(graduate=world.zhangsan).attempts == 2
    # still good for the right pair
    g.authorise(world.u_zhangsan, id_number=world.zhangsan.id_number, code=code)
    assert status(world.zhangsan) == GS.ACTIVE


def test_five_wrong_attempts_spend_the_code(world):
    confirmed(world)
    g.start_identity_check(actor=world.u_zhangsan, channel="sms")
    code = last_code()
    wrong_code = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        with pytest.raises(DomainError, match=identity.MISMATCH):
            g.authorise(world.u_zhangsan, id_number=world.zhangsan.id_number, code=wrong_code)
    with pytest.raises(DomainError, match="错误次数过多"):
        g.authorise(world.u_zhangsan, id_number=world.zhangsan.id_number, code=code)
    assert not VerificationGrant.objects.exists()


def test_failures_are_counted_per_graduate_across_codes(world):
    confirmed(world)
    for i in range(2):
        with time_machine.travel(timezone.now() + dt.timedelta(minutes=2 * i)):
            g.start_identity_check(actor=world.u_zhangsan, channel="sms")
            for _ in range(5):
                with pytest.raises(DomainError):
                    g.authorise(world.u_zhangsan, id_number=world.lisi.id_number, code=last_code(), ip=f"10.0.0.{i}")
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
        with pytest.raises(DomainError, match="失败次数过多"):
            g.start_identity_check(actor=world.u_zhangsan, channel="sms")


def test_an_expired_code_is_refused(world):
    confirmed(world)
    g.start_identity_check(actor=world.u_zhangsan, channel="sms")
    code = last_code()
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=301)):
        with pytest.raises(DomainError, match="验证码已过期"):
            g.authorise(world.u_zhangsan, id_number=world.zhangsan.id_number, code=code)


def test_resend_too_soon_and_the_daily_cap(world):
    confirmed(world)
    g.start_identity_check(actor=world.u_zhangsan, channel="sms")
    with pytest.raises(DomainError, match="秒后再试"):
        g.start_identity_check(actor=world.u_zhangsan, channel="sms")
    start = timezone.now()
    for i in range(1, 10):
        with time_machine.travel(start + dt.timedelta(minutes=2 * i)):
            g.start_identity_check(actor=world.u_zhangsan, channel="sms")
    with time_machine.travel(start + dt.timedelta(minutes=30)):
        with pytest.raises(DomainError, match="次数已达上限"):
            g.start_identity_check(actor=world.u_zhangsan, channel="sms")
    assert len(MemorySender.outbox) == 10


def test_a_failed_send_leaves_no_code_behind(world, monkeypatch):
    confirmed(world)

    def broken(self, **kw):
        raise RuntimeError("gateway down")

    monkeypatch.setattr(MemorySender, "send", broken)
    with pytest.raises(DomainError, match="发送失败"):
        g.start_identity_check(actor=world.u_zhangsan, channel="sms")
    assert not IdentityCheck.objects.exists()


def test_no_address_on_the_roster_for_the_channel(world):
    Graduate.objects.filter(pk=world.zhangsan.pk).update(email="")
    confirmed(world)
    with pytest.raises(DomainError, match="没有您的电子邮箱"):
        g.start_identity_check(actor=world.u_zhangsan, channel="email")


@pytest.mark.parametrize("id_number,code,field", [
    ("\x00" * 18, "123456", "id_number"), ("1" * 300, "123456", "id_number"), (123, "123456", "id_number"),
    ("44010620040101123", "123456", "id_number"), ("", "123456", "id_number"),
    ("440106200401011234", "12a456", "code"), ("440106200401011234", "x" * 300, "code"),
    ("440106200401011234", None, "code"), ("440106200401011234", "12\x0056", "code"),
])
def test_bad_input_is_a_clear_field_error(world, id_number, code, field):
    confirmed(world)
    g.start_identity_check(actor=world.u_zhangsan, channel="sms")
    with pytest.raises(Invalid) as e:
        g.authorise(world.u_zhangsan, id_number=id_number, code=code)
    assert field in e.value.errors and "\u4e00" <= e.value.errors[field][0][0] <= "\u9fff"
    with pytest.raises(Invalid):
        g.start_identity_check(actor=world.u_zhangsan, channel="\x00" * 300)
    assert IdentityCheck.objects.get(graduate=world.zhangsan).attempts == 0


def test_an_invalid_graduate_may_not_authorise(world):
    confirmed(world)
    Graduate.objects.filter(pk=world.zhangsan.pk).update(is_valid=False)
    with pytest.raises(ReadOnly, match="失效"):
        g.start_identity_check(actor=world.u_zhangsan, channel="sms")


def test_after_the_public_window_closes_authorising_is_refused_but_last_years_cohort_may(world):
    old = f.graduate(world.cs, world.cs_major, graduation_year=2026)  # graduated 2026-06-30: window to 12-30
    user = graduate_user(old)
    with time_machine.travel("2026-11-28 10:00 +0800"):  # the cohort gate alone would allow it until January
        authorised(world, old)
    with time_machine.travel("2026-12-31 10:00 +0800"):
        with pytest.raises(ReadOnly, match="服务期已于2026年12月30日截止"):
            g.start_identity_check(actor=user, channel="sms")


@pytest.mark.parametrize("who", ["wang", "qian", "sun", "u_employer", "operator", "zhou"])
def test_only_the_graduate_authorises(world, who):
    with pytest.raises(Forbidden):
        g.start_identity_check(actor=getattr(world, who), channel="sms")
    with pytest.raises(Forbidden):
        g.authorise(getattr(world, who), id_number=world.zhangsan.id_number, code="123456")
    with pytest.raises(Forbidden):
        g.mine(getattr(world, who))


def test_another_provider_by_setting(world):
    confirmed(world)
    with override_settings(IDENTITY_PROVIDER="tests.verification.test_grants.AlwaysProvider"):
        grant = g.authorise(world.u_zhangsan, id_number="x", code="y")
        assert g.mine(world.u_zhangsan).provider.name == "测试认证"
    assert grant.provider == "always"


class AlwaysProvider(identity.IdentityProvider):
    key, name = "always", "测试认证"

    def pending(self, graduate):
        return None

    def finish(self, graduate, *, id_number, code, ip=None):
        return identity.Result(True, self.key)


# ---- important changes end the grant -------------------------------------------------------------------------

def test_an_important_change_ends_the_grant_and_the_graduate_may_authorise_after_confirming(world):
    grant = authorised(world)
    write_record(actor=world.wang, module=ARCHIVE, graduate_id=world.zhangsan.pk, data=info(ARCHIVE))
    grant.refresh_from_db()
    assert grant.ended_at is not None and grant.ended_reason == "档案信息的重要字段已变更"
    assert status(world.zhangsan) == expression_status(world.zhangsan) == GS.UNCONFIRMED
    events = timeline(g.ITEM_TYPE, grant.pk, grant.school_id)
    assert [(e.action, e.from_state, e.to_state, e.actor_id) for e in events][-1] == (
        "end", GS.ACTIVE, GS.UNCONFIRMED, None)
    m = g.mine(world.u_zhangsan)
    assert m.code == "" and not m.may_authorise  # 登记确认 went back to 未确认 at the same time
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61)):
        c.confirm(actor=world.u_zhangsan, correct=True)
        again = authorised(world, confirm=False)
    assert again.ended_at is None and status(world.zhangsan) == GS.ACTIVE


def test_confirming_wrong_ends_the_grant_and_the_code_stops_verifying(world):
    grant = authorised(world)
    ask = dict(name=world.zhangsan.name, code=grant.code, ip="10.3.0.1", method="name_code")
    assert lookup.by_name_and_code("archive", **ask) is not None
    c.confirm(actor=world.u_zhangsan, correct=False, description="单位名称写错了")
    grant.refresh_from_db()
    assert grant.ended_at is not None and grant.ended_reason == "毕业生确认登记信息有误"
    assert status(world.zhangsan) == expression_status(world.zhangsan) == GS.UNCONFIRMED
    assert timeline(g.ITEM_TYPE, grant.pk, grant.school_id)[-1].action_label == "确认有误，核验授权终止"
    assert lookup.by_name_and_code("archive", **ask) is None
    assert verify_all()[1] == []


def test_a_cleared_destination_ends_the_grant(world):
    """A void, a termination or 失效 clears EMS's destination: what was confirmed is gone, so is the grant."""
    grant = authorised(world)
    ReportedDestination.objects.filter(graduate=world.zhangsan).update(source_type="signing", source_id=77)
    sync.clear_destination({"graduate_id": world.zhangsan.pk, "signing_id": 77})
    grant.refresh_from_db()
    assert grant.ended_at is not None and grant.ended_reason == "就业管理系统中的毕业去向已清除"
    assert status(world.zhangsan) == GS.UNCONFIRMED
    assert lookup.by_name_and_code("archive", name=world.zhangsan.name, code=grant.code, ip="10.3.0.2",
                                   method="name_code") is None


def test_a_batch_import_ends_many_grants_through_the_bulk_signal(world):
    gs = [f.graduate(world.cs, world.cs_major) for _ in range(3)]
    grants = [authorised(world, gr) for gr in gs]
    imp = run(world.wang, ARCHIVE, [row_of(gr, ARCHIVE) for gr in gs])
    assert imp.errors == [] or imp.errors is None
    ended = VerificationGrant.objects.filter(pk__in=[gr.pk for gr in grants], ended_at__isnull=False)
    assert ended.count() == 3
    assert all(status(gr) == GS.UNCONFIRMED for gr in gs)


def test_a_graduate_moved_to_another_department_carries_the_grant(world):
    grant = authorised(world)
    graduate_update(actor=world.qian, graduate_id=world.zhangsan.pk,
                    changes={"department": world.fl, "major": world.fl_major})
    grant.refresh_from_db()
    assert grant.department_id == world.fl.pk


@override_settings(IDENTITY_FAILS_PER_ADDRESS=2)
def test_failures_are_counted_per_client_address_across_graduates(world):
    other = f.graduate(world.cs, world.cs_major)
    for graduate in (world.zhangsan, other):
        confirmed(world, graduate)
        g.start_identity_check(actor=graduate_user(graduate), channel="sms", ip="10.9.9.9")
        with pytest.raises(DomainError, match=identity.MISMATCH):
            g.authorise(graduate_user(graduate), id_number=world.lisi.id_number, code=last_code(), ip="10.9.9.9")
    with pytest.raises(DomainError, match="失败次数过多"):  # even the right pair, from that address
        g.authorise(world.u_zhangsan, id_number=world.zhangsan.id_number, code=last_code(world.zhangsan.phone),
                    ip="10.9.9.9")
    g.authorise(world.u_zhangsan, id_number=world.zhangsan.id_number, code=last_code(world.zhangsan.phone),
                ip="10.1.1.1")
    assert status(world.zhangsan) == GS.ACTIVE


class NeverProvider(AlwaysProvider):
    def finish(self, graduate, *, id_number, code, ip=None):
        return identity.Result(False, "never")


def test_a_provider_refusing_without_a_reason_still_answers_in_chinese(world):
    confirmed(world)
    with override_settings(IDENTITY_PROVIDER="tests.verification.test_grants.NeverProvider"):
        with pytest.raises(DomainError, match="实人认证未通过"):
            g.authorise(world.u_zhangsan, id_number="x", code="y")
    assert not VerificationGrant.objects.exists()
