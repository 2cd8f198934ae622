"""档案/户口 receiving info registered with a live destination flows into the two modules (seed 4.3.1, last
paragraph), never over info registered another way."""
from __future__ import annotations

import pytest

from gradreg.archives import services
from gradreg.archives.models import RecordSource, RecordState, TransferRecord
from gradreg.destinations.models import Registration
from gradreg.destinations.models import RegistrationStatus as R
from gradreg.ems.transfer_modules import ARCHIVE, HUKOU
from gradreg.ems.transfer_validation import type_code
from gradreg.roster.changes import tell_many
from gradreg.signing.models import Signing
from gradreg.signing.models import SigningStatus as SS
from gradreg.workflow.models import AuditEvent, OutboxEvent
from tests.archives.conftest import info, on_hukou_roster
from tests.destinations.conftest import CONTRACT, approve, data_for, registration_in
from tests.destinations.conftest import act as destination_act
from tests.destinations.conftest import submit as destination_submit
from tests.signing.conftest import act as signing_act
from tests.signing.conftest import signing_env, signing_in  # noqa: F401  (signing_env: a fixture)
from tests.workflow.harness import graduate_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("signing_env")]

ARCHIVE_UNIT, ARCHIVE_ADDRESS = "广州市人才中心", "广州市天河区某路1号"  # tests/destinations/conftest.py valid_data


def record(graduate, m=ARCHIVE) -> TransferRecord | None:
    return TransferRecord.objects.filter(graduate=graduate, kind=m.kind).first()


def chain(rec: TransferRecord, m=ARCHIVE) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(item_type=m.item_type, item_id=rec.pk).order_by("seq"))


def sent(m=ARCHIVE) -> list[OutboxEvent]:
    return list(OutboxEvent.objects.filter(topic=m.topic))


def signed_with(world, **receiving: str) -> Signing:
    """An offline signing waiting for the school, given receiving info, then approved by the school."""
    s = signing_in(world, SS.UPLOAD_WAIT_SCHOOL, online=False)
    Signing.objects.filter(pk=s.pk).update(**receiving)
    s.refresh_from_db()
    signing_act(world.qian, s, "approve")
    s.refresh_from_db()
    assert s.status == SS.SIGNED
    return s


def test_a_completed_signing_flows_in(world):
    s = signed_with(world, archive_unit="某某科技有限公司人事部", archive_address="广州市天河区天河路1号")
    rec = record(world.zhangsan)
    assert (rec.state, rec.source, rec.version) == (RecordState.REGISTERED, RecordSource.DESTINATION, 1)
    assert rec.transfer_type == type_code(ARCHIVE, "签约单位接收")
    assert (rec.unit_name, rec.address, rec.region) == ("某某科技有限公司人事部", "广州市天河区天河路1号",
                                                        s.employer_region)
    assert [e.action for e in chain(rec)] == ["destination"]
    assert chain(rec)[0].data["source_type"] == "signing"
    [event] = sent()
    assert event.payload["unit_name"] == "某某科技有限公司人事部" and event.payload["graduate_id"] == world.zhangsan.pk
    assert record(world.zhangsan, HUKOU) is None  # 户口 not at the school


def test_a_signing_without_receiving_info_registers_nothing(world):
    signed_with(world)
    assert record(world.zhangsan) is None and not sent()


def test_an_approved_registration_flows_in(world):
    item = approve(world, registration_in(world, R.WAIT_DEPT))  # 境内升学（考研）, with 档案 receiving info
    assert item.status == R.APPROVED
    rec = record(world.zhangsan)
    assert (rec.state, rec.source) == (RecordState.REGISTERED, RecordSource.DESTINATION)
    assert rec.transfer_type == type_code(ARCHIVE, "升学外校接收")
    # a 升学 destination says no region: left for the department to complete
    assert (rec.unit_name, rec.address, rec.region) == (ARCHIVE_UNIT, ARCHIVE_ADDRESS, "")
    assert chain(rec)[0].data == {"source_type": "registration", "source_id": item.pk,
                                  "changes": {"transfer_type": ["", "4"], "unit_name": ["", ARCHIVE_UNIT],
                                              "address": ["", ARCHIVE_ADDRESS]}}
    assert len(sent()) == 1


