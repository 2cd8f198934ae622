"""The module's core path through the services: register, review, void; a 未就业 report gives way to a signing."""
from __future__ import annotations

import pytest

from gradreg.common.errors import Conflict
from gradreg.destinations import services
from gradreg.destinations.models import Registration, RegistrationStatus
from gradreg.ems.models import ReportedDestination
from gradreg.workflow.models import AuditEvent, OutboxEvent
from gradreg.workflow.outbox import deliver_pending
from tests.signing.conftest import material_pdf

R = RegistrationStatus
POSTGRADUATE = {"institution": "中山大学", "major": "计算机科学与技术", "study_level": "硕士研究生"}


def _approve(world, item):
    services.act(Registration, actor=world.wang, pk=item.pk, action="approve")
    return services.act(Registration, actor=world.qian, pk=item.pk, action="approve")


def test_register_review_and_void(world):
    item = services.submit(Registration, actor=world.u_zhangsan, type_key="study_domestic.postgraduate",
                           data=POSTGRADUATE, file=material_pdf("录取通知书.pdf"))
    assert item.status == R.WAIT_DEPT and item.unit_name == "中山大学" and item.destination_code == "80"
    assert item.proof_sha256 and item.graduate_snapshot["name"] == world.zhangsan.name
    item = _approve(world, item)
    assert item.status == R.APPROVED and item.approved_at
    deliver_pending()
    held = ReportedDestination.objects.get(graduate=world.zhangsan)
    assert (held.source_type, held.source_id, held.destination_code) == ("registration", item.pk, "80")
    assert held.details["institution"] == "中山大学"
    # a second destination is refused while this one is live
    with pytest.raises(Conflict):
        services.submit(Registration, actor=world.u_zhangsan, type_key="freelance",
                        data={"work_content": "自媒体", "work_region": "440106", "start_date": "2026-07-01"},
                        file=material_pdf())
    item = services.act(Registration, actor=world.u_zhangsan, pk=item.pk, action="void")
    assert item.status == R.VOIDED and item.voided_at
    deliver_pending()
    assert not ReportedDestination.objects.filter(graduate=world.zhangsan).exists()
    assert list(AuditEvent.objects.filter(item_type="destination_registration", item_id=item.pk)
                .order_by("seq").values_list("action", flat=True)) == ["submit", "approve", "approve", "void"]
    assert OutboxEvent.objects.filter(topic="ems.destination_voided").count() == 1


def test_a_signing_keeps_its_receiving_info_in_ems(world):
    """The agreement's 档案/户口 receiving info travels with the destination EMS holds (for the 档案/户口 modules)."""
    from gradreg.signing.flows import destination_payload
    from gradreg.signing.models import Signing

    s = Signing(graduate=world.zhangsan, archive_unit="广州市人才服务中心", hukou_address="广州市天河区某路1号",
                graduate_snapshot={})
    payload = destination_payload(s)
    assert payload["archive_unit"] == "广州市人才服务中心" and payload["hukou_address"] == "广州市天河区某路1号"
