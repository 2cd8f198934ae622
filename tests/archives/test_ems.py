"""档案/户口 info both ways between the platform and EMS (seed 4.3.1): what the platform registers becomes
EMS's copy; what a department or school changes in EMS flows back and is registered here, exactly once."""
from __future__ import annotations

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gradreg.archives.inbound import receive
from gradreg.archives.models import ApplicationStatus as S
from gradreg.archives.models import ApplicationType, RecordSource, RecordState, TransferRecord
from gradreg.ems.models import DestinationSource, ReportedTransfer
from gradreg.ems.sync import BadEvent, apply_event
from gradreg.ems.transfer_modules import ARCHIVE, HUKOU
from gradreg.ems.transfer_services import ITEM_TYPE, TOPIC_UPDATED
from gradreg.workflow.models import AuditEvent, OutboxEvent, ReceivedEvent
from gradreg.workflow.outbox import deliver_pending
from tests import factories as f
from tests.archives.conftest import REGION, application_in, info, on_hukou_roster, submit
from tests.conftest import login
from tests.test_no_500 import ODD
from tests.workflow.harness import graduate_user

pytestmark = pytest.mark.django_db

EMS_INFO = info(ARCHIVE, transfer_type="3", unit_name="广州市人才交流服务中心", address="广州市越秀区某路8号")


def held(graduate, m=ARCHIVE) -> ReportedTransfer | None:
    return ReportedTransfer.objects.filter(graduate=graduate, kind=m.kind).first()


def record(graduate, m=ARCHIVE) -> TransferRecord | None:
    return TransferRecord.objects.filter(graduate=graduate, kind=m.kind).first()


def edit_url(graduate, m=ARCHIVE) -> str:
    return reverse(f"ems:transfer_{m.kind}_edit", args=[graduate.pk])


def ems_edit(client, user, graduate, m=ARCHIVE, data=None):
    return login(client, user).post(edit_url(graduate, m), data if data is not None else EMS_INFO)


# ---- platform → EMS --------------------------------------------------------------------------------------

def test_an_approved_application_becomes_emss_copy(world):
    application_in(world, S.APPROVED)
    assert held(world.zhangsan) is None  # not before delivery
    assert deliver_pending()["sent"] >= 1
    copy = held(world.zhangsan)
    assert copy.source == DestinationSource.PLATFORM
    assert {n: getattr(copy, n) for n in info()} == info()


def test_emss_copy_is_applied_once_per_key(world):
    application_in(world, S.APPROVED)
    event = OutboxEvent.objects.get(topic=ARCHIVE.topic)
    deliver_pending()
    ReportedTransfer.objects.filter(graduate=world.zhangsan).update(unit_name="EMS 里改过的")
    assert apply_event(event.topic, event.idempotency_key, event.payload) is False
    assert held(world.zhangsan).unit_name == "EMS 里改过的"


@pytest.mark.parametrize("over", [{"kind": "diploma"}, {"region": "12"}, {"graduate_id": 10 ** 9},
                                  {"unit_name": ["不是文本"]}])
def test_a_bad_payload_is_refused(world, over):
    application_in(world, S.APPROVED)
    event = OutboxEvent.objects.get(topic=ARCHIVE.topic)
    with pytest.raises(BadEvent):
        apply_event(event.topic, "another-key", {**event.payload, **over})


# ---- EMS's page -------------------------------------------------------------------------------------------

def test_a_department_edits_in_ems_and_the_platform_registers_it_once(world, client):
    r = ems_edit(client, world.wang, world.zhangsan)
    assert r.status_code == 302
    copy = held(world.zhangsan)
    assert copy.source == DestinationSource.EMS_UPLOAD and copy.unit_name == "广州市人才交流服务中心"
    audit = AuditEvent.objects.get(item_type=ITEM_TYPE, item_id=copy.pk)
    assert (audit.action, audit.actor_id) == ("report", world.wang.pk)
    event = OutboxEvent.objects.get(topic=TOPIC_UPDATED)
    assert event.payload["graduate_id"] == world.zhangsan.pk and event.payload["kind"] == "archive"

    assert deliver_pending()["sent"] == 1
    rec = record(world.zhangsan)
    assert (rec.state, rec.source, rec.version) == (RecordState.REGISTERED, RecordSource.EMS, 1)
    assert (rec.transfer_type, rec.unit_name, rec.region) == ("3", "广州市人才交流服务中心", REGION)
    chain = AuditEvent.objects.filter(item_type=ARCHIVE.item_type, item_id=rec.pk)
    assert [e.action for e in chain] == ["ems_update"]
    # EMS is not told back its own change
    assert not OutboxEvent.objects.filter(topic=ARCHIVE.topic).exists()

    # a redelivery of the same key changes nothing
    assert receive(event.topic, event.idempotency_key, event.payload) is False
    rec.refresh_from_db()
    assert rec.version == 1 and chain.count() == 1
    assert ReceivedEvent.objects.filter(idempotency_key=event.idempotency_key).count() == 1


