"""Reads of organisations: the employer review queue, an employer's own standing, warned employers (预警单位)."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When

from gradreg.common.errors import Forbidden, NotFound
from gradreg.common.roles import Role
from gradreg.common.versioned_cache import MISSING, VersionedCache

from .models import Employer, EmployerWarning, ReviewStatus, School, WarningCategory

ITEM_TYPE = "employer"  # audit events of an employer's registration and review
EMPLOYER_PAGE_NAME = "organisations:employer_self"  # the employer's own page
WARN_PUBLIC_THRESHOLD = 5

PENDING_MESSAGE = "单位信息正在审核中，审核通过后才能向毕业生发起签约邀请。"
# What a unit must have before it can be reviewed, as (field, label).
REQUIRED_FOR_REVIEW = (
    ("name", "单位名称"), ("nature_code", "单位性质"), ("industry_code", "所属行业"), ("region_code", "单位所在地"),
    ("address", "地址"), ("contact_name", "联系人"), ("contact_phone", "联系电话"), ("licence", "营业执照"),
)

# The review state as a filter.
STATE_Q = {state: Q(review_status=state) for state in ReviewStatus.values}


# --- an employer's own standing -----------------------------------------------------------------

def employer_missing(employer: Employer) -> list[str]:
    """Labels of what the unit still lacks before it can be reviewed (empty when complete)."""
    return [label for name, label in REQUIRED_FOR_REVIEW if not getattr(employer, name)]


def employer_may_edit(employer: Employer) -> bool:
    """The employer corrects its own data after 未通过, or while pending with something missing."""
    state = employer.review_state
    return state == ReviewStatus.REJECTED or (state == ReviewStatus.PENDING and bool(employer_missing(employer)))


def employer_why_not(employer: Employer) -> str:
    """Why this employer cannot invite graduates yet, in Chinese; empty when it can."""
    state = employer.review_state
    if state == ReviewStatus.APPROVED:
        return ""
    missing = employer_missing(employer)
    lacking = f"尚缺：{'、'.join(missing)}。" if missing else ""
    if state == ReviewStatus.REJECTED:
        reason = employer.review_note.rstrip("。.；;，, ") or "未说明原因"
        return f"单位信息审核未通过：{reason}。{lacking}请修改后重新提交，审核通过后才能向毕业生发起签约邀请。"
    if missing:
        return f"单位信息不完整，{lacking}请在“单位信息”页面补充后提交审核，审核通过后才能向毕业生发起签约邀请。"
    return PENDING_MESSAGE


def employer_may_invite(employer: Employer) -> bool:
    return employer.review_state == ReviewStatus.APPROVED


def ensure_employer_may_invite(employer: Employer) -> None:
    """Raise Forbidden with the reason when the employer is not (yet) approved."""
    why = employer_why_not(employer)
    if why:
        raise Forbidden(why, code="employer_not_approved")


def employer_of(actor) -> Employer:
    """The employer an employer user acts for."""
    if not (actor.is_authenticated and actor.role == Role.EMPLOYER and actor.employer_id):
        raise Forbidden("只有用人单位用户可以查看单位信息。")
    return Employer.objects.select_related("reviewed_by").get(pk=actor.employer_id)


# --- the operator's review queue ------------------------------------------------------------------

def ensure_employer_reviewer(actor) -> None:
    if not (actor.is_authenticated and actor.is_active and actor.role == Role.OPERATOR):
        raise Forbidden("只有平台管理员可以审核用人单位。")


def employers_for_review(actor, *, status: str = "", q: str = "") -> QuerySet[Employer]:
    """The review list: pending first, newest registration first; filter by state and name / credit code."""
    ensure_employer_reviewer(actor)
    qs = Employer.objects.all()
    if status in STATE_Q:
        qs = qs.filter(STATE_Q[status])
    q = q.replace("\x00", "").strip()[:200]  # a search term, as on the roster: PostgreSQL refuses NUL bytes
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(credit_code__startswith=q.upper().replace(" ", "")))
    first = Case(When(STATE_Q[ReviewStatus.PENDING], then=Value(0)), default=Value(1), output_field=IntegerField())
    return qs.annotate(pending_first=first).order_by(
        "pending_first", F("registered_at").desc(nulls_last=True), "-pk"
    )


def employer_get_for_review(actor, pk: int) -> Employer:
    ensure_employer_reviewer(actor)
    employer = Employer.objects.select_related("reviewed_by").filter(pk=pk).first()
    if employer is None:
        raise NotFound("未找到该用人单位。")
    return employer


def employer_licence_for(actor, pk: int) -> Employer:
    """The employer whose licence the actor may open: the operator, or the employer's own users."""
    allowed = actor.is_authenticated and actor.is_active and (
        actor.role == Role.OPERATOR or (actor.role == Role.EMPLOYER and actor.employer_id == pk)
    )
    employer = Employer.objects.filter(pk=pk).only("pk", "credit_code", "licence", "licence_content_type").first()
    if not allowed or employer is None or not employer.licence:
        raise NotFound("未找到该营业执照，或您无权查看。")
    return employer


# --- warned employers (预警单位) ---------------------------------------------------------------------

