"""One live destination (SPEC 3) across signing, 补登 and 去向登记.

Decisions tested here (docs: the module's guide): a registration or 补登 in review holds the graduate as a
signing in review does; a 未就业 report holds no one, and is voided by the platform (supersede, recorded,
EMS told) when another destination becomes live.
"""
from __future__ import annotations

import pytest

from gradreg.common.errors import Conflict
from gradreg.destinations import services
from gradreg.destinations.models import REGISTRATION_STATES, PaperAgreement, Registration
from gradreg.destinations.models import PaperStatus as PS
from gradreg.destinations.models import RegistrationStatus as R
from gradreg.ems.models import ReportedDestination
from gradreg.signing import services as signing_services
from gradreg.signing.models import Signing
from gradreg.signing.models import SigningStatus as S
from gradreg.workflow.models import AuditEvent, OutboxEvent
from gradreg.workflow.outbox import deliver_pending
from tests.destinations.conftest import (
    CONTRACT,
    JOB_SEEKING,
    PAPER_KEY,
    POSTGRADUATE,
    SIGNING_IN_PROGRESS,
    act,
    actions,
    approve,
    data_for,
    paper_in,
    registration_in,
    submit,
    timeline,
)
from tests.signing.conftest import act as signing_act
from tests.signing.conftest import apply_offline, invite, signing_in
from tests.workflow.harness import race

pytestmark = pytest.mark.usefixtures("signing_env")

HOLDING = sorted(REGISTRATION_STATES.holding())
NOT_HOLDING = sorted(set(R.values) - set(HOLDING))


def _blocked(run) -> Conflict:
    with pytest.raises(Conflict) as exc:
        run()
    assert exc.value.code == "live_destination", exc.value.message
    return exc.value


def test_in_flight_and_approved_hold_the_rest_does_not():
    assert set(HOLDING) == {R.WAIT_DEPT, R.WAIT_SCHOOL, R.RETURNED, R.WITHDRAWN, R.APPROVED}
    assert set(NOT_HOLDING) == {R.REJECTED, R.VOIDED}


@pytest.mark.parametrize("state", HOLDING)
def test_a_registration_holds_against_every_other_destination(world, state):
    held = registration_in(world, state)
    me = world.u_zhangsan
    invitation = invite(world)
    counts = (Registration.objects.count(), PaperAgreement.objects.count(), Signing.objects.count())
    first = _blocked(lambda: submit(me, CONTRACT))
    assert "境内升学（考研）" in first.message
    assert ("作废" in first.message) if state == R.APPROVED else ("正在办理中" in first.message)
    _blocked(lambda: submit(me, PAPER_KEY))
    _blocked(lambda: submit(me, JOB_SEEKING))  # nor a 未就业 report over a live destination
    _blocked(lambda: apply_offline(world))
    _blocked(lambda: signing_services.signing_act(actor=me, pk=invitation.pk, action="agree"))
    invitation.refresh_from_db()
    assert invitation.status == S.INVITED
    assert (Registration.objects.count(), PaperAgreement.objects.count(), Signing.objects.count()) == counts
    held.refresh_from_db()
    assert held.status == state


@pytest.mark.parametrize("state", [PS.WAIT_DEPT, PS.RETURNED, PS.APPROVED])
def test_a_paper_agreement_holds_as_well(world, state):
    paper_in(world, state)
    _blocked(lambda: submit(world.u_zhangsan, POSTGRADUATE))
    _blocked(lambda: signing_services.signing_act(actor=world.u_zhangsan, pk=invite(world).pk, action="agree"))


@pytest.mark.parametrize("state", [S.AGREED, S.ONLINE_WAIT_SCHOOL, S.SIGNED])
def test_a_signing_holds_against_a_registration_and_a_paper_agreement(world, state):
    signing_in(world, state)
    for key in (POSTGRADUATE, PAPER_KEY, JOB_SEEKING):
        e = _blocked(lambda k=key: submit(world.u_zhangsan, k))
        assert "某某科技有限公司" in e.message
    assert Registration.objects.count() == PaperAgreement.objects.count() == 0


@pytest.mark.parametrize("state", NOT_HOLDING)
def test_an_ended_registration_frees_the_graduate(world, state):
    registration_in(world, state)
    assert submit(world.u_zhangsan, CONTRACT).status == R.WAIT_DEPT


def test_an_ended_registration_frees_the_graduate_to_sign(world):
    registration_in(world, R.REJECTED)
    s = signing_services.signing_act(actor=world.u_zhangsan, pk=invite(world).pk, action="agree")
    assert s.status == S.AGREED


def test_a_registration_excludes_only_itself_when_it_moves(world):
    """Resubmitting a withdrawn registration is not blocked by that very registration."""
    item = registration_in(world, R.WITHDRAWN)
    assert act(world.u_zhangsan, item, "resubmit").status == R.WAIT_DEPT