def test_a_graduates_next_application_after_an_ems_edit_is_a_modification(world, client):
    ems_edit(client, world.qian, world.zhangsan)
    deliver_pending()
    item = submit(graduate_user(world.zhangsan), address="广州市天河区新地址3号")
    assert item.apply_type == ApplicationType.MODIFY


def test_round_trip_platform_then_ems(world, client):
    application_in(world, S.APPROVED)
    deliver_pending()
    assert held(world.zhangsan).source == DestinationSource.PLATFORM
    ems_edit(client, world.wang, world.zhangsan)
    deliver_pending()
    rec = record(world.zhangsan)
    assert (rec.source, rec.version, rec.unit_name) == (RecordSource.EMS, 2, "广州市人才交流服务中心")


def test_an_unchanged_edit_is_refused(world, client):
    ems_edit(client, world.wang, world.zhangsan)
    r = ems_edit(client, world.wang, world.zhangsan)
    assert r.status_code == 200 and "没有变化" in r.content.decode()
    assert OutboxEvent.objects.filter(topic=TOPIC_UPDATED).count() == 1


@pytest.mark.parametrize("over", [{"region": "12"}, {"unit_name": ""}, {"transfer_type": "9"},
                                  {"unit_name": "长" * 300}, {"phone": "=1+1"}])
def test_the_ems_form_reports_each_bad_field(world, client, over):
    r = ems_edit(client, world.wang, world.zhangsan, data={**EMS_INFO, **over})
    assert r.status_code == 200
    assert 'class="field-error"' in r.content.decode()
    assert held(world.zhangsan) is None and not OutboxEvent.objects.exists()


def test_a_nul_byte_is_refused_without_a_server_error(world, client):
    r = ems_edit(client, world.wang, world.zhangsan, data={**EMS_INFO, "address": "某\x00地"})
    assert r.status_code == 400  # the site-wide refusal of NUL bytes
    assert held(world.zhangsan) is None


def test_an_unknown_graduate_fails_visibly(world):
    OutboxEvent.objects.create(topic=TOPIC_UPDATED, idempotency_key="ems_transfer:0:1",
                               payload={"graduate_id": 10 ** 9, "kind": "archive", **EMS_INFO})
    assert deliver_pending()["failed"] == 1
    event = OutboxEvent.objects.get()
    assert "没有该毕业生" in event.last_error and event.status == OutboxEvent.Status.PENDING
    assert not ReceivedEvent.objects.exists()


def test_an_unknown_platform_topic_fails_visibly(world):
    OutboxEvent.objects.create(topic="platform.unknown", idempotency_key="x:1", payload={})
    assert deliver_pending()["failed"] == 1


# ---- scope -----------------------------------------------------------------------------------------------

def test_the_list_shows_the_users_scope(world, client):
    ems_edit(client, world.qian, world.lisi)
    page = login(client, world.wang).get(reverse("ems:transfer_archive_list")).content.decode()
    assert "张三" in page and "李四" not in page and "王五" not in page
    page = login(client, world.qian).get(reverse("ems:transfer_archive_list")).content.decode()
    assert "张三" in page and "李四" in page and "广州市人才交流服务中心" in page and "王五" not in page
    page = login(client, world.qian).get(reverse("ems:transfer_archive_list"), {"q": "李四"}).content.decode()
    assert "李四" in page and "张三" not in page


