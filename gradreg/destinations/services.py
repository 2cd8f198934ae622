"""Writes of 去向登记 and 补登: every page, API operation and command calls these, which call the engine."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from gradreg.common.errors import Conflict, DomainError, Forbidden
from gradreg.common.roles import Role
from gradreg.common.uploads import check_upload, store_upload
from gradreg.ems.models import Graduate
from gradreg.roster.gates import ensure_may_file_destination
from gradreg.roster.review import refresh_info
from gradreg.workflow import engine
from gradreg.workflow.items import graduate_scope

from .flows import WORKFLOWS
from .models import DestinationItem, PaperAgreement, Registration
from .selectors import ensure_graduate, paper_get_for, registration_get_for, visible_to
from .validation import clean_destination, resolve_type

GET_FOR = {Registration: registration_get_for, PaperAgreement: paper_get_for}
EDITABLE = ("type_key", "destination_type", "subtype", "destination_code", "unemployed", "details", "unit_name",
            "credit_code", "region", "archive_unit", "archive_address", "hukou_unit", "hukou_address")
PAPER_KEY = "paper_agreement"  # the taxonomy's one 补登 type (module "paper")


def _proof(dtype, file, *, required: bool):
    """The proof the type asks for (jpg/png/pdf, sniffed, capped); a type asking none takes none."""
    if not dtype.proof:
        return None
    return check_upload(file, field="proof", required=required)


@contextmanager
def _stored(upload) -> Iterator[dict[str, str] | None]:
    """Store a checked upload for a move; if the move is refused the file goes too."""
    if upload is None:
        yield None
        return
    name = store_upload(upload, folder="destination")
    try:
        yield {"file": name, "content_type": upload.content_type, "sha256": upload.sha256}
    except BaseException:
        default_storage.delete(name)
        raise


def _clean(dtype, data: dict[str, Any], graduate) -> dict[str, Any]:
    """The training-mode gate speaks before the fields (a 非定向 graduate asking for the 定向/委培 supplement is
    told they may not file it, not that EMS holds no directed unit); the table's move checks it again."""
    ensure_may_file_destination(graduate, dtype.type)
    return clean_destination(dtype, data, graduate=graduate)


def _one_current(run, what: str):
    """A second current item caught by the partial unique index (a concurrent request the lock did not see)."""
    try:
        with transaction.atomic():
            return run()
    except IntegrityError:
        raise Conflict(f"您已有正在办理或已生效的{what}，不能同时办理两份。", code="live_destination") from None


def _model_key(model, type_key: str) -> tuple[str, str]:
    return (PAPER_KEY, "paper") if model is PaperAgreement else (type_key, "registration")


def submit(model: type[DestinationItem], *, actor, type_key: str = "", data: dict[str, Any], file=None,
           ip: str | None = None) -> DestinationItem:
    """The graduate registers a destination (or a 补登): its type's fields, its proof, for review."""
    ensure_graduate(actor)
    key, module = _model_key(model, type_key)
    dtype = resolve_type(key, module)
    graduate = Graduate.objects.select_related("school", "department", "major").get(pk=actor.graduate_id)
    clean = _clean(dtype, data, graduate)
    upload = _proof(dtype, file, required=True)
    workflow = WORKFLOWS[model]
    fields = {**clean, **graduate_scope(graduate), "created_by": actor}
    with _stored(upload) as proof:
        return _one_current(lambda: engine.start(workflow, actor=actor, lock=graduate, action="submit", fields=fields,
                                                 data={"proof": proof} if proof else {}, ip=ip),
                            "补登" if model is PaperAgreement else "去向登记")


def _changes(item: DestinationItem, clean: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in clean.items() if k in EDITABLE and getattr(item, k) != v}


def _audit_changes(changes: dict[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in changes.items()}


def resubmit(model: type[DestinationItem], *, actor, pk: int, type_key: str = "", data: dict[str, Any],
             file=None, ip: str | None = None) -> DestinationItem:
    """After 撤回 or 退回修改: the graduate's corrected destination (the type may change), for review again."""
    item = GET_FOR[model](actor, pk)
    key, module = _model_key(model, type_key or item.type_key)
    dtype = resolve_type(key, module)
    clean = _clean(dtype, data, item.graduate)
    # a new file replaces the proof; a type newly asking for one needs one
    upload = _proof(dtype, file, required=not item.proof_file)
    changes = _changes(item, clean)
    with _stored(upload) as proof:
        data_out: dict[str, Any] = {"changes": changes, "changed": _audit_changes(changes)}
        if proof:
            data_out["proof"] = proof  # the old file goes when the move commits (record_proof)
        return _one_current(lambda: engine.perform(WORKFLOWS[model], actor=actor, pk=pk, action="resubmit",
                                                   data=data_out, ip=ip), "去向")


def reviewer_edit(model: type[DestinationItem], *, actor, pk: int, type_key: str = "", data: dict[str, Any],
                  reason: str = "", ip: str | None = None) -> DestinationItem:
    """修改去向: a reviewer changes the type and fields directly (recorded as theirs; the graduate is told)."""
    item = GET_FOR[model](actor, pk)  # scope first: a missing or foreign item answers as missing
    if actor.role not in (Role.DEPARTMENT, Role.SCHOOL):
        raise Forbidden("只有院系、学校审核人员可以修改去向。")
    key, module = _model_key(model, type_key or item.type_key)
    dtype = resolve_type(key, module)
    clean = _clean(dtype, data, item.graduate)
    if dtype.proof and not item.proof_file:
        raise DomainError(f"该去向类型需要{dtype.proof}，学生尚未上传，请退回修改由学生补充。", code="proof_required",
                          field="type_key")
    changes = _changes(item, clean)
    if not changes:
        raise DomainError("去向信息没有变化。", code="unchanged")
    return _one_current(lambda: engine.perform(WORKFLOWS[model], actor=actor, pk=pk, action="edit", reason=reason,
                                               data={"changes": changes, "changed": _audit_changes(changes)}, ip=ip),
                        "去向")


def act(model: type[DestinationItem], *, actor, pk: int, action: str, reason: str = "", category: str = "",
        ip: str | None = None) -> DestinationItem:
    """Every other move (withdraw, abandon, void, and the reviews): the table decides who may (the platform's
    own supersede is no one's: the engine refuses it as any move of another role).

    The engine reads the item through the module's scoped selector before anything else, so a missing or
    foreign item answers as missing; none of these moves makes a second current item (no unique index to
    catch), so the move is the engine's one read and one savepoint.
    """
    if action in {"submit", "resubmit", "edit"}:  # these carry data: their own services
        GET_FOR[model](actor, pk)  # but scope first: a missing or foreign item answers as missing
        raise DomainError(f"未知操作：{action}", code="unknown_action")
    data = {"category": category} if category else {}
    return engine.perform(WORKFLOWS[model], actor=actor, pk=pk, action=action, reason=reason, data=data, ip=ip)


def registration_act(**kw) -> Registration:
    return act(Registration, **kw)


def paper_act(**kw) -> PaperAgreement:
    return act(PaperAgreement, **kw)


def refresh(model: type[DestinationItem], *, actor, pk: int, ip: str | None = None) -> dict[str, str]:
    """获取最新学生信息 on an item waiting for this reviewer; applied when the review passes."""
    with transaction.atomic():
        item = GET_FOR[model](actor, pk, for_update=True)
        return refresh_info(workflow=WORKFLOWS[model], item=item, actor=actor, ip=ip)


def mine(model: type[DestinationItem], actor):
    """The graduate's own items, newest first."""
    ensure_graduate(actor)
    return visible_to(model, actor).order_by("-updated_at", "-id")
