"""What registrations and 补登 contribute to "one live destination" (SPEC 3), and what gives way to a new one.

Decisions (docs/destinations.md):
- A registration or 补登 in review (or withdrawn, or returned) holds the graduate, as a signing in
  review does: two applications that would both become live are never both approvable.
- A 未就业 report (求职中, 签约中…) holds no one: the graduate may agree to an invitation, apply for a
  signing, a 补登 or a registration while it stands. When any of those becomes live, the report is
  voided by the platform (recorded, EMS told), so a graduate who is 签约中 signs without voiding by hand.
"""
from __future__ import annotations

from gradreg.workflow.engine import move

from .flows import workflow_of
from .models import PAPER_STATES, REGISTRATION_STATES, DestinationItem, PaperAgreement, Registration


def _describe(item: DestinationItem) -> str:
    what = "补登" if isinstance(item, PaperAgreement) else "去向登记"
    if item.status == "approved":
        return (f"您已登记毕业去向“{item.type_label}”，不能再签约或登记其他去向。"
                f"如需变更，请先在{what}详情页作废该去向。")
    return (f"您的{what}“{item.type_label}”正在办理中（{item.get_status_display()}），不能同时办理另一去向。"
            "请等待审核结果，或撤回并撤销该登记后再办理。")


def _holds(model, states):
    def source(graduate, exclude) -> str | None:
        qs = model.objects.filter(school_id=graduate.school_id, graduate_id=graduate.pk,
                                  status__in=states.holding(), unemployed=False)
        if isinstance(exclude, model):
            qs = qs.exclude(pk=exclude.pk)
        held = qs.only("id", "status", "destination_type", "subtype").first()
        return _describe(held) if held else None
    return source


registration_holds = _holds(Registration, REGISTRATION_STATES)
paper_holds = _holds(PaperAgreement, PAPER_STATES)


def supersede_unemployed(graduate, item, actor) -> None:
    """A new live destination: the graduate's current 未就业 report is voided by the platform (audited).

    Runs inside the move that made `item` live (its transaction); a destination of this module locked the
    reports already (`flows.approve`) and says which, so none means no second read."""
    if getattr(item, "locked_reports", None) == []:
        return
    reports = Registration.objects.select_for_update().filter(
        school_id=graduate.school_id, graduate_id=graduate.pk, unemployed=True,
        status__in=REGISTRATION_STATES.holding())
    if isinstance(item, Registration):
        reports = reports.exclude(pk=item.pk)
    for report in reports:
        move(workflow_of(report), report, action="supersede", actor=actor,
             reason=f"新的毕业去向已生效（{_what(item)}），未就业登记自动作废")


def _what(item) -> str:
    if isinstance(item, DestinationItem):
        return item.type_label
    return f"签约：{getattr(item, 'employer_name', '')}"
