"""核验授权 and the 档案/户口信息核验列表 (seed 6.1, SPEC 4.9): the graduate, 确认无误 and through 实人认证
(`identity`), authorises verification and gets a 核验编号, shown to them alone.

核验状态 is read, never stored: 未确认 without a grant or after an important change ended it (`ended_at`),
生效中 until `expires_at` (`windows.grant_expiry`: `VERIFICATION_GRANT_DAYS` after authorising), then 已过期;
the graduate may authorise again at any time, which replaces the code (the old one stops verifying). The
public window of a 核验编号 (graduation date + 6 months, `windows.verify_code_until`) is separate: it is the
look-up's to check; authorising is refused once it has closed, since the code could verify nothing.

The roster's cohort gate does not apply: agencies ask after graduation, often after last year's cohort has
closed (31 January), and the graduate authorises for them; the 核验 window is the limit instead. A 失效
graduate may not authorise. The code never leaves this module except to the graduate: staff lists, the
preview, the export and the staff API read other columns, and the audit event keeps no code.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.utils import timezone

from gradreg.common import registries as reg
from gradreg.common.errors import Conflict, DomainError, Forbidden, NotFound, ReadOnly, get_in_scope
from gradreg.common.roles import Role
from gradreg.ems.models import Graduate, ReportedDestination
from gradreg.ems.selectors import graduates_visible_to
from gradreg.ems.transfer_modules import MODULES
from gradreg.workflow import audit

from . import codeformat, windows
from . import confirmation as conf
from .identity import IdentityProvider, Started, get_provider
from .models import Confirmation, ConfirmationStatus, SheetKind, VerificationGrant
from .sheets import Sheet, sheet_for

ITEM_TYPE = "verification_grant"
STAFF = frozenset({Role.DEPARTMENT, Role.SCHOOL})
GRADUATE = frozenset({Role.GRADUATE})
MISSING = "未找到该毕业生，或您无权查看。"
NO_CODE_NOTE = "核验编号由毕业生本人授权生成，仅毕业生本人可见"
LIST_TITLES = {SheetKind.ARCHIVE: "档案信息核验列表", SheetKind.HUKOU: "户口信息核验列表"}


class GrantStatus:
    UNCONFIRMED = "unconfirmed"
    ACTIVE = "active"
    EXPIRED = "expired"
    choices = ((UNCONFIRMED, "未确认"), (ACTIVE, "生效中"), (EXPIRED, "已过期"))


GS = GrantStatus
LABELS = dict(GS.choices)
TONES = {GS.UNCONFIRMED: "off", GS.ACTIVE: "ok", GS.EXPIRED: "wait"}


def status_of(grant: VerificationGrant | None, now: dt.datetime | None = None) -> str:
    if grant is None or grant.ended_at is not None:
        return GS.UNCONFIRMED
    return GS.ACTIVE if grant.expires_at > (now or timezone.now()) else GS.EXPIRED


def status_expression(now: dt.datetime | None = None) -> Case:
    """`status_of` in SQL over a Graduate queryset (one LEFT JOIN to the grant)."""
    return Case(When(Q(verification_grant__isnull=True) | Q(verification_grant__ended_at__isnull=False),
                     then=Value(GS.UNCONFIRMED)),
                When(verification_grant__expires_at__gt=now or timezone.now(), then=Value(GS.ACTIVE)),
                default=Value(GS.EXPIRED), output_field=CharField())


def ensure_graduate(actor) -> None:
    if actor.role != Role.GRADUATE or not actor.graduate_id:
        raise Forbidden("只有毕业生本人可以进行核验授权。")


def ensure_staff(actor) -> None:
    if actor.role not in STAFF:
        raise Forbidden("只有院系、学校用户可以查看核验列表。")


def my_graduate(actor) -> Graduate:
    ensure_graduate(actor)
    return Graduate.objects.select_related("school", "department", "major").get(pk=actor.graduate_id)


def grant_of(graduate: Graduate) -> VerificationGrant | None:
    return VerificationGrant.objects.filter(school_id=graduate.school_id, graduate_id=graduate.pk).first()


# ---- who may authorise ----------------------------------------------------------------------------------

def confirmation_status(graduate: Graduate) -> str:
    reported = ReportedDestination.objects.filter(school_id=graduate.school_id, graduate_id=graduate.pk).exists()
    stored = (Confirmation.objects.filter(school_id=graduate.school_id, graduate_id=graduate.pk)
              .values_list("status", flat=True).first())
    return conf.status_of(reported, stored)


def refusal(graduate: Graduate, confirm_status: str) -> Exception | None:
    """Why the graduate may not authorise now (None: they may)."""
    if not graduate.is_valid:
        return ReadOnly("您已从就业管理系统名单中删除（失效），不能进行核验授权。")
    last_day = windows.verify_code_until(graduate.graduation_date)
    if not windows.is_open(last_day):
        return ReadOnly(f"核验编号的在线核验服务期已于{last_day:%Y年%m月%d日}截止（毕业时间加六个月），不能再进行核验授权。")
    if confirm_status != ConfirmationStatus.CORRECT:
        label = conf.LABELS[confirm_status]
        return Conflict(f"核验授权需先完成登记确认且确认本人信息无误（当前登记确认状态：{label}）。"
                        "请先到“登记确认信息”核对并确认无误。")
    return None


def ensure_may_authorise(graduate: Graduate) -> None:
    error = refusal(graduate, confirmation_status(graduate))
    if error is not None:
        raise error


# ---- the graduate's two steps ---------------------------------------------------------------------------

def start_identity_check(*, actor, channel: Any, ip: str | None = None) -> Started:
    """实人认证, step one: the provider sends its code (only to a graduate who may authorise)."""
    graduate = my_graduate(actor)
    ensure_may_authorise(graduate)
    return get_provider().start(graduate, channel=channel if isinstance(channel, str) else "", ip=ip)


def authorise(actor, *, id_number: Any, code: Any, ip: str | None = None) -> VerificationGrant:
    """实人认证, step two, then 核验授权: a new 核验编号 and QR token, valid `VERIFICATION_GRANT_DAYS`."""
    graduate = my_graduate(actor)
    ensure_may_authorise(graduate)  # before the code is spent on a refusal it cannot change
    provider = get_provider()
    result = provider.finish(graduate, id_number=id_number, code=code, ip=ip)
    if not result.passed:
        # its counts are committed: finish keeps them in their own transaction
        raise result.error or DomainError("实人认证未通过，请重试。", code="identity_failed")
    with transaction.atomic():
        graduate = Graduate.objects.select_for_update(of=("self",)).get(pk=graduate.pk)
        ensure_may_authorise(graduate)
        grant = (VerificationGrant.objects.select_for_update()
                 .filter(school_id=graduate.school_id, graduate_id=graduate.pk).first())
        before, renewed = status_of(grant), grant is not None
        now = timezone.now()
        grant = grant or VerificationGrant(graduate=graduate)
        grant.school_id, grant.department_id = graduate.school_id, graduate.department_id
        grant.code, grant.qr_token = codeformat.new_code(), codeformat.new_qr_token()
        grant.provider = result.provider
        grant.granted_at, grant.expires_at = now, windows.grant_expiry(now)
        grant.ended_at, grant.ended_reason = None, ""
        grant.save()
        audit.record(item_type=ITEM_TYPE, item_id=grant.pk, actor=actor, action="authorise",
                     action_label="核验授权", from_state=before, to_state=GS.ACTIVE, ip=ip,
                     data={"provider": result.provider, "expires_at": grant.expires_at.isoformat(),
                           "renewed": renewed},
                     school_id=grant.school_id)
    return grant


# ---- important changes end the grant --------------------------------------------------------------------

def end_grants(kind: str, changes: Iterable[tuple[int, Iterable[str]]], school_id: int | None = None) -> int:
    """An important change of what the graduate confirmed ends their grant (核验状态 back to 未确认), in the
    change's transaction: one locked SELECT, one UPDATE and one audit write whatever the number of graduates."""
    fields_of: dict[int, set[str]] = {}
    for graduate_id, fields in changes:
        fields_of.setdefault(graduate_id, set()).update(fields)
    reason = f"{conf.KIND_LABELS.get(kind, kind)}的重要字段已变更"
    return _end(fields_of, reason, "重要信息变更，核验授权终止", school_id,
                lambda graduate_id: {"kind": kind, "fields": sorted(fields_of[graduate_id])})


