"""The two tables of this module: 去向登记 (seed 3.5, SPEC 4.6) and 补登 (SPEC 4.3), one shape.

The graduate submits; 院系 then 学校 review (通过 / 退回修改 / 不通过); before any review the graduate
may withdraw and edit, after 退回修改 edit and resubmit, and give up either (撤销); after 不通过 the
registration is void and the graduate starts again. Once approved the graduate may void it (作废)
without review. A reviewer may change the destination while it waits for them ("修改去向"), and the
school may change an approved one at the department's request (EMS holds it read-only: seed 7).
Only the engine assigns `status`.
"""
from __future__ import annotations

from typing import Any

from django.utils import timezone

from gradreg.common.errors import Conflict
from gradreg.common.roles import Role
from gradreg.common.uploads import discard_on_commit
from gradreg.roster.changes import changed_fields, important_view, tell
from gradreg.roster.gates import ensure_may_file_destination
from gradreg.roster.live import became_live, ensure_no_live_destination
from gradreg.roster.review import apply_refresh, capture_graduate, key_fields_agree
from gradreg.workflow.engine import INITIAL, SYSTEM, Context, T, Workflow, register
from gradreg.workflow.review import AUDIT, two_level_review

from .models import (
    CURRENT,
    PAPER_STATES,
    REGISTRATION_STATES,
    PaperAgreement,
    PaperStatus,
    Registration,
    RegistrationStatus,
)
from .payloads import destination_payload, void_payload
from .selectors import paper_get_for, registration_get_for

G, D, SC = Role.GRADUATE, Role.DEPARTMENT, Role.SCHOOL

TOPIC_REPORTED = "ems.destination_reported"
TOPIC_VOIDED = "ems.destination_voided"


# ---- effects --------------------------------------------------------------------------------------

def hold_graduate(ctx: Context) -> None:
    """Lock the graduate; the training-mode gate; one live destination (a 未就业 report holds no one, but
    may not be filed over a live destination either)."""
    item = ctx.obj
    graduate = item.graduate
    ensure_may_file_destination(graduate, item.destination_type)
    ensure_no_live_destination(graduate, exclude=item)
    if item.unemployed:
        _one_unemployed_report(item)


def _one_unemployed_report(item) -> None:
    """A graduate reports one 未就业 situation at a time (the database's `registration_one_unemployed` too):
    said here, in words, under the graduate's lock."""
    others = Registration.objects.filter(school_id=item.school_id, graduate_id=item.graduate_id, unemployed=True,
                                         status__in=CURRENT)
    held = others.exclude(pk=item.pk).first() if item.pk else others.first()
    if held is not None:
        raise Conflict(f"您已登记“{held.type_label}”（{held.get_status_display()}），不能同时登记两份未就业情况。"
                       "如情况有变，请先作废（或撤回并撤销）该登记后再登记。", code="unemployed_report")


def apply_changes(ctx: Context) -> None:
    """The clean columns a service validated (a resubmission, or a reviewer's 修改去向)."""
    item = ctx.obj
    before = important_view({**_columns(item), **item.details})
    for name, value in ctx.data.pop("changes", {}).items():
        setattr(item, name, value)
        ctx.changed_fields.add(name)
    ctx.data["important"] = changed_fields(before, important_view({**_columns(item), **item.details}))


def _columns(item) -> dict[str, Any]:
    return {f: getattr(item, f) for f in ("destination_type", "subtype", "destination_code", "unit_name", "credit_code",
                                          "region", "archive_unit", "archive_address", "hukou_unit", "hukou_address")}


def record_proof(ctx: Context) -> None:
    """A new proof file (stored by the service) replaces the last one, which leaves storage once this move
    commits (a refused move keeps it); its hash stays in the audit trail."""
    proof = ctx.data.get("proof")
    if proof:
        if ctx.obj.proof_file and ctx.obj.proof_file != proof["file"]:
            discard_on_commit(ctx.obj.proof_file)
        for name in ("proof_file", "proof_content_type", "proof_sha256"):
            setattr(ctx.obj, name, proof[name.removeprefix("proof_") if name != "proof_file" else "file"])
            ctx.changed_fields.add(name)
        ctx.data["proof"] = {"sha256": proof["sha256"]}


def approve(ctx: Context) -> None:
    """已登记: it becomes the live destination (the graduate's row locked again), and goes to EMS at once.

    Locks are taken in one order: an item's own row, the graduate's 未就业 reports, then the graduate. A move of
    a report (its approval, a 修改去向, a resubmission) holds the report and then, at most, asks for the graduate;
    so the destination approved here, which voids those reports (supersede), locks them before the graduate,
    never after. A 未就业 report becomes no live destination: its approval locks only its own row."""
    item = ctx.obj
    if not item.unemployed:
        _lock_unemployed_reports(item)
        ensure_no_live_destination(item.graduate, exclude=item)  # locks the graduate
    item.approved_at = timezone.now()
    ctx.changed_fields.add("approved_at")
    ctx.emit(TOPIC_REPORTED, f"{item.source_type}:{item.pk}:approved", destination_payload(item))
    if not item.unemployed:
        became_live(item.graduate, item, ctx.actor)
    tell(type(item), graduate=item.graduate, item=item, kind="destination",
         fields=important_view({**_columns(item), **item.details}).keys(), live=not item.unemployed)


