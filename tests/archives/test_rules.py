"""The rules of seed 4 no table says: 失效 (4.4) unlike 3.6, one open application, 登记/修改, the
hukou roster, the cohort gate, the important-field signal, EMS events with their keys."""
from __future__ import annotations

import pytest
import time_machine

from gradreg.archives import services
from gradreg.archives.models import ApplicationStatus as S
from gradreg.archives.models import RecordState, TransferApplication, TransferRecord
from gradreg.common.errors import Conflict, DomainError, NotFound, ReadOnly
from gradreg.ems.services import graduate_restore
from gradreg.ems.transfer_modules import ARCHIVE, HUKOU
from gradreg.workflow.models import AuditEvent, OutboxEvent
from tests import factories as f
from tests.workflow.harness import graduate_user

from .conftest import application_in, info, on_hukou_roster, submit

pytestmark = pytest.mark.django_db


def _invalidate(world, graduate):
    from gradreg.ems.services import graduate_invalidate

    graduate_invalidate(actor=world.qian, graduate_id=graduate.pk, reason="名单更正删除")


def test_invalidation_rejects_pending_applications_and_deactivates_registered_info(world):
    registered = application_in(world, S.APPROVED)  # 张三's archive info is registered
    other = f.graduate(world.cs, world.cs_major, name="陈七")
    pending = application_in(world, S.WAIT_SCHOOL, graduate=other)
    on_hukou_roster(other)
    hukou = application_in(world, S.WAIT_DEPT, m=HUKOU, graduate=other)
    _invalidate(world, world.zhangsan)
    _invalidate(world, other)
    for item in (pending, hukou):
        item.refresh_from_db()
        assert item.status == S.REJECTED and "失效" in item.last_reason
        assert AuditEvent.objects.filter(item_type="transfer_application", item_id=item.pk, action="invalidate").exists()
    record = TransferRecord.objects.get(graduate=world.zhangsan, kind="archive")
    assert record.state == RecordState.NONE and record.inactive_at is not None
    assert record.unit_name  # kept for the history, no longer in force
    assert TransferRecord.objects.get(graduate=other, kind="archive").state == RecordState.NONE
    registered.refresh_from_db()
    assert registered.status == S.APPROVED  # a decided application stays as decided


def test_after_restoring_the_graduate_registers_again(world):
    application_in(world, S.APPROVED)
    _invalidate(world, world.zhangsan)
    graduate_restore(actor=world.qian, graduate_id=world.zhangsan.pk)
    record = TransferRecord.objects.get(graduate=world.zhangsan, kind="archive")
    assert record.state == RecordState.NONE  # nothing restored (seed 4.4)
    item = submit(graduate_user(world.zhangsan))
    assert item.apply_type == "register"


def test_an_invalid_graduate_can_do_nothing(world):
    item = application_in(world, S.WAIT_DEPT)
    _invalidate(world, world.zhangsan)
    with pytest.raises(ReadOnly):
        submit(graduate_user(world.zhangsan))
    with pytest.raises(ReadOnly):
        services.write_record(actor=world.wang, module=ARCHIVE, graduate_id=world.zhangsan.pk, data=info())
    item.refresh_from_db()
    assert item.status == S.REJECTED


def test_one_open_application_per_module(world):
    user = graduate_user(world.zhangsan)
    submit(user)
    with pytest.raises(Conflict):
        submit(user)
    on_hukou_roster(world.zhangsan)
    submit(user, HUKOU)  # the other module is its own
    assert TransferApplication.objects.count() == 2


def test_a_modification_that_changes_nothing_is_refused(world):
    application_in(world, S.APPROVED)
    with pytest.raises(DomainError, match="没有变化"):
        submit(graduate_user(world.zhangsan))


def test_hukou_module_refuses_a_graduate_whose_hukou_is_not_at_school(world):
    with pytest.raises(Conflict, match="户口未迁入学校"):
        submit(graduate_user(world.zhangsan), HUKOU)
    with pytest.raises(NotFound):
        services.write_record(actor=world.wang, module=HUKOU, graduate_id=world.zhangsan.pk, data=info(HUKOU))


