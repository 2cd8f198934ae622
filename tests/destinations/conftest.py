"""去向登记 and 补登 plugged into the table-test harness, and builders for the module's tests.

`registration_in(world, state)` and `paper_in(world, state)` walk the real services along the table's
shortest path (`tests/workflow/harness.py`); `act(actor, item, action)` calls the service a page calls for
the move (submit, resubmit and 修改去向 take their data; the rest go through `services.act`).
`valid_data(dtype)` fills every field of a taxonomy type with a value its kind accepts, so each type of
`gradreg/codes/data/destination_types.csv` is registrable from data alone.

Tests that make signings ask for `signing_env` (usually through `pytestmark`), as the signing tests do.
"""
from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from gradreg.accounts.models import Role, User
from gradreg.codes.destinations import DestinationType, FieldSpec, destination_type
from gradreg.codes.loader import code_map
from gradreg.common.ids import make_credit_code
from gradreg.destinations import services
from gradreg.destinations.flows import PAPER, REGISTRATION, TOPIC_REPORTED, TOPIC_VOIDED
from gradreg.destinations.models import DestinationItem, PaperAgreement, Registration
from gradreg.destinations.models import PaperStatus as PS
from gradreg.destinations.models import RegistrationStatus as R
from gradreg.ems.models import Graduate
from gradreg.ems.transfer_modules import ARCHIVE
from gradreg.workflow.engine import T
from gradreg.workflow.models import AuditEvent
from tests import factories as f
from tests.signing.conftest import PDF, PNG, signing_env  # noqa: F401  (signing_env: a fixture)
from tests.workflow.harness import Harness, Plug, graduate_user, recipients_of

E = Role.EMPLOYER
POSTGRADUATE = "study_domestic.postgraduate"
CONTRACT = "contract"
JOB_SEEKING = "unemployed.job_seeking"
SIGNING_IN_PROGRESS = "unemployed.signing"
DIRECTED = "directed"
PAPER_KEY = "paper_agreement"
DIRECTED_UNIT = "某市教育局（定向）"

_n = itertools.count(1)

# readable values for the text fields the taxonomy declares; any other text field gets "示例<label>"
TEXT = {
    "unit_name": "广州某某科技有限公司", "position": "软件工程师", "institution": "中山大学", "major": "软件工程",
    "company_name": "广州某某文化工作室", "licence_no": "440106600123456", "work_content": "自由撰稿、独立设计",
    "paper_no": "2027440100123",
}


# ---- files -------------------------------------------------------------------------------------------

def pdf(name: str = "证明材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def png(name: str = "证明材料.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def stored_files() -> set[str]:
    """Every file in the (in-memory) default storage."""
    def walk(path: str) -> set[str]:
        dirs, files = default_storage.listdir(path)
        found = {f"{path}/{f}".lstrip("/") for f in files}
        for d in dirs:
            found |= walk(f"{path}/{d}".lstrip("/"))
        return found
    try:
        return walk("")
    except FileNotFoundError:
        return set()


# ---- values by kind ---------------------------------------------------------------------------------

def sample_value(spec: FieldSpec, n: int = 0) -> str:
    """A value of `spec`'s kind that its validator accepts."""
    if spec.code_table:
        return next(iter(code_map(spec.code_table)))
    if spec.choices:
        return spec.choices[0]
    if spec.kind == "text":
        return TEXT.get(spec.name, f"示例{spec.label}")
    return {"credit_code": make_credit_code(700 + n), "region": "440106", "country": "US", "date": "2027-07-01",
            "years": "2"}[spec.kind]


def valid_data(dtype: DestinationType, n: int = 0, **over: str) -> dict[str, str]:
    """Every field of the type filled (the optional ones and both sides of an either-or group too)."""
    data = {f.name: sample_value(f, n) for f in dtype.fields}
    if dtype.archive_hukou:
        data |= {"archive_unit": "广州市人才中心", "archive_address": "广州市天河区某路1号"}
    return {**data, **over}


def type_of(key: str) -> DestinationType:
    return destination_type(key, "paper" if key == PAPER_KEY else "registration")


def data_for(key: str, **over: str) -> dict[str, str]:
    return valid_data(type_of(key), next(_n), **over)


# ---- people ------------------------------------------------------------------------------------------

def directed_graduate(world, mode: str = "21", *, unit: str = DIRECTED_UNIT) -> Graduate:
    """A graduate of 计算机学院 with training mode `mode` (21/22/41/42) and EMS's directed unit."""
    g = f.graduate(world.cs, world.cs_major, name=f"定向{mode}", training_mode=mode, directed_unit=unit)
    graduate_user(g)
    return g


# ---- doing things ---------------------------------------------------------------------------------------

def model_of(obj_or_model) -> type[DestinationItem]:
    return obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)


