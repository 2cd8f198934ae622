"""Who may see and touch a signing or a termination: scope, roles, invalidation and the cohort gate."""
from __future__ import annotations

import pytest
import time_machine

from gradreg.common.errors import DomainError, Forbidden, NotFound, ReadOnly
from gradreg.ems import services as ems
from gradreg.signing import selectors, services
from gradreg.signing.models import Signing, Termination
from gradreg.signing.models import SigningStatus as S
from gradreg.signing.models import TerminationStatus as TS
from gradreg.signing.selectors import ReviewFilters
from tests import factories as f
from tests.signing.conftest import (
    FLOWS,
    TERMS,
    act,
    actor_for,
    apply_offline,
    invite,
    second_employer,
    signing_in,
    state_of,
    termination_in,
)

pytestmark = pytest.mark.usefixtures("signing_env")

ALL_SIGNING_ACTIONS = sorted({t.action for fl in ("online_signing", "offline_signing")
                              for t in FLOWS[fl].workflow.transitions})
ALL_TERMINATION_ACTIONS = sorted({t.action for fl in ("online_termination", "offline_termination")
                                  for t in FLOWS[fl].workflow.transitions})


def assert_cannot_see(actor, s: Signing, t: Termination | None = None) -> None:
    before = state_of(s)
    with pytest.raises(NotFound):
        selectors.signing_get_for(actor, s.pk)
    assert not selectors.signings_visible_to(actor).filter(pk=s.pk).exists()
    for action in ALL_SIGNING_ACTIONS:
        with pytest.raises(NotFound):
            services.signing_act(actor=actor, pk=s.pk, action=action, reason="x", category="other")
    with pytest.raises(NotFound):
        services.signing_refresh_info(actor=actor, pk=s.pk) if actor.role in ("department", "school") else \
            selectors.signing_get_for(actor, s.pk, for_update=True)
    assert state_of(s) == before
    if t is not None:
        before = state_of(t)
        with pytest.raises(NotFound):
            selectors.termination_get_for(actor, t.pk)
        assert not selectors.terminations_visible_to(actor).filter(pk=t.pk).exists()
        for action in ALL_TERMINATION_ACTIONS:
            with pytest.raises(NotFound):
                services.termination_act(actor=actor, pk=t.pk, action=action, reason="x", category="other")
        assert state_of(t) == before


def test_employer_b_cannot_see_or_act_on_employer_a_signings(world):
    _, b = second_employer()
    invited = signing_in(world, S.INVITED, graduate=world.lisi)
    t = termination_in(world, TS.PENDING_OTHER, applicant="employer")
    assert_cannot_see(b, invited)
    assert_cannot_see(b, t.signing, t)
    with pytest.raises(NotFound):
        services.termination_apply(actor=b, signing_id=t.signing_id, reason="冒充")
    # and A sees its own
    assert set(selectors.signings_visible_to(world.u_employer).values_list("pk", flat=True)) == {invited.pk,
                                                                                                 t.signing_id}


def test_a_graduate_cannot_see_another_graduates_signings(world):
    t = termination_in(world, TS.PENDING_OTHER)
    offline = signing_in(world, S.DRAFT_WAIT_DEPT, graduate=world.lisi)
    assert_cannot_see(world.u_lisi, t.signing, t)
    assert_cannot_see(world.u_zhangsan, offline)
    with pytest.raises(NotFound):
        services.termination_apply(actor=world.u_lisi, signing_id=t.signing_id, reason="x")
    with pytest.raises(NotFound):
        services.offline_resubmit(actor=world.u_zhangsan, pk=offline.pk, data={})


@pytest.mark.parametrize("who", ["zhao", "sun", "beijing_official"])
def test_reviewers_out_of_scope_get_not_found(world, who):
    s = signing_in(world, S.ONLINE_WAIT_SCHOOL, graduate=world.lisi) if who != "zhao" else None
    t = termination_in(world, TS.WAIT_SCHOOL)
    assert_cannot_see(getattr(world, who), t.signing, t)
    if s is not None:
        assert_cannot_see(getattr(world, who), s)