@dataclass(frozen=True)
class EmployerWarningInfo:
    """What one viewer may see of the warnings on one employer; nothing when `warned` is False."""

    employer_id: int
    warned: bool = False
    schools: int = 0
    categories: list[str] = field(default_factory=list)
    by_own_school: bool = False
    note: str = ""  # the viewer's own school's note

    @property
    def explanation(self) -> str:
        if not self.warned:
            return ""
        kinds = "、".join(self.categories)
        if self.schools >= WARN_PUBLIC_THRESHOLD:
            text = f"已有{self.schools}所高校将该单位标记为预警单位（{kinds}）"
            if self.by_own_school:
                text += "，其中包括本校"
        else:
            text = f"本校已将该单位标记为预警单位（{kinds}）"
        if self.note:
            text += f"。本校说明：{self.note}"
        return text + "。签约前请谨慎核实。"


def viewer_school_id(actor) -> int | None:
    """The school whose warnings this user sees: a graduate's own school, a reviewer's school."""
    if not actor.is_authenticated:
        return None
    if actor.role in {Role.DEPARTMENT, Role.SCHOOL}:
        return actor.school_id
    if actor.role == Role.GRADUATE and actor.graduate_id:
        return actor.school_id or actor.graduate.school_id
    return None


# The employers with a live flag (id -> 统一社会信用代码): few, and asked about on every list and detail
# page that names an employer, so a page whose employers are all unflagged needs no query. Invalidated
# by every save and delete of a flag or an employer (`invalidate_warned_employers`, connected in apps.py).
warned_cache = VersionedCache("warned_employer_codes", 600)


def _warned_employers() -> dict[int, str]:
    value, version = warned_cache.get("live")
    if value is MISSING:
        ids = EmployerWarning.objects.filter(revoked_at__isnull=True).values("employer_id")
        value = dict(Employer.objects.filter(pk__in=ids).values_list("pk", "credit_code"))
        warned_cache.set("live", "", version, value)
    return value


def warned_employer_ids() -> set[int]:
    """Ids of the employers that have at least one live (unrevoked) flag, from any school."""
    return set(_warned_employers())


def warned_employers_by_credit_code(credit_codes: Iterable[str]) -> dict[str, int]:
    """Flagged employers named by 统一社会信用代码 (as typed: spaces and case do not matter), code -> id.

    Matches an employer a graduate typed in (线下签约) rather than chose, to show its warnings; only a
    flagged employer's code can carry one, so the others need no lookup.
    """
    codes = {normalise_credit_code(c) for c in credit_codes if c}
    codes.discard("")
    if not codes:
        return {}
    return {code: pk for pk, code in _warned_employers().items() if code in codes}


def invalidate_warned_employers(**kwargs) -> None:
    warned_cache.invalidate("live")


def employer_warnings(*, viewer_school_id: int | None, employer_ids: Iterable[int]) -> dict[int, EmployerWarningInfo]:
    """Warning info for each employer as this viewer may see it, in one query (none when none is flagged).

    A school's warning shows to that school's graduates and reviewers; once WARN_PUBLIC_THRESHOLD or more
    schools flag the same employer it shows to everyone. Below the threshold a viewer learns only of its
    own school's flag (other schools' flags stay private to them).
    """
    ids = {int(i) for i in employer_ids if i is not None}
    out = {i: EmployerWarningInfo(employer_id=i) for i in ids}
    flagged = ids & warned_employer_ids() if ids else ids
    if not flagged:
        return out
    rows = EmployerWarning.objects.filter(employer_id__in=flagged, revoked_at__isnull=True).values_list(
        "employer_id", "school_id", "category", "note"
    )
    by_employer: dict[int, list[tuple[int, int, str, str]]] = defaultdict(list)
    for row in rows:
        by_employer[row[0]].append(row)
    for employer_id, flags in by_employer.items():
        own = next((r for r in flags if viewer_school_id is not None and r[1] == viewer_school_id), None)
        if len({r[1] for r in flags}) >= WARN_PUBLIC_THRESHOLD:
            visible = flags
        elif own is not None:
            visible = [own]
        else:
            continue
        kinds = {r[2] for r in visible}
        out[employer_id] = EmployerWarningInfo(
            employer_id=employer_id,
            warned=True,
            schools=len({r[1] for r in visible}),
            categories=[label for value, label in WarningCategory.choices if value in kinds],
            by_own_school=own is not None,
            note=own[3] if own is not None else "",
        )
    return out


def normalise_credit_code(code: str) -> str:
    return "".join((code or "").split()).upper()


# --- a school's review wording (审核 or 鉴证), shown on every review list page ------------------------

review_labels = VersionedCache("school_review_label", 3600)


def school_review_label(school_id: int) -> str:
    """The school's 审核/鉴证 wording, from the cache; every save or delete of a school retires it
    (`invalidate_school`, connected in apps.py), so a change shows on the next page."""
    label, version = review_labels.get(school_id)
    if label is MISSING:
        label = School.objects.filter(pk=school_id).values_list("review_label", flat=True).first() or "审核"
        review_labels.set(school_id, "", version, label)
    return label


def invalidate_school(sender, instance: School, **kwargs) -> None:
    review_labels.invalidate(instance.pk)
