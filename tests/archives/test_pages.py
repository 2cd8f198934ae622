"""The staff and graduate pages of both modules, through the Django test client: each page renders for
the roles it serves and refuses the others; the moves made from the pages land as the services say."""
from __future__ import annotations

import pytest
from django.urls import reverse

from gradreg.archives.models import ApplicationStatus as S
from gradreg.archives.models import RecordSource, RecordState, TransferApplication, TransferRecord
from gradreg.ems.transfer_modules import ARCHIVE, HUKOU
from gradreg.workflow.models import AuditEvent, OutboxEvent
from tests.conftest import login
from tests.workflow.harness import graduate_user

from .conftest import application_in, info, on_hukou_roster

pytestmark = pytest.mark.django_db

STAFF_PAGES = ("home", "roster_list", "info_list", "application_list", "invalid_list", "statistics")


@pytest.mark.parametrize("m", [ARCHIVE, HUKOU], ids=["archive", "hukou"])
@pytest.mark.parametrize("who", ["wang", "qian"])
def test_staff_pages_render_for_reviewers(client, world, m, who):
    application_in(world, S.WAIT_DEPT, m=m)
    login(client, getattr(world, who))
    for name in STAFF_PAGES:
        r = client.get(reverse(f"{m.url}:{name}"))
        assert r.status_code == 200, name
        assert m.title in r.content.decode(), name


@pytest.mark.parametrize("m", [ARCHIVE, HUKOU], ids=["archive", "hukou"])
def test_staff_pages_refused_to_graduates_and_employers(client, world, m):
    for user in (world.u_employer, world.u_zhangsan):
        login(client, user)
        for name in ("info_list", "application_list", "statistics"):
            assert client.get(reverse(f"{m.url}:{name}")).status_code == 403, (user, name)


def test_info_list_shows_state_of_every_roster_graduate(client, world):
    application_in(world, S.WAIT_DEPT)
    login(client, world.wang)
    page = client.get(reverse("archives:info_list")).content.decode()
    assert "张三" in page and "审核中" in page
    assert "李四" not in page  # another department's graduate
    pending = client.get(reverse("archives:info_list"), {"state": RecordState.PENDING}).content.decode()
    assert "张三" in pending
    none = client.get(reverse("archives:info_list"), {"state": RecordState.NONE}).content.decode()
    assert "张三" not in none


def test_hukou_roster_holds_only_graduates_whose_hukou_moved_to_school(client, world):
    login(client, world.wang)
    page = client.get(reverse("hukou:roster_list")).content.decode()
    assert "张三" not in page
    assert client.get(reverse("hukou:info", args=[world.zhangsan.pk])).status_code == 404
    on_hukou_roster(world.zhangsan)
    page = client.get(reverse("hukou:roster_list")).content.decode()
    assert "张三" in page
    assert client.get(reverse("hukou:info", args=[world.zhangsan.pk])).status_code == 200
    assert "张三" in client.get(reverse("archives:roster_list")).content.decode()


def test_graduate_without_hukou_at_school_cannot_use_the_hukou_module(client, world):
    login(client, world.u_zhangsan)
    r = client.get(reverse("hukou:mine"))
    assert "户口未迁入学校" in r.content.decode()
    r = client.post(reverse("hukou:apply"), info(HUKOU))
    assert r.status_code == 302 and not TransferApplication.objects.exists()


def test_department_registers_directly_without_school_review(client, world):
    login(client, world.wang)
    url = reverse("archives:info_edit", args=[world.zhangsan.pk])
    assert client.get(url).status_code == 200
    r = client.post(url, info(ARCHIVE))
    assert r.status_code == 302
    record = TransferRecord.objects.get(graduate=world.zhangsan, kind="archive")
    assert record.state == RecordState.REGISTERED and record.source == RecordSource.DEPARTMENT
    assert record.unit_name == "广州市天河区人才服务中心"
    assert OutboxEvent.objects.filter(topic=ARCHIVE.topic).count() == 1
    event = AuditEvent.objects.get(item_type=ARCHIVE.item_type, item_id=record.pk)
    assert event.actor_id == world.wang.pk and event.data["changes"]["unit_name"][1] == "广州市天河区人才服务中心"
    # an unchanged save writes nothing and says so
    r = client.post(url, info(ARCHIVE))
    assert r.status_code == 200 and "没有变化" in r.content.decode()
    page = client.get(reverse("archives:info", args=[world.zhangsan.pk])).content.decode()
    assert "已登记" in page and "广州市天河区人才服务中心" in page


def test_direct_edit_reports_every_bad_field_and_writes_nothing(client, world):
    login(client, world.wang)
    url = reverse("archives:info_edit", args=[world.zhangsan.pk])
    bad = info(ARCHIVE, region="999999", postcode="51", phone="12", unit_name="x" * 300, address="a\tb",
               transfer_type="不存在")
    r = client.post(url, bad)
    page = r.content.decode()
    assert r.status_code == 200
    for text in ("不是有效的6位行政区划代码", "邮编应为6位数字", "最多100个字符", "控制字符", "请从档案转递类型中选择"):
        assert text in page, text
    assert not TransferRecord.objects.exists() and not OutboxEvent.objects.exists()