def end_on_wrong(confirmation: Confirmation, status: str) -> None:
    """A `conf.CONFIRMED_HOOKS` hook: 确认有误 withdraws what the grant was given on, so the grant ends."""
    if status == ConfirmationStatus.WRONG:
        _end({confirmation.graduate_id: set()}, "毕业生确认登记信息有误", "确认有误，核验授权终止",
             confirmation.school_id, lambda graduate_id: {"confirmation": confirmation.pk})


def on_destination_cleared(graduate: Graduate) -> None:
    """A `gradreg.ems.sync.CLEARED_HOOKS` hook: EMS no longer holds the destination the graduate confirmed (a
    void, a termination, 失效), so the grant ends, as 登记确认 reads 未上报."""
    _end({graduate.pk: set()}, "就业管理系统中的毕业去向已清除", "毕业去向已清除，核验授权终止", graduate.school_id,
         lambda graduate_id: {"cleared": True})


def _end(graduate_ids, reason: str, label: str, school_id: int | None, data) -> int:
    if not graduate_ids:
        return 0
    with transaction.atomic(savepoint=False):
        scoped = VerificationGrant.objects.filter(school_id=school_id) if school_id is not None \
            else VerificationGrant.objects
        live = list(scoped.select_for_update().filter(graduate_id__in=list(graduate_ids), ended_at__isnull=True)
                    .order_by("pk").only("pk", "graduate_id", "school_id", "expires_at", "ended_at"))
        if not live:
            return 0
        now = timezone.now()
        VerificationGrant.objects.filter(school_id__in={g.school_id for g in live}, pk__in=[g.pk for g in live]) \
            .update(ended_at=now, ended_reason=reason)
        audit.record_many([
            {"item_type": ITEM_TYPE, "item_id": g.pk, "school_id": g.school_id, "action": "end",
             "action_label": label, "from_state": status_of(g, now), "to_state": GS.UNCONFIRMED, "reason": reason,
             "data": data(g.graduate_id)}
            for g in live], actor=None)
    return len(live)