def submit(actor: User, key: str = POSTGRADUATE, *, data: dict[str, str] | None = None, file: Any = "pdf",
           model: type[DestinationItem] | None = None) -> DestinationItem:
    """The graduate's submission through the service (a 补登 when `key` is the paper type)."""
    model = model or (PaperAgreement if key == PAPER_KEY else Registration)
    if file == "pdf":
        file = pdf() if type_of(key).proof else None
    return services.submit(model, actor=actor, type_key=key, data=data if data is not None else data_for(key),
                           file=file)


def edited(item: DestinationItem, **over: str) -> dict[str, str]:
    """The item's own values with one text changed: what a 修改去向 or a resubmission sends."""
    data = {**item.details, **{k: getattr(item, k) for k in ("archive_unit", "archive_address", "hukou_unit",
                                                             "hukou_address")}}
    names = {f.name for f in type_of(item.type_key).fields}
    n = next(_n)
    for name, value in (("major", f"软件工程{n}"), ("position", f"工程师{n}"), ("work_content", f"自由撰稿{n}")):
        if name in names:
            data[name] = value
            break
    return {**data, **over}


def act(actor: User, obj: DestinationItem, action: str, *, reason: str = "理由", category: str = "other"):
    """Perform `action` on the item through the service a page or the API calls for it."""
    model = type(obj)
    if action == "resubmit":
        return services.resubmit(model, actor=actor, pk=obj.pk, data=edited(obj))
    if action == "edit":
        return services.reviewer_edit(model, actor=actor, pk=obj.pk, data=edited(obj), reason=reason)
    return services.act(model, actor=actor, pk=obj.pk, action=action, reason=reason,
                        category=category if action == "reject" else "")


def timeline(obj: DestinationItem) -> list[AuditEvent]:
    workflow = REGISTRATION if isinstance(obj, Registration) else PAPER
    return list(AuditEvent.objects.filter(item_type=workflow.item_type, item_id=obj.pk).order_by("seq"))


def actions(obj: DestinationItem) -> list[str]:
    return [e.action for e in timeline(obj)]


# ---- the two tables, plugged into the harness -------------------------------------------------------------

def _recipients(h: Harness, obj: DestinationItem, actor: User, t: T) -> dict[int, str]:
    """notify_graduate: the graduate's account, titled with the result (or "信息被修改" for 修改去向)."""
    what = "补登" if isinstance(obj, PaperAgreement) else "去向登记"
    part = f"{what}信息被修改" if t.action == "edit" else obj.get_status_display()
    return recipients_of(User.objects.filter(graduate_id=obj.graduate_id), part, actor=actor)


def _hidden(h: Harness, role: str, obj: Any) -> bool:
    """An employer sees no graduate's registration or 补登 (their selector answers as for a missing id)."""
    return role == E and isinstance(obj, DestinationItem)


def _plug(workflow, model: type[DestinationItem], key: str, vocabulary) -> Plug:
    def prepare(h: Harness, options: dict[str, Any]) -> Graduate:
        return options.get("graduate") or h.world.zhangsan

    def creator(h: Harness, graduate: Graduate, options: dict[str, Any]) -> User:
        return graduate_user(graduate)

    def start(h: Harness, actor: User, graduate: Graduate) -> DestinationItem:
        return submit(actor, key, model=model)

    def _act(h: Harness, actor: User, obj, action: str, reason: str, category: str):
        return act(actor, obj, action, reason=reason, category=category)

    v = vocabulary
    return Plug(workflow=workflow, prepare=prepare, creator=creator, start=start, act=_act, hidden=_hidden,
                recipients=_recipients,
                # the approval's 档案 receiving info also registers the graduate's 档案 record (gradreg.archives.flowin)
                emits={("approve", v.APPROVED): (TOPIC_REPORTED, ARCHIVE.topic), ("edit", v.APPROVED): (TOPIC_REPORTED,),
                       ("void", v.VOIDED): (TOPIC_VOIDED,)})


REGISTRATION_PLUG = _plug(REGISTRATION, Registration, POSTGRADUATE, R)
PAPER_PLUG = _plug(PAPER, PaperAgreement, PAPER_KEY, PS)


def registration_in(world, state: str, *, graduate: Graduate | None = None) -> Registration:
    """A 境内升学（考研） registration of `graduate` (张三 by default) brought to `state` through the services."""
    return Harness(world).build(REGISTRATION_PLUG, state, graduate=graduate)


def paper_in(world, state: str, *, graduate: Graduate | None = None) -> PaperAgreement:
    return Harness(world).build(PAPER_PLUG, state, graduate=graduate)


def approve(world, item: DestinationItem) -> DestinationItem:
    """Both levels pass (the item's own department and school users)."""
    h = Harness(world)
    plug = PAPER_PLUG if isinstance(item, PaperAgreement) else REGISTRATION_PLUG
    act(h.actor(plug, Role.DEPARTMENT, item), item, "approve")
    item = act(h.actor(plug, Role.SCHOOL, item), item, "approve")
    item.refresh_from_db()
    return item


@pytest.fixture
def harness(world) -> Harness:
    return Harness(world)