def test_a_nul_byte_is_refused_by_the_validator_not_stripped(world):
    from gradreg.archives import services
    from gradreg.common.errors import Invalid

    with pytest.raises(Invalid) as exc:
        services.write_record(actor=world.wang, module=ARCHIVE, graduate_id=world.zhangsan.pk,
                              data=info(ARCHIVE, address="天河路\x001号"))
    assert "address" in exc.value.errors
    assert not TransferRecord.objects.exists()


def test_other_department_and_school_cannot_open_or_edit(client, world):
    for user in (world.zhao, world.sun):
        login(client, user)
        assert client.get(reverse("archives:info", args=[world.zhangsan.pk])).status_code == 404
        assert client.post(reverse("archives:info_edit", args=[world.zhangsan.pk]), info()).status_code == 404
    item = application_in(world, S.WAIT_DEPT)
    for user in (world.zhao, world.sun):
        login(client, user)
        assert client.get(reverse("archives:application", args=[item.pk])).status_code == 404
        r = client.post(reverse("archives:application_act", args=[item.pk]), {"action": "approve"})
        assert r.status_code == 404
    item.refresh_from_db()
    assert item.status == S.WAIT_DEPT


def test_an_application_of_one_module_is_missing_in_the_other(client, world):
    item = application_in(world, S.WAIT_DEPT)
    login(client, world.wang)
    assert client.get(reverse("hukou:application", args=[item.pk])).status_code == 404


def test_review_page_shows_pending_registered_and_destination(client, world):
    item = application_in(world, S.WAIT_DEPT)
    login(client, world.wang)
    page = client.get(reverse("archives:application", args=[item.pk])).content.decode()
    for text in ("待审核的档案信息", "已上报的档案信息", "毕业去向信息", "审核通过", "审核不通过", "修改信息"):
        assert text in page, text
    assert "不通过原因类别" not in page  # this review asks no category


def test_department_pass_then_school_pass_registers(client, world):
    item = application_in(world, S.WAIT_DEPT)
    login(client, world.wang)
    client.post(reverse("archives:application_act", args=[item.pk]), {"action": "approve"})
    item.refresh_from_db()
    assert item.status == S.WAIT_SCHOOL
    login(client, world.qian)
    client.post(reverse("archives:application_act", args=[item.pk]), {"action": "approve"})
    item.refresh_from_db()
    assert item.status == S.APPROVED
    record = TransferRecord.objects.get(graduate=world.zhangsan, kind="archive")
    assert record.state == RecordState.REGISTERED and record.source == RecordSource.APPLICATION


def test_reject_needs_a_reason_and_the_graduate_reads_it(client, world):
    item = application_in(world, S.WAIT_DEPT)
    login(client, world.wang)
    client.post(reverse("archives:application_act", args=[item.pk]), {"action": "reject", "reason": ""})
    item.refresh_from_db()
    assert item.status == S.WAIT_DEPT
    client.post(reverse("archives:application_act", args=[item.pk]), {"action": "reject", "reason": "所在地与单位不符"})
    item.refresh_from_db()
    assert item.status == S.REJECTED and item.last_reason == "所在地与单位不符"
    assert TransferRecord.objects.get(graduate=world.zhangsan, kind="archive").state == RecordState.NONE
    login(client, graduate_user(world.zhangsan))
    page = client.get(reverse("archives:my_application", args=[item.pk])).content.decode()
    assert "所在地与单位不符" in page


def test_department_edit_of_an_application_still_goes_to_the_school(client, world):
    item = application_in(world, S.WAIT_DEPT)
    login(client, world.wang)
    r = client.post(reverse("archives:application_edit", args=[item.pk]),
                    info(ARCHIVE, unit_name="广州市人才服务中心", reason="单位名称按接收函更正"))
    assert r.status_code == 302
    item.refresh_from_db()
    assert item.status == S.WAIT_DEPT and item.unit_name == "广州市人才服务中心" and item.reviewer_edited_at
    client.post(reverse("archives:application_act", args=[item.pk]), {"action": "approve"})
    item.refresh_from_db()
    assert item.status == S.WAIT_SCHOOL


