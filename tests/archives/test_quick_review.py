"""快速审核 (seed 4.3.2, 档案 only): exactly the applications waiting for this reviewer whose 档案 goes back to
the graduate's 生源地 pass, 院系 then 学校; the school's pass registers each and sends it to EMS."""
from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from gradreg.archives.models import ApplicationStatus as S
from gradreg.archives.models import RecordSource, RecordState, TransferApplication, TransferRecord
from gradreg.archives.quick import quick_review, quick_review_candidates, quick_review_count
from gradreg.common.errors import Forbidden, NotFound
from gradreg.ems.models import Graduate
from gradreg.ems.transfer_modules import ARCHIVE, HUKOU
from gradreg.notifications.models import Message
from gradreg.workflow import audit
from gradreg.workflow.models import AuditEvent, OutboxEvent

from .conftest import application_in, graduate_user, pending_applications, submit

pytestmark = pytest.mark.django_db


def status_of(items) -> list[str]:
    return [TransferApplication.objects.get(pk=i.pk).status for i in items]


@pytest.fixture
def mixture(world):
    """Matching applications of 王老师's department, and one of each kind quick review must leave alone."""
    match = [application_in(world, S.WAIT_DEPT), *pending_applications(world, 3)]
    others = {
        "type": pending_applications(world, 1, transfer_type="2"),
        "region": pending_applications(world, 1, region="440111"),
        "department": pending_applications(world, 1, dept=world.fl),
        "invalid": pending_applications(world, 1),
        "old cohort": pending_applications(world, 1, graduate_over={"graduation_year": 2020}),
        "hukou": pending_applications(world, 1, m=HUKOU),
        "state": pending_applications(world, 1, state=S.REJECTED),
        "other school": pending_applications(world, 1, dept=world.me),
    }
    Graduate.objects.filter(pk=others["invalid"][0].graduate_id).update(is_valid=False)
    return match, others


def test_selects_exactly_the_matching_rows(world, mixture):
    match, others = mixture
    assert sorted(quick_review_candidates(world.wang, ARCHIVE).values_list("pk", flat=True)) == sorted(
        i.pk for i in match)
    assert quick_review_count(world.wang, ARCHIVE) == 4
    assert quick_review(actor=world.wang, module=ARCHIVE, ip="10.1.1.1") == 4
    assert set(status_of(match)) == {S.WAIT_SCHOOL}
    for what, items in others.items():
        expected = S.REJECTED if what == "state" else S.WAIT_DEPT
        assert status_of(items) == [expected], what
    assert quick_review_count(world.wang, ARCHIVE) == 0
    event = AuditEvent.objects.filter(item_id=match[1].pk).get()
    assert event.data == {"quick_review": True} and event.ip == "10.1.1.1"
    assert not OutboxEvent.objects.exists()  # the department's pass sends nothing to EMS


def test_department_then_school_registers_and_sends_to_ems(world, mixture, django_capture_on_commit_callbacks):
    match, _ = mixture
    assert quick_review_count(world.qian, ARCHIVE) == 0  # nothing waits for the school yet
    quick_review(actor=world.wang, module=ARCHIVE)
    assert quick_review_count(world.qian, ARCHIVE) == 4
    with django_capture_on_commit_callbacks(execute=True):
        assert quick_review(actor=world.qian, module=ARCHIVE) == 4
    assert set(status_of(match)) == {S.APPROVED}
    assert all(TransferApplication.objects.get(pk=i.pk).decided_at for i in match)
    for item in match:
        record = TransferRecord.objects.get(graduate_id=item.graduate_id, kind=ARCHIVE.kind)
        assert (record.state, record.source, record.version) == (RecordState.REGISTERED, RecordSource.APPLICATION, 1)
        assert (record.transfer_type, record.region, record.unit_name) == ("1", "440106", item.unit_name)
        assert record.registered_at is not None and record.department_id == item.department_id
        event = OutboxEvent.objects.get(idempotency_key=f"{ARCHIVE.item_type}:{record.pk}:v1")
        assert event.topic == ARCHIVE.topic and event.school_id == world.school.pk
        assert event.payload["graduate_id"] == item.graduate_id and event.payload["version"] == 1
        assert event.payload["exam_no"] == item.exam_no and event.payload["region"] == "440106"
        assert Message.objects.filter(recipient=graduate_user(item.graduate), title="档案信息登记申请：审核通过").exists()
    assert TransferRecord.objects.filter(kind=ARCHIVE.kind).count() == 4
    assert audit.verify_all()[1] == []


def test_a_modification_bumps_the_registered_version(world):
    first = application_in(world, S.APPROVED)  # 张三's info registered through the table (version 1)
    record = TransferRecord.objects.get(graduate=first.graduate, kind=ARCHIVE.kind)
    assert record.version == 1
    submit(graduate_user(world.zhangsan), unit_name="广州市天河区新的人才服务中心")
    quick_review(actor=world.wang, module=ARCHIVE)
    quick_review(actor=world.qian, module=ARCHIVE)
    record.refresh_from_db()
    assert (record.version, record.unit_name, record.state) == (2, "广州市天河区新的人才服务中心", RecordState.REGISTERED)
    assert OutboxEvent.objects.filter(idempotency_key=f"{ARCHIVE.item_type}:{record.pk}:v2").exists()


def test_refusals(world, mixture):
    for actor in (world.u_zhangsan, world.zhou, world.u_employer):
        with pytest.raises(Forbidden):
            quick_review(actor=actor, module=ARCHIVE)
    for actor in (world.wang, world.qian):
        with pytest.raises(NotFound):
            quick_review(actor=actor, module=HUKOU)
        with pytest.raises(NotFound):
            quick_review_count(actor, HUKOU)
    match, others = mixture
    at_school = pending_applications(world, 2, state=S.WAIT_SCHOOL)
    # another school's user: nothing of this school is theirs (their own application waits for its department)
    assert quick_review_count(world.sun, ARCHIVE) == 0
    assert quick_review(actor=world.sun, module=ARCHIVE) == 0
    assert set(status_of(at_school)) == {S.WAIT_SCHOOL}
    assert set(status_of(match)) == {S.WAIT_DEPT} and status_of(others["other school"]) == [S.WAIT_DEPT]


# ---- the page ------------------------------------------------------------------------------------------

def client_of(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_page_shows_the_count_and_passes_on_post(world, mixture):
    url = reverse("archives:quick_review")
    page = client_of(world.wang).get(url)
    assert page.status_code == 200 and "将审核通过 4 条" in page.content.decode()
    r = client_of(world.wang).post(url, follow=True)
    assert r.redirect_chain[-1][0] == url and "快速审核完成：审核通过 4 条" in r.content.decode()
    assert set(status_of(mixture[0])) == {S.WAIT_SCHOOL}
    assert "当前没有符合快速审核条件的申请" in client_of(world.wang).get(url).content.decode()


def test_page_refusals(world, mixture):
    url = reverse("archives:quick_review")
    for user in (world.u_zhangsan, world.u_employer):
        assert client_of(user).get(url).status_code == 403
        assert client_of(user).post(url).status_code == 403
    assert set(status_of(mixture[0])) == {S.WAIT_DEPT}
    assert Client().get(url).status_code == 302  # to the login page
    with pytest.raises(Exception):  # noqa: B017, PT011  (户口 has no 快速审核 URL at all)
        reverse("hukou:quick_review")