@pytest.mark.parametrize("who", ["zhou", "operator"])
def test_province_and_operator_view_but_do_not_act(world, who):
    """The province sees its schools' items, the operator every item; neither reviews them."""
    actor = getattr(world, who)
    s = signing_in(world, S.AGREED)
    t = termination_in(world, TS.AGREED, graduate=world.lisi)
    assert selectors.signing_get_for(actor, s.pk) == s
    assert selectors.termination_get_for(actor, t.pk) == t
    before = state_of(s), state_of(t)
    for action in FLOWS[s.workflow_name].workflow.actions():
        with pytest.raises(Forbidden):
            services.signing_act(actor=actor, pk=s.pk, action=action, reason="x", category="other")
    for action in FLOWS[t.workflow_name].workflow.actions():
        with pytest.raises(Forbidden):
            services.termination_act(actor=actor, pk=t.pk, action=action, reason="x", category="other")
    with pytest.raises(Forbidden):
        services.signing_refresh_info(actor=actor, pk=s.pk)
    with pytest.raises(Forbidden):
        services.termination_apply(actor=actor, signing_id=t.signing_id, reason="x")
    assert (state_of(s), state_of(t)) == before
    # the review lists (在线签约管理, 解约管理) are the department's and the school's only
    with pytest.raises(Forbidden):
        selectors.signing_search(actor, ReviewFilters())
    with pytest.raises(Forbidden):
        selectors.termination_search(actor, ReviewFilters())


def test_review_lists_are_scoped(world):
    mine = signing_in(world, S.AGREED)
    theirs = signing_in(world, S.AGREED, graduate=world.lisi)
    assert list(selectors.signing_search(world.wang, ReviewFilters())) == [mine]
    assert set(selectors.signing_search(world.qian, ReviewFilters())) == {mine, theirs}
    assert list(selectors.signing_search(world.sun, ReviewFilters())) == []
    for who in ("u_zhangsan", "u_employer"):
        with pytest.raises(Forbidden):
            selectors.signing_search(getattr(world, who), ReviewFilters())


@pytest.mark.parametrize("who", ["u_zhangsan", "u_employer"])
def test_parties_cannot_refresh_review_info(world, who):
    s = signing_in(world, S.AGREED)
    with pytest.raises(Forbidden):
        services.signing_refresh_info(actor=getattr(world, who), pk=s.pk)


# ---- employers cannot enumerate graduates ------------------------------------------------------------

def _lookups(w):
    invalid = f.graduate(w.cs, w.cs_major, name="钱八")
    ems.graduate_invalidate(actor=w.qian, graduate_id=invalid.pk, reason="退学")
    old = f.graduate(w.cs, w.cs_major, name="周九", graduation_year=2025)
    return {
        "unknown id": dict(name="张三", id_number="110101199001011237"),
        "right id, wrong name": dict(name="张四", id_number=w.zhangsan.id_number),
        "right name, wrong exam no": dict(name="张三", exam_no="27440101999999"),
        "invalid graduate": dict(name="钱八", id_number=invalid.id_number),
        "last-but-one cohort": dict(name="周九", id_number=old.id_number),
        "last-but-one cohort by exam no": dict(name="周九", exam_no=old.exam_no),
    }


def test_lookup_failures_all_answer_alike(world):
    answers = set()
    for case, kw in _lookups(world).items():
        with pytest.raises(DomainError) as exc:
            services.find_graduate_for_invitation(actor=world.u_employer, **kw)
        answers.add((type(exc.value), exc.value.code, exc.value.message, exc.value.field))
        with pytest.raises(DomainError) as exc2:
            services.invitation_create(actor=world.u_employer, terms=TERMS, **kw)
        assert (type(exc2.value), exc2.value.code, exc2.value.message) == (
            type(exc.value), exc.value.code, exc.value.message), case
    assert answers == {(DomainError, "graduate_not_found", services.NOT_FOUND, "name")}
    assert Signing.objects.count() == 0
    # the right pair finds the graduate, by ID number or by 考生号, whatever the ID's letter case
    assert services.find_graduate_for_invitation(actor=world.u_employer, name="张三",
                                                 id_number=world.zhangsan.id_number.lower()) == world.zhangsan
    assert services.find_graduate_for_invitation(actor=world.u_employer, name=" 张三 ",
                                                 exam_no=world.zhangsan.exam_no) == world.zhangsan