def test_batch_review_with_mixed_results(client, world):
    from tests import factories as f

    mine = application_in(world, S.WAIT_DEPT)
    other = application_in(world, S.WAIT_DEPT, graduate=f.graduate(world.cs, world.cs_major, name="陈七"))
    later = application_in(world, S.WAIT_SCHOOL, graduate=f.graduate(world.cs, world.cs_major, name="周八"))
    foreign = application_in(world, S.WAIT_DEPT, graduate=world.lisi)
    login(client, world.wang)
    r = client.post(reverse("archives:application_batch"),
                    {"action": "reject", "reason": "请补充接收单位全称", "ids": [mine.pk, other.pk, later.pk, foreign.pk]})
    page = r.content.decode()
    assert r.status_code == 200
    for x in (mine, other, later, foreign):
        x.refresh_from_db()
    assert mine.status == other.status == S.REJECTED and mine.last_reason == "请补充接收单位全称"
    assert later.status == S.WAIT_SCHOOL and foreign.status == S.WAIT_DEPT
    assert "成功 2 条，未成功 2 条" in page
    assert "档案信息管理" in page  # the module's own menu


def test_graduate_applies_amends_and_cancels_on_the_pages(client, world):
    login(client, graduate_user(world.zhangsan))
    assert "未登记" in client.get(reverse("archives:mine")).content.decode()
    r = client.post(reverse("archives:apply"), info(ARCHIVE, region="12"))
    assert r.status_code == 200 and "行政区划代码" in r.content.decode()
    r = client.post(reverse("archives:apply"), info(ARCHIVE))
    item = TransferApplication.objects.get()
    assert r.status_code == 302 and item.apply_type == "register" and item.status == S.WAIT_DEPT
    assert "审核中" in client.get(reverse("archives:mine")).content.decode()
    r = client.post(reverse("archives:my_application_edit", args=[item.pk]), info(ARCHIVE, address="广州市越秀区1号"))
    item.refresh_from_db()
    assert r.status_code == 302 and item.address == "广州市越秀区1号"
    client.post(reverse("archives:my_application_cancel", args=[item.pk]))
    item.refresh_from_db()
    assert item.status == S.CANCELLED
    assert TransferRecord.objects.get(graduate=world.zhangsan, kind="archive").state == RecordState.NONE


def test_after_registration_an_application_is_a_modification(client, world):
    application_in(world, S.APPROVED)
    login(client, graduate_user(world.zhangsan))
    r = client.post(reverse("archives:apply"), info(ARCHIVE, unit_name="深圳市人才服务中心"))
    assert r.status_code == 302
    item = TransferApplication.objects.get(status=S.WAIT_DEPT)
    assert item.apply_type == "modify"
    # the registered info stays in force while the change is reviewed
    assert TransferRecord.objects.get(graduate=world.zhangsan, kind="archive").state == RecordState.REGISTERED


def test_graduate_cannot_amend_once_reviewed_or_see_another_graduates(client, world):
    item = application_in(world, S.WAIT_SCHOOL)
    login(client, graduate_user(world.zhangsan))
    page = client.get(reverse("archives:my_application", args=[item.pk])).content.decode()
    assert "修改申请" not in page.replace("修改申请</h1>", "")
    client.post(reverse("archives:my_application_edit", args=[item.pk]), info(ARCHIVE, address="别处"))
    item.refresh_from_db()
    assert item.address != "别处"
    login(client, world.u_lisi)
    assert client.get(reverse("archives:my_application", args=[item.pk])).status_code == 404


def test_statistics_count_by_department_and_type(client, world):
    application_in(world, S.APPROVED)
    login(client, world.qian)
    page = client.get(reverse("archives:statistics")).content.decode()
    assert "计算机学院" in page and "转回生源地" in page


def test_home_counts_what_waits(client, world):
    application_in(world, S.WAIT_DEPT)
    login(client, world.wang)
    page = client.get(reverse("archives:home")).content.decode()
    assert 'id="wait-total">1<' in page and "下载操作指南" in page


def test_module_page_lists_both_modules(client, world):
    login(client, world.wang)
    page = client.get(reverse("accounts:modules")).content.decode()
    assert reverse("archives:home") in page and reverse("hukou:home") in page


def _sheet(response):
    import io

    from openpyxl import load_workbook

    body = b"".join(response.streaming_content) if response.streaming else response.content
    return [list(r) for r in load_workbook(io.BytesIO(body), read_only=True).active.iter_rows(values_only=True)]


def test_exports_hold_the_rows_of_the_query_with_labels(client, world):
    application_in(world, S.APPROVED)
    f_item = application_in(world, S.WAIT_DEPT, graduate=world.lisi)  # another department's
    login(client, world.wang)
    rows = _sheet(client.get(reverse("archives:info_export")))
    assert rows[0][:3] == ["考生号", "学号", "姓名"]
    zhang = next(r for r in rows if r[2] == "张三")
    assert "已登记" in zhang and "转回生源地" in zhang
    assert not any(r[2] == "李四" for r in rows)
    rows = _sheet(client.get(reverse("archives:application_export"), {"status": ""}))
    assert any(r[1] == "张三" and "审核通过" in r and "登记" in r for r in rows[1:])
    assert not any(r[1] == "李四" for r in rows) and f_item.pk