# ---- the graduate's page ----------------------------------------------------------------------------------

@dataclass
class Mine:
    """The graduate's 核验授权 as their page and the API show it. `code` only while 生效中."""

    graduate: Graduate
    grant: VerificationGrant | None
    status: str
    confirm_status: str
    provider: IdentityProvider
    pending: Started | None
    refusal: Exception | None

    @property
    def status_label(self) -> str:
        return LABELS[self.status]

    @property
    def status_class(self) -> str:
        return TONES[self.status]

    @property
    def confirm_label(self) -> str:
        return conf.LABELS[self.confirm_status]

    @property
    def active(self) -> bool:
        return self.status == GS.ACTIVE

    @property
    def code(self) -> str:
        return self.grant.code if self.active and self.grant else ""

    @property
    def code_shown(self) -> str:
        return codeformat.grouped(self.code) if self.code else ""

    @property
    def may_authorise(self) -> bool:
        return self.refusal is None

    @property
    def public_until(self) -> dt.date:
        return windows.verify_code_until(self.graduate.graduation_date)

    def kinds(self) -> list[str]:
        return [k for k in SheetKind.values if MODULES[k].on_roster(self.graduate)]

    def sheets(self) -> list[Sheet]:
        if not self.code:
            return []
        return [sheet_for(self.graduate, k).with_code("verify", self.grant.code, self.grant.qr_token)
                for k in self.kinds()]