def test_an_employment_registration_carries_its_region_and_the_hukou(world):
    on_hukou_roster(world.zhangsan)
    data = data_for(CONTRACT, hukou_unit="天河南派出所", hukou_address="广州市天河区天河南路2号")
    item = approve(world, destination_submit(graduate_user(world.zhangsan), CONTRACT, data=data))
    rec = record(world.zhangsan)
    assert rec.transfer_type == type_code(ARCHIVE, "签约单位接收") and rec.region == item.region != ""
    hukou = record(world.zhangsan, HUKOU)
    assert (hukou.transfer_type, hukou.unit_name, hukou.address, hukou.region) == (
        type_code(HUKOU, "迁往就业单位"), "天河南派出所", "广州市天河区天河南路2号", item.region)
    assert len(sent(HUKOU)) == 1


def test_a_department_registered_record_is_kept(world):
    services.write_record(actor=world.wang, module=ARCHIVE, graduate_id=world.zhangsan.pk, data=info(ARCHIVE))
    approve(world, registration_in(world, R.WAIT_DEPT))
    rec = record(world.zhangsan)
    assert (rec.source, rec.version, rec.unit_name) == (RecordSource.DEPARTMENT, 1, info()["unit_name"])
    assert len(sent()) == 1  # the department's own registration only


def test_a_later_live_destination_replaces_one_registered_from_a_destination(world):
    item = approve(world, registration_in(world, R.WAIT_DEPT))
    destination_act(graduate_user(world.zhangsan), item, "void")
    assert record(world.zhangsan).version == 1  # a void does nothing
    contract = approve(world, destination_submit(graduate_user(world.zhangsan), CONTRACT,
                                                  data=data_for(CONTRACT, archive_unit="某公司人事部")))
    rec = record(world.zhangsan)
    assert (rec.version, rec.unit_name, rec.region) == (2, "某公司人事部", contract.region)
    assert rec.transfer_type == type_code(ARCHIVE, "签约单位接收")


def test_a_void_does_nothing(world):
    item = approve(world, registration_in(world, R.WAIT_DEPT))
    before = (record(world.zhangsan).version, len(chain(record(world.zhangsan))), len(sent()))
    destination_act(graduate_user(world.zhangsan), item, "void")
    item.refresh_from_db()
    assert item.status == R.VOIDED
    assert (record(world.zhangsan).version, len(chain(record(world.zhangsan))), len(sent())) == before


def test_a_pending_registration_does_not_flow_in(world):
    registration_in(world, R.WAIT_SCHOOL)
    assert record(world.zhangsan) is None


def test_malformed_receiving_info_is_not_taken_over(world):
    item = registration_in(world, R.WAIT_DEPT)
    Registration.objects.filter(pk=item.pk).update(archive_unit="长" * 150)  # longer than the module allows
    approve(world, item)
    assert record(world.zhangsan) is None


def test_the_bulk_signal_flows_live_destinations_in_and_ignores_records(world):
    s = signing_in(world, SS.UPLOAD_WAIT_SCHOOL, online=False)
    Signing.objects.filter(pk=s.pk).update(archive_unit="某某科技有限公司人事部", archive_address="广州市天河区天河路1号")
    tell_many(TransferRecord, kind=ARCHIVE.kind, changes=[(world.zhangsan.pk, 0, ["unit_name"])])
    tell_many(Signing, kind="destination", changes=[(world.zhangsan.pk, s.pk, ["archive_unit"])])  # not live
    assert record(world.zhangsan) is None
    tell_many(Signing, kind="destination", changes=[(world.zhangsan.pk, s.pk, ["archive_unit"])], live=True)
    rec = record(world.zhangsan)
    assert (rec.state, rec.source, rec.unit_name) == (RecordState.REGISTERED, RecordSource.DESTINATION,
                                                      "某某科技有限公司人事部")
    assert [e.action for e in chain(rec)] == ["destination"] and len(sent()) == 1
