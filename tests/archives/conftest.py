"""档案/户口 applications plugged into the table-test harness, and builders for the module's tests.

`application_in(world, state, module=ARCHIVE)` walks the real services along the table's shortest path;
`info(module, **over)` is valid info of the module (张三's 生源所在地 440106 as the region);
`act(actor, item, action)` calls the service a page calls for the move.
"""
from __future__ import annotations

from typing import Any

import pytest

from gradreg.accounts.models import Role, User
from gradreg.archives import services
from gradreg.archives.flows import APPLICATION
from gradreg.archives.models import ApplicationStatus as S
from gradreg.archives.models import TransferApplication
from gradreg.ems.models import Graduate
from gradreg.ems.services import graduate_invalidate
from gradreg.ems.transfer_modules import ARCHIVE, HUKOU, Module, module
from tests import factories as f
from tests.workflow.harness import Harness, Plug, graduate_user, recipients_of

E = Role.EMPLOYER
REGION = "440106"

INFO = {
    "archive": {"transfer_type": "1", "unit_name": "广州市天河区人才服务中心", "address": "广州市天河区天河路1号",
                "region": REGION, "postcode": "510620", "contact": "人事档案科", "phone": "020-38888888"},
    "hukou": {"transfer_type": "1", "address": "广州市天河区天河路1号", "region": REGION,
              "unit_name": "广州市公安局天河区分局天河南派出所"},
}


def info(m: Module = ARCHIVE, **over: str) -> dict[str, str]:
    return {**INFO[m.kind], **over}


def submit(actor: User, m: Module = ARCHIVE, **over: str) -> TransferApplication:
    return services.submit(actor=actor, module=m, data=info(m, **over))


def act(actor: User, obj: TransferApplication, action: str, *, reason: str = "理由", category: str = ""):
    m = module(obj.kind)
    if action == "amend":
        return services.amend(actor=actor, module=m, pk=obj.pk, data=info(m, address="广州市天河区修改后的地址2号"))
    if action == "edit":
        return services.reviewer_edit(actor=actor, module=m, pk=obj.pk,
                                      data=info(m, address=f"广州市天河区审核人员修改{obj.status}"), reason=reason)
    return services.act(actor=actor, module=m, pk=obj.pk, action=action, reason=reason, category=category)


def on_hukou_roster(graduate: Graduate) -> Graduate:
    Graduate.objects.filter(pk=graduate.pk).update(hukou_moved_to_school=True)
    graduate.refresh_from_db()
    return graduate


def _recipients(h: Harness, obj: TransferApplication, actor: User, t) -> dict[int, str]:
    part = "被修改" if t.action == "edit" else obj.get_status_display()
    return recipients_of(User.objects.filter(graduate_id=obj.graduate_id), part, actor=actor)


def _plug(m: Module) -> Plug:
    def prepare(h: Harness, options: dict[str, Any]) -> Graduate:
        graduate = options.get("graduate") or h.world.zhangsan
        return on_hukou_roster(graduate) if m is HUKOU else graduate

    def creator(h: Harness, graduate: Graduate, options: dict[str, Any]) -> User:
        return graduate_user(graduate)

    def start(h: Harness, actor: User, graduate: Graduate) -> TransferApplication:
        return submit(actor, m)

    def _act(h: Harness, actor: User, obj, action: str, reason: str, category: str):
        return act(actor, obj, action, reason=reason, category=category)

    def invalidate(h: Harness, obj) -> None:
        graduate_invalidate(actor=h.world.qian, graduate_id=obj.graduate_id, reason="测试删除")

    return Plug(workflow=APPLICATION, prepare=prepare, creator=creator, start=start, act=_act,
                hidden=lambda h, role, obj: role == E and isinstance(obj, TransferApplication), recipients=_recipients, system={"invalidate": invalidate},
                emits={("approve", S.APPROVED): (m.topic,)})


ARCHIVE_PLUG = _plug(ARCHIVE)
HUKOU_PLUG = _plug(HUKOU)
PLUGS = {"archive": ARCHIVE_PLUG, "hukou": HUKOU_PLUG}


def application_in(world, state: str, *, m: Module = ARCHIVE, graduate: Graduate | None = None) -> TransferApplication:
    return Harness(world).build(PLUGS[m.kind], state, graduate=graduate)


@pytest.fixture
def harness(world) -> Harness:
    return Harness(world)


def pending_applications(world, n: int, *, dept=None, state: str = S.WAIT_DEPT, m: Module = ARCHIVE,
                         graduate_over: dict[str, Any] | None = None, **over: str) -> list[TransferApplication]:
    """`n` applications of new graduates (of `dept`, 计算机学院 by default) in `state`, written directly (no audit
    chain yet: a set move must start their chains), the info `info(m, **over)`."""
    dept = dept or world.cs
    graduates = [f.graduate(dept, **(graduate_over or {}), **({"hukou_moved_to_school": True} if m is HUKOU else {}))
                 for _ in range(n)]
    return TransferApplication.objects.bulk_create([TransferApplication(
        graduate=g, school_id=g.school_id, department_id=g.department_id, graduation_year=g.graduation_year,
        graduate_name=g.name, exam_no=g.exam_no, kind=m.kind, status=state, apply_type="register",
        created_by=graduate_user(g), **info(m, **over)) for g in graduates])