def mine(actor) -> Mine:
    graduate = my_graduate(actor)
    grant = grant_of(graduate)
    confirm_status = confirmation_status(graduate)
    provider = get_provider()
    error = refusal(graduate, confirm_status)
    return Mine(graduate, grant, status_of(grant), confirm_status, provider,
                provider.pending(graduate) if error is None else None, error)


def graduate_panel(user) -> dict | None:
    """The graduate's home: their 核验状态 and the link (two small queries)."""
    if user.role != Role.GRADUATE or not user.graduate_id:
        return None
    graduate = Graduate.objects.filter(pk=user.graduate_id).only("school_id").first()
    if graduate is None:
        return None
    status = status_of(grant_of(graduate))
    return {"status_label": LABELS[status], "status_class": TONES[status], "active": status == GS.ACTIVE}


# ---- staff reads ------------------------------------------------------------------------------------------

def sheet_kind(kind: Any) -> str:
    if kind not in SheetKind.values:
        raise NotFound("没有这个核验列表。")
    return kind


def graduates_of(actor, kind: str) -> QuerySet[Graduate]:
    """The valid graduates of the staff user's scope on the sheet's roster (户口: those whose 户口 moved to the
    school), each with its 核验状态 (`grant_status`) and 登记确认状态 (`confirm_status`)."""
    ensure_staff(actor)
    kind = sheet_kind(kind)
    return (graduates_visible_to(actor).filter(MODULES[kind].roster_q(), is_valid=True)
            .annotate(grant_status=status_expression(), confirm_status=conf.status_expression()))


def search(actor, kind: str, f: conf.Filters) -> QuerySet[Graduate]:
    return conf.narrow(graduates_of(actor, kind), f, "grant_status")


# never the code: these are all the columns a staff list, its export and the staff API read
LIST_FIELDS = ("id", "exam_no", "name", "graduation_year", "grant_status", "confirm_status")


def rows(qs: QuerySet) -> QuerySet:
    return qs.values(*LIST_FIELDS, department_name=F("department__name"),
                     granted_at=F("verification_grant__granted_at"), expires_at=F("verification_grant__expires_at"))


def decorate(rows_: list[dict], user) -> None:
    for r in rows_:
        status = r["grant_status"]
        r["status_label"], r["status_class"] = LABELS[status], TONES[status]
        r["confirm_label"] = conf.LABELS[r["confirm_status"]]
        if status == GS.UNCONFIRMED:  # an ended grant's times are history, not the current authorisation
            r["granted_at"] = r["expires_at"] = None


def preview(actor, kind: Any, graduate_id: Any) -> tuple[Graduate, Sheet]:
    """查询: the graduate's sheet as it stands, without a code (staff of the graduate's scope)."""
    ensure_staff(actor)
    kind = sheet_kind(kind)
    qs = graduates_visible_to(actor).filter(MODULES[kind].roster_q()).select_related("school", "department", "major")
    graduate = get_in_scope(qs, graduate_id, MISSING)
    return graduate, sheet_for(graduate, kind)


def register_pages() -> None:
    """The module's entry of 选择功能模块, its 核验 menu entries and the graduate's home panel."""
    reg.register_module(reg.ModuleEntry("handover", "户档转递与核验信息", "管理毕业生的户档转递与核验信息",
                                        STAFF | GRADUATE, "handover:home", 50))
    reg.register_nav(
        reg.NavEntry("handover", "grants_archive", LIST_TITLES[SheetKind.ARCHIVE], "handover:grants_archive", 10,
                     active="grants_archive", roles=STAFF),
        reg.NavEntry("handover", "grants_hukou", LIST_TITLES[SheetKind.HUKOU], "handover:grants_hukou", 20,
                     active="grants_hukou", roles=STAFF),
        reg.NavEntry("handover", "mine", "核验授权", "handover:mine", 10, active="mine", roles=GRADUATE),
    )
    reg.register_panel(reg.HomePanel(reg.GRADUATE_HOME, "handover", "verification/_grant_panel.html",
                                     graduate_panel, 50))