def test_past_cohorts_are_read_only(world):
    old = f.graduate(world.cs, world.cs_major, name="往届生", graduation_year=2025)
    with pytest.raises(ReadOnly, match="往届"):
        services.write_record(actor=world.wang, module=ARCHIVE, graduate_id=old.pk, data=info())
    last = f.graduate(world.cs, world.cs_major, name="上届生", graduation_year=2026)
    services.write_record(actor=world.wang, module=ARCHIVE, graduate_id=last.pk, data=info())  # until 31 January
    with time_machine.travel("2027-02-01 10:00 +0800"), pytest.raises(ReadOnly, match="1月31日"):
        services.write_record(actor=world.wang, module=ARCHIVE, graduate_id=last.pk, data=info(unit_name="某中心"))


def test_registration_sends_ems_event_with_a_key_per_version(world):
    application_in(world, S.APPROVED)
    record = TransferRecord.objects.get(graduate=world.zhangsan, kind="archive")
    services.write_record(actor=world.wang, module=ARCHIVE, graduate_id=world.zhangsan.pk,
                          data=info(unit_name="深圳市人才服务中心"))
    events = list(OutboxEvent.objects.filter(topic=ARCHIVE.topic).order_by("id"))
    assert [e.idempotency_key for e in events] == [f"archive_record:{record.pk}:v1", f"archive_record:{record.pk}:v2"]
    assert events[1].payload["unit_name"] == "深圳市人才服务中心" and events[1].payload["exam_no"] == world.zhangsan.exam_no


def test_important_field_changes_are_told_and_others_are_not(world, signals):
    application_in(world, S.APPROVED)
    first = [s for s in signals if s["kind"] == "archive"]
    assert first and set(first[-1]["fields"]) == {"transfer_type", "unit_name", "address", "region"}
    signals.clear()
    services.write_record(actor=world.wang, module=ARCHIVE, graduate_id=world.zhangsan.pk,
                          data=info(contact="档案室"))  # not an important field
    assert not [s for s in signals if s["kind"] == "archive"]
    services.write_record(actor=world.wang, module=ARCHIVE, graduate_id=world.zhangsan.pk,
                          data=info(contact="档案室", region="440103"))
    told = [s for s in signals if s["kind"] == "archive"]
    assert told and told[-1]["fields"] == ["region"] and told[-1]["graduate"] == world.zhangsan


def test_a_department_registration_leaves_a_pending_application_to_its_reviewers(world):
    item = application_in(world, S.WAIT_DEPT)
    services.write_record(actor=world.wang, module=ARCHIVE, graduate_id=world.zhangsan.pk, data=info())
    item.refresh_from_db()
    assert item.status == S.WAIT_DEPT
    assert TransferRecord.objects.get(graduate=world.zhangsan, kind="archive").state == RecordState.REGISTERED


def test_graduates_and_employers_cannot_write_records(world):
    from gradreg.common.errors import Forbidden

    for user in (world.u_zhangsan, world.u_employer, world.zhou):
        with pytest.raises(Forbidden):
            services.write_record(actor=user, module=ARCHIVE, graduate_id=world.zhangsan.pk, data=info())


def test_records_and_open_applications_follow_the_graduate_to_another_department(world):
    from gradreg.ems.services import graduate_update

    application_in(world, S.APPROVED)
    item = application_in(world, S.WAIT_DEPT, m=HUKOU, graduate=on_hukou_roster(world.zhangsan))
    graduate_update(actor=world.qian, graduate_id=world.zhangsan.pk,
                    changes={"department": world.fl, "major": world.fl_major})
    assert TransferRecord.objects.get(graduate=world.zhangsan, kind="archive").department_id == world.fl.pk
    item.refresh_from_db()
    assert item.department_id == world.fl.pk  # now waiting for 外国语学院's reviewers


def test_the_graduate_s_home_shows_the_modules_registration_state(client, world):
    from django.urls import reverse

    from tests.conftest import login

    application_in(world, S.WAIT_DEPT)
    login(client, graduate_user(world.zhangsan))
    page = client.get(reverse("roster:self")).content.decode()
    assert "档案信息：审核中" in page and "户口信息：" not in page
    on_hukou_roster(world.zhangsan)
    assert "户口信息：未登记" in client.get(reverse("roster:self")).content.decode()