def test_lookup_is_throttled_after_twenty_failures(world):
    _, b = second_employer()
    for _ in range(services.LOOKUP_FAILS_PER_HOUR):
        with pytest.raises(DomainError) as exc:
            services.find_graduate_for_invitation(actor=world.u_employer, name="张四", id_number=world.zhangsan.id_number)
        assert exc.value.code == "graduate_not_found"
    assert services.LOOKUP_FAILS_PER_HOUR == 20
    # the 21st try is refused even with the right pair, and so is an invitation
    with pytest.raises(DomainError) as exc:
        services.find_graduate_for_invitation(actor=world.u_employer, name="张三", id_number=world.zhangsan.id_number)
    assert exc.value.code == "throttled"
    with pytest.raises(DomainError) as exc:
        invite(world)
    assert exc.value.code == "throttled"
    # another employer is not held back by the first one's failures
    assert services.find_graduate_for_invitation(actor=b, name="张三", id_number=world.zhangsan.id_number)
    # an hour later the employer may try again
    with time_machine.travel("2026-11-28 11:01 +0800"):
        assert services.find_graduate_for_invitation(actor=world.u_employer, name="张三",
                                                     id_number=world.zhangsan.id_number) == world.zhangsan


@pytest.mark.parametrize("who", ["u_zhangsan", "wang", "qian", "zhou", "operator"])
def test_only_employers_look_up_graduates(world, who):
    with pytest.raises(Forbidden):
        services.find_graduate_for_invitation(actor=getattr(world, who), name="张三", id_number=world.zhangsan.id_number)


# ---- 失效 freezes everything; the cohort gate -------------------------------------------------------

FROZEN_SIGNINGS = [S.INVITED, S.AGREED, S.ONLINE_WAIT_SCHOOL, S.DRAFT_WAIT_DEPT, S.DRAFT_RETURNED, S.AWAIT_UPLOAD,
                   S.UPLOAD_WAIT_DEPT, S.UPLOAD_WAIT_SCHOOL, S.SIGNED]


def _every_legal_move(world, obj, flow):
    """(actor, action) for every move the table allows from the item's state."""
    for t in flow.workflow.transitions:
        if obj.status in t.source:
            for role in t.roles - {"system"}:
                yield actor_for(world, role, obj), t.action


@pytest.mark.parametrize("state", FROZEN_SIGNINGS)
def test_invalid_graduate_signing_is_frozen_until_restored(world, state):
    s = signing_in(world, state)
    flow = FLOWS[s.workflow_name]
    ems.graduate_invalidate(actor=world.qian, graduate_id=world.zhangsan.pk, reason="从就业管理系统名单中删除")
    before = state_of(s)
    moves = list(_every_legal_move(world, s, flow))
    if state == S.INVITED:
        assert {a for _, a in moves} == {"withdraw", "decline", "agree"}
    for actor, action in moves:
        with pytest.raises(ReadOnly) as exc:
            act(actor, s, action)
        assert "失效" in exc.value.message
    if state in {S.AGREED, S.ONLINE_WAIT_SCHOOL, S.DRAFT_WAIT_DEPT, S.UPLOAD_WAIT_DEPT, S.UPLOAD_WAIT_SCHOOL}:
        reviewer = world.wang if state in {S.AGREED, S.DRAFT_WAIT_DEPT, S.UPLOAD_WAIT_DEPT} else world.qian
        with pytest.raises(ReadOnly):
            services.signing_refresh_info(actor=reviewer, pk=s.pk)
    if state == S.SIGNED:
        for who in ("u_zhangsan", "u_employer"):
            with pytest.raises(ReadOnly):
                services.termination_apply(actor=getattr(world, who), signing_id=s.pk, reason="x")
        assert not Termination.objects.exists()
    assert state_of(s) == before
    # still visible, read-only
    assert selectors.signing_get_for(world.u_zhangsan, s.pk) == s
    ems.graduate_restore(actor=world.qian, graduate_id=world.zhangsan.pk)
    if state == S.SIGNED:  # the only moves from 签约成功 are a termination's
        assert services.termination_apply(actor=world.u_zhangsan, signing_id=s.pk, reason="x").status
        return
    actor, action = moves[0]
    act(actor, s, action)
    s.refresh_from_db()
    assert s.status != before[0]