def test_approving_a_registration_after_a_foreign_holder_appeared_is_refused(world):
    """The approval checks again: an item that would become live while another holds is not approvable."""
    item = registration_in(world, R.WAIT_SCHOOL)
    # a 补登 slipped in beside it (a migration, an import): the database lets a second module's row exist
    paper = PaperAgreement.objects.create(**{f.name: getattr(item, f.name) for f in PaperAgreement._meta.fields
                                             if f.name not in {"id", "created_at", "updated_at", "status"}},
                                          status=PS.WAIT_SCHOOL)
    with pytest.raises(Conflict):
        act(world.qian, item, "approve")
    with pytest.raises(Conflict):
        act(world.qian, paper, "approve")
    item.refresh_from_db()
    assert item.status == R.WAIT_SCHOOL


# ---- 未就业 holds no one and gives way ------------------------------------------------------------------

def _unemployed(world, key: str = JOB_SEEKING, *, approved: bool = True) -> Registration:
    item = submit(world.u_zhangsan, key)
    assert item.unemployed and item.status == R.WAIT_DEPT
    return approve(world, item) if approved else item


def _superseded(report: Registration, *, reported: bool) -> None:
    report.refresh_from_db()
    assert report.status == R.VOIDED and report.voided_at
    last = timeline(report)[-1]
    assert (last.action, last.to_state) == ("supersede", R.VOIDED)
    assert "未就业登记自动作废" in last.reason
    voided = OutboxEvent.objects.filter(topic="ems.destination_voided", idempotency_key=f"registration:{report.pk}:voided")
    assert voided.count() == (1 if reported else 0)
    if reported:
        assert voided.get().payload["source_id"] == report.pk


@pytest.mark.parametrize("key", [JOB_SEEKING, SIGNING_IN_PROGRESS])
def test_an_approved_unemployed_report_gives_way_to_a_signing(world, key):
    report = _unemployed(world, key)
    deliver_pending()
    assert ReportedDestination.objects.get(graduate=world.zhangsan).source_id == report.pk
    invitation = invite(world)
    s = signing_services.signing_act(actor=world.u_zhangsan, pk=invitation.pk, action="agree")
    assert s.status == S.AGREED
    report.refresh_from_db()
    assert report.status == R.APPROVED  # still there while the signing is reviewed
    signing_act(world.wang, s, "approve")
    signing_act(world.qian, s, "approve")
    s.refresh_from_db()
    assert s.status == S.SIGNED
    _superseded(report, reported=True)
    deliver_pending()
    held = ReportedDestination.objects.get(graduate=world.zhangsan)
    assert (held.source_type, held.source_id) == ("signing", s.pk)
    assert actions(report) == ["submit", "approve", "approve", "supersede"]


def test_an_in_flight_unemployed_report_gives_way_too_and_ems_hears_nothing_of_it(world):
    report = _unemployed(world, approved=False)
    s = signing_services.signing_act(actor=world.u_zhangsan, pk=invite(world).pk, action="agree")
    signing_act(world.wang, s, "approve")
    signing_act(world.qian, s, "approve")
    _superseded(report, reported=False)


@pytest.mark.parametrize("key", [PAPER_KEY, POSTGRADUATE])
def test_an_approved_unemployed_report_gives_way_to_a_paper_agreement_or_a_registration(world, key):
    report = _unemployed(world)
    item = approve(world, submit(world.u_zhangsan, key))
    assert item.status == R.APPROVED == PS.APPROVED
    _superseded(report, reported=True)
    deliver_pending()
    held = ReportedDestination.objects.get(graduate=world.zhangsan)
    assert (held.source_type, held.source_id) == (item.source_type, item.pk)
    assert held.agreement_no == item.details.get("paper_no", "")


def test_an_unemployed_report_does_not_supersede_anything(world):
    """Approving a 未就业 report is no new live destination: nothing gives way, nothing is held."""
    report = _unemployed(world)
    assert not AuditEvent.objects.filter(action="supersede").exists()
    # …and the graduate may still agree to an invitation
    assert signing_services.signing_act(actor=world.u_zhangsan, pk=invite(world).pk, action="agree").status == S.AGREED
    report.refresh_from_db()
    assert report.status == R.APPROVED


def test_a_second_unemployed_report_is_refused_clearly(world):
    first = _unemployed(world)
    with pytest.raises(Conflict) as exc:
        submit(world.u_zhangsan, SIGNING_IN_PROGRESS)
    assert exc.value.code == "unemployed_report"
    assert exc.value.message.startswith("您已登记“未就业（求职中）”（审核通过,已登记），不能同时登记两份未就业情况。")
    act(world.u_zhangsan, first, "void")
    assert submit(world.u_zhangsan, SIGNING_IN_PROGRESS).status == R.WAIT_DEPT


def test_a_rejected_signing_leaves_the_unemployed_report_alone(world):
    report = _unemployed(world)
    s = signing_services.signing_act(actor=world.u_zhangsan, pk=invite(world).pk, action="agree")
    signing_act(world.wang, s, "reject", reason="单位信息不实", category="other")
    report.refresh_from_db()
    assert report.status == R.APPROVED


# ---- races (PostgreSQL: row locks across connections) ---------------------------------------------------