def test_the_list_is_paginated(world, client):
    r = login(client, world.qian).get(reverse("ems:transfer_archive_list"), {"page": "x"})
    assert r.status_code == 200 and "共 2 条" in r.content.decode()


def test_other_units_and_graduates_are_refused(world, client):
    assert ems_edit(client, world.zhao, world.zhangsan).status_code == 404  # another department
    assert ems_edit(client, world.sun, world.zhangsan).status_code == 404  # another school
    assert ems_edit(client, graduate_user(world.zhangsan), world.zhangsan).status_code == 403
    assert login(client, world.u_employer).get(reverse("ems:transfer_archive_list")).status_code == 403
    assert held(world.zhangsan) is None


def test_the_hukou_page_holds_only_graduates_whose_hukou_moved(world, client):
    page = login(client, world.qian).get(reverse("ems:transfer_hukou_list")).content.decode()
    assert "张三" not in page
    assert ems_edit(client, world.qian, world.zhangsan, HUKOU, info(HUKOU)).status_code == 404
    on_hukou_roster(world.zhangsan)
    assert ems_edit(client, world.qian, world.zhangsan, HUKOU, info(HUKOU)).status_code == 302
    deliver_pending()
    assert record(world.zhangsan, HUKOU).source == RecordSource.EMS


def test_the_ems_menu_links_the_pages(world, client):
    page = login(client, world.wang).get(reverse("ems:transfer_archive_list")).content.decode()
    assert reverse("ems:transfer_hukou_list") in page and 'class="active">档案信息' in page


@pytest.mark.parametrize("who", [None, "u_zhangsan", "u_employer", "wang", "qian", "zhou", "operator"])
def test_the_pages_and_api_answer_odd_input_without_a_server_error(client, world, who):
    """As tests/test_no_500.py, for these pages and operations (and the info list's 登记状态 filter)."""
    if who:
        client.force_login(getattr(world, who))
    urls = [reverse(f"ems:transfer_{m.kind}_{what}", args=args) for m in (ARCHIVE, HUKOU)
            for what, args in (("list", []), ("edit", [world.zhangsan.pk]), ("edit", [10 ** 9]))]
    urls += [f"/api/v1/{m.url}/{path}" for m in (ARCHIVE, HUKOU)
             for path in ("info", f"info/{world.zhangsan.pk}", "info/999999", "applications", "applications/999999")]
    for url, params in itertools.product(urls, ({}, {**ODD, "state": "<script>"})):
        assert client.get(url, params).status_code < 500, (who, url, params)


# ---- both sides changed before either heard of the other: the later change wins on both ------------------

def test_an_ems_edit_then_an_approval_end_with_the_approval_on_both_sides(world, client):
    ems_edit(client, world.wang, world.zhangsan)  # first, undelivered
    application_in(world, S.APPROVED)  # then the school approves the graduate's application
    deliver_pending()
    rec, copy = record(world.zhangsan), held(world.zhangsan)
    assert rec.source == RecordSource.APPLICATION and rec.unit_name == info()["unit_name"]
    assert copy.source == DestinationSource.PLATFORM and copy.unit_name == info()["unit_name"]


def test_an_approval_then_an_ems_edit_end_with_the_ems_edit_on_both_sides(world, client):
    application_in(world, S.APPROVED)  # first, undelivered
    ems_edit(client, world.wang, world.zhangsan)
    deliver_pending()
    rec, copy = record(world.zhangsan), held(world.zhangsan)
    assert rec.source == RecordSource.EMS and rec.unit_name == EMS_INFO["unit_name"]
    assert copy.source == DestinationSource.EMS_UPLOAD and copy.unit_name == EMS_INFO["unit_name"]


def test_the_list_reads_a_page_in_a_fixed_number_of_queries(world, client, django_assert_max_num_queries):
    login(client, world.qian)
    url = reverse("ems:transfer_archive_list")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(30):
        g = f.graduate(world.cs, world.cs_major)
        ReportedTransfer.objects.create(graduate=g, school_id=g.school_id, kind="archive", source="platform",
                                        reported_at=g.created_at, **EMS_INFO)
    with django_assert_max_num_queries(len(few)):
        page = client.get(url).content.decode()
    assert "共 32 条" in page and page.count("广州市人才交流服务中心") == 18  # 张三, 李四 first: none held