def _lock_unemployed_reports(item) -> None:
    """The graduate's current 未就业 reports, locked (they give way to this destination once it is approved)."""
    reports = Registration.objects.select_for_update().filter(
        school_id=item.school_id, graduate_id=item.graduate_id, unemployed=True, status__in=CURRENT)
    if isinstance(item, Registration):
        reports = reports.exclude(pk=item.pk)
    # what `live.supersede_unemployed` will void: none (the usual case) spares it a second read
    item.locked_reports = list(reports.values_list("pk", flat=True))


def report_edit(ctx: Context) -> None:
    """The school changed an approved destination: EMS receives it again (a key of its own per edit)."""
    item = ctx.obj
    now = timezone.now()
    ctx.emit(TOPIC_REPORTED, f"{item.source_type}:{item.pk}:edit:{now.timestamp()}", destination_payload(item))
    tell(type(item), graduate=item.graduate, item=item, kind="destination", fields=ctx.data.get("important", ()),
         live=not item.unemployed)


def mark_edited(ctx: Context) -> None:
    ctx.obj.reviewer_edited_at = timezone.now()
    ctx.changed_fields.add("reviewer_edited_at")


def void(ctx: Context) -> None:
    """作废: EMS clears the destination this very item reported (a later one of another item stays)."""
    item = ctx.obj
    was_reported = item.approved_at is not None
    item.voided_at = timezone.now()
    ctx.changed_fields.add("voided_at")
    if was_reported:
        ctx.emit(TOPIC_VOIDED, f"{item.source_type}:{item.pk}:voided", void_payload(item))
        tell(type(item), graduate=item.graduate, item=item, kind="destination",
             fields=important_view({**_columns(item), **item.details}).keys())


# ---- notifications ----------------------------------------------------------------------------------

def notify_graduate(ctx: Context):
    """Results, and a reviewer's 修改去向, go to the graduate ("去向登记信息被修改", seed 8)."""
    item = ctx.obj
    account = getattr(item.graduate, "account", None)
    if account is None or ctx.actor == account:
        return
    what = "补登" if isinstance(item, PaperAgreement) else "去向登记"
    if ctx.transition.action == "edit":
        title = f"{what}信息被修改"
        body = ctx.reason or f"审核人员修改了您的{what}信息，请查看。"
    else:
        title, body = f"{what}（{item.type_label}）：{item.get_status_display()}", ctx.reason
    yield {"recipient": account, "title": title, "body": body, "url_name": item.detail_url_name, "url_args": [item.pk]}


# ---- the tables ----------------------------------------------------------------------------------------

def _table(model, states, get_for, vocabulary, name: str, title: str) -> Workflow:
    v = vocabulary
    in_flight = {v.WAIT_DEPT, v.WAIT_SCHOOL, v.RETURNED, v.WITHDRAWN}
    return register(Workflow(name=name, title=title, model=model, states=states, get_for=get_for, gates=("graduate",),
                             transitions=[
        T("submit", INITIAL, v.WAIT_DEPT, {G}, label="提交", effects=(hold_graduate, capture_graduate, record_proof)),
        T("withdraw", v.WAIT_DEPT, v.WITHDRAWN, {G}, label="撤回修改"),
        T("resubmit", {v.WITHDRAWN, v.RETURNED}, v.WAIT_DEPT, {G}, label="修改后重新提交",
          effects=(apply_changes, record_proof, hold_graduate, capture_graduate)),
        T("abandon", {v.WITHDRAWN, v.RETURNED}, v.VOIDED, {G}, label="撤销登记", effects=(void,)),
        *two_level_review(v.WAIT_DEPT, v.WAIT_SCHOOL, passed=v.APPROVED, returned=v.RETURNED, rejected=v.REJECTED,
                          wording=AUDIT, checks=(key_fields_agree,), on_pass=(apply_refresh, approve),
                          notify=notify_graduate),
        # 修改去向: the reviewer it waits for changes it in place; the school changes an approved one
        T("edit", v.WAIT_DEPT, v.WAIT_DEPT, {D}, label="修改去向", effects=(apply_changes, hold_graduate, mark_edited),
          notify=notify_graduate),
        T("edit", v.WAIT_SCHOOL, v.WAIT_SCHOOL, {SC}, label="修改去向", effects=(apply_changes, hold_graduate, mark_edited),
          notify=notify_graduate),
        # (at the department's request, at any time: an approved one waits for no one)
        T("edit", v.APPROVED, v.APPROVED, {SC}, label="修改去向", effects=(apply_changes, hold_graduate, mark_edited, report_edit),
          notify=notify_graduate, waits=False),
        # the graduate's own move: no one to tell (reviewers see it in the list's 已作废 and on the timeline)
        T("void", v.APPROVED, v.VOIDED, {G}, label="作废", effects=(void,), waits=False),
        # a 未就业 report gives way when another destination becomes live (seed: 签约中 → 签约成功)
        T("supersede", {*in_flight, v.APPROVED}, v.VOIDED, {SYSTEM}, label="新的毕业去向生效，自动作废", effects=(void,)),
    ]))


REGISTRATION = _table(Registration, REGISTRATION_STATES, registration_get_for, RegistrationStatus,
                      "destination_registration", "去向登记")
PAPER = _table(PaperAgreement, PAPER_STATES, paper_get_for, PaperStatus, "paper_agreement", "补登")

WORKFLOWS = {Registration: REGISTRATION, PaperAgreement: PAPER}


def workflow_of(item) -> Workflow:
    return WORKFLOWS[type(item)]