@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("keys", [(POSTGRADUATE, CONTRACT), (POSTGRADUATE, PAPER_KEY), (CONTRACT, CONTRACT)])
def test_two_submissions_at_the_same_moment_exactly_one_wins(world, keys):
    a, b = keys
    results = race(lambda: submit(world.u_zhangsan, a, data=data_for(a)),
                    lambda: submit(world.u_zhangsan, b, data=data_for(b)))
    assert results == ["Conflict", "ok"]
    held = (Registration.objects.filter(graduate=world.zhangsan).count()
            + PaperAgreement.objects.filter(graduate=world.zhangsan).count())
    assert held == 1
    assert AuditEvent.objects.filter(action="submit").count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_submission_and_an_agreement_at_the_same_moment_exactly_one_wins(world):
    invitation = invite(world)
    results = race(lambda: submit(world.u_zhangsan, POSTGRADUATE),
                    lambda: signing_services.signing_act(actor=world.u_zhangsan, pk=invitation.pk, action="agree"))
    assert results == ["Conflict", "ok"]
    invitation.refresh_from_db()
    assert (Registration.objects.count() == 1) != (invitation.status == S.AGREED)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("other", [POSTGRADUATE, PAPER_KEY])
def test_two_approvals_racing_leave_one_live_destination(world, other):
    """A 未就业 report and a destination both wait for the school; both approvals race.

    Whatever the order, the graduate ends with the destination live and no current 未就业 report, and the
    loser (if any) is told by a Conflict, never by a deadlock."""
    report = _unemployed(world, approved=False)
    act(world.wang, report, "approve")
    item = submit(world.u_zhangsan, other)
    act(world.wang, item, "approve")
    results = race(lambda: act(world.qian, report, "approve"), lambda: act(world.qian, item, "approve"))
    assert set(results) <= {"ok", "Conflict"}, results
    item.refresh_from_db()
    report.refresh_from_db()
    assert item.status == R.APPROVED  # same value in both vocabularies
    assert report.status == R.VOIDED
    assert AuditEvent.objects.filter(action="supersede", item_id=report.pk).count() == 1
    deliver_pending()
    held = ReportedDestination.objects.get(graduate=world.zhangsan)
    assert (held.source_type, held.source_id) == (item.source_type, item.pk)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_signing_approval_racing_an_unemployed_approval(world):
    report = _unemployed(world, approved=False)
    act(world.wang, report, "approve")
    s = signing_services.signing_act(actor=world.u_zhangsan, pk=invite(world).pk, action="agree")
    signing_act(world.wang, s, "approve")
    results = race(lambda: act(world.qian, report, "approve"), lambda: signing_act(world.qian, s, "approve"))
    assert set(results) <= {"ok", "Conflict"}, results
    s.refresh_from_db()
    report.refresh_from_db()
    assert s.status == S.SIGNED and report.status == R.VOIDED


def test_an_approved_unemployed_report_lets_the_graduate_apply_for_anything(world):
    report = _unemployed(world)
    assert apply_offline(world).status == S.DRAFT_WAIT_DEPT
    report.refresh_from_db()
    assert report.status == R.APPROVED


def test_a_withdrawn_registration_cannot_become_a_second_unemployed_report(world):
    report = _unemployed(world)
    item = submit(world.u_zhangsan, POSTGRADUATE)  # 未就业 holds no one: a destination may be filed beside it
    act(world.u_zhangsan, item, "withdraw")
    with pytest.raises(Conflict) as exc:
        services.resubmit(Registration, actor=world.u_zhangsan, pk=item.pk, type_key=SIGNING_IN_PROGRESS, data={})
    assert exc.value.code == "unemployed_report"
    act(world.u_zhangsan, item, "resubmit")
    with pytest.raises(Conflict) as exc:  # nor may a reviewer turn it into one
        services.reviewer_edit(Registration, actor=world.wang, pk=item.pk, type_key=SIGNING_IN_PROGRESS, data={})
    assert exc.value.code == "unemployed_report"
    report.refresh_from_db()
    assert report.status == R.APPROVED


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("move", ["edit", "resubmit"])
def test_a_change_to_an_unemployed_report_racing_a_destinations_approval(world, move):
    """The report's own move locks it, then the graduate; the approval locks the graduate's reports before the
    graduate. Either order ends with the destination live and the report voided, and no deadlock."""
    report = _unemployed(world, approved=False)
    if move == "edit":
        act(world.wang, report, "approve")
        change = lambda: services.reviewer_edit(Registration, actor=world.qian, pk=report.pk,  # noqa: E731
                                                type_key=SIGNING_IN_PROGRESS, data={})
    else:
        act(world.wang, report, "return", reason="请补充说明")
        change = lambda: services.resubmit(Registration, actor=world.u_zhangsan, pk=report.pk,  # noqa: E731
                                           type_key=SIGNING_IN_PROGRESS, data={})
    item = submit(world.u_zhangsan, POSTGRADUATE)
    act(world.wang, item, "approve")
    results = race(change, lambda: act(world.qian, item, "approve"))
    assert set(results) <= {"ok", "Conflict"}, results
    item.refresh_from_db()
    report.refresh_from_db()
    assert (item.status, report.status) == (R.APPROVED, R.VOIDED)