@pytest.mark.parametrize("state, online", [(TS.PENDING_OTHER, True), (TS.AGREED, True), (TS.WAIT_SCHOOL, True),
                                           (TS.OFFLINE_WAIT_DEPT, False), (TS.RETURNED, False)])
def test_invalid_graduate_termination_is_frozen(world, state, online):
    t = termination_in(world, state, online=online)
    flow = FLOWS[t.workflow_name]
    ems.graduate_invalidate(actor=world.qian, graduate_id=world.zhangsan.pk, reason="删除")
    before = state_of(t)
    moves = list(_every_legal_move(world, t, flow))
    assert moves
    for actor, action in moves:  # the freeze is checked before anything else, the parties' guard included
        with pytest.raises(ReadOnly):
            act(actor, t, action)
    assert state_of(t) == before
    ems.graduate_restore(actor=world.qian, graduate_id=world.zhangsan.pk)
    actor, action = next((a, m) for a, m in moves if m in {"approve", "cancel", "resubmit"} and a.role != "employer")
    act(actor, t, action)
    t.refresh_from_db()
    assert t.status != state


def test_invalid_graduate_cannot_start_anything(world):
    ems.graduate_invalidate(actor=world.qian, graduate_id=world.zhangsan.pk, reason="删除")
    with pytest.raises(ReadOnly):
        apply_offline(world)
    with pytest.raises(DomainError) as exc:
        invite(world)
    assert exc.value.code == "graduate_not_found"  # an employer learns nothing about the roster
    assert Signing.objects.count() == 0


def test_older_cohort_is_read_only(world):
    old = f.graduate(world.cs, world.cs_major, name="周九", graduation_year=2025)
    f.user("zhoujiu", "graduate", graduate=old, display_name="周九")
    with time_machine.travel("2024-11-28 10:00 +0800", tick=False):
        s = signing_in(world, S.AGREED, graduate=old)
    before = state_of(s)
    for action, who in (("approve", world.wang), ("reject", world.wang)):
        with pytest.raises(ReadOnly) as exc:
            act(who, s, action)
        assert "2025届为往届毕业生" in exc.value.message
    with pytest.raises(ReadOnly):
        services.signing_refresh_info(actor=world.wang, pk=s.pk)
    assert state_of(s) == before
    assert selectors.signing_get_for(world.wang, s.pk) == s


def test_last_years_cohort_may_act_until_31_january(world):
    last = f.graduate(world.cs, world.cs_major, name="吴十", graduation_year=2026)
    f.user("wushi", "graduate", graduate=last, display_name="吴十")
    s = signing_in(world, S.AGREED, graduate=last)
    with time_machine.travel("2027-01-31 23:00 +0800", tick=False):
        act(world.wang, s, "approve")
    with time_machine.travel("2027-02-01 00:01 +0800", tick=False):
        with pytest.raises(ReadOnly) as exc:
            act(world.qian, s, "approve")
        assert "2026届毕业生的办理期限已于2027年1月31日截止" in exc.value.message
    s.refresh_from_db()
    assert s.status == S.ONLINE_WAIT_SCHOOL
