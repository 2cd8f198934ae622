"""EMS for the department and the school (seed 7): scoped pages, the platform's destination read-only, the edit form."""
from __future__ import annotations

import pytest
from django.test import Client

from gradreg.ems import services
from gradreg.ems.models import DestinationSource, ReportedDestination
from gradreg.ems.panels import training_mode_waiting
from gradreg.ems.sync import apply_event
from tests.conftest import login
from tests.ems.test_sync import signed

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    return login(Client(), user)


def table(html: str) -> str:
    return html.split("毕业生名单</h2>", 1)[1].split("<tbody>", 1)[1]


# ---- who reaches EMS ----------------------------------------------------------------------------------

def test_a_department_user_reaches_ems_home_with_its_own_graduates(world):
    """Guards: EMS answered 403 to department users (seed 7: they work there too)."""
    page = client_for(world.wang).get("/ems/")
    assert page.status_code == 200
    rows = table(page.content.decode())
    assert "张三" in rows and "李四" not in rows and "王五" not in rows
    assert "上传毕业生名单" not in page.content.decode()  # uploading the roster stays the school's


def test_a_school_user_sees_its_school_and_its_uploads(world):
    """Guards: the school's EMS home lists its own roster, not another school's."""
    page = client_for(world.qian).get("/ems/")
    html = page.content.decode()
    assert page.status_code == 200 and "最近的名单上传" in html
    assert "张三" in table(html) and "李四" in table(html) and "王五" not in table(html)


def test_the_roster_search_stays_in_scope(world):
    """Guards: a search cannot widen a department user's scope."""
    rows = table(client_for(world.wang).get("/ems/", {"q": "李四"}).content.decode())
    assert "李四" not in rows
    assert "张三" in table(client_for(world.wang).get("/ems/", {"q": world.zhangsan.exam_no}).content.decode())


@pytest.mark.parametrize("who", ["u_zhangsan", "u_employer", "zhou"])
def test_other_roles_are_refused(world, who):
    """Guards: only department and school users reach the EMS pages."""
    client = client_for(getattr(world, who))
    assert client.get("/ems/").status_code == 403
    assert client.get(f"/ems/graduates/{world.zhangsan.pk}/").status_code == 403


def test_another_departments_or_schools_graduate_is_refused(world):
    """Guards: a department user reads only its department's graduates in EMS, a school only its school's."""
    assert client_for(world.wang).get(f"/ems/graduates/{world.zhangsan.pk}/").status_code == 200
    assert client_for(world.zhao).get(f"/ems/graduates/{world.zhangsan.pk}/").status_code == 404
    assert client_for(world.sun).get(f"/ems/graduates/{world.zhangsan.pk}/").status_code == 404
    assert client_for(world.qian).get(f"/ems/graduates/{world.wangwu.pk}/").status_code == 404


def test_a_department_user_cannot_upload_or_edit_the_roster(world):
    """Guards: opening EMS to departments does not give them the school's roster maintenance."""
    client = client_for(world.wang)
    assert client.get("/ems/import/").status_code == 403
    assert client.get(f"/ems/graduates/{world.zhangsan.pk}/edit/").status_code == 403
    html = client.get(f"/ems/graduates/{world.zhangsan.pk}/").content.decode()
    assert "修改基本信息" not in html


@pytest.mark.parametrize("who,page", [("wang", "/signing/review/"), ("qian", "/roster/"), ("wang", "/roster/"),
                                      ("qian", "/ems/training-mode/")])
def test_every_module_header_offers_ems(world, who, page):
    """Guards: no module's header led department or school users to EMS."""
    html = client_for(getattr(world, who)).get(page).content.decode()
    header = html.split('<header class="topbar">', 1)[1].split("</header>", 1)[0]
    assert 'href="/ems/">前往就业管理系统</a>' in header


def test_graduates_and_employers_get_no_ems_link(world):
    """Guards against over-offering: the link is for the department and the school only."""
    for user in (world.u_zhangsan, world.u_employer, world.zhou):
        assert "前往就业管理系统" not in client_for(user).get("/roster/").content.decode()


# ---- what came from the platform --------------------------------------------------------------------------

def test_the_graduate_page_shows_the_platforms_destination_read_only_with_source_and_time(world):
    """Guards: EMS showed nothing of the destination and signing the platform synced (seed 7)."""
    html = client_for(world.wang).get(f"/ems/graduates/{world.zhangsan.pk}/").content.decode()
    assert "暂无登记系统同步的毕业去向" in html
    apply_event("ems.signing_completed", "signing:7:signed", signed(world.zhangsan))
    held = ReportedDestination.objects.get()
    for user in (world.wang, world.qian):
        html = client_for(user).get(f"/ems/graduates/{world.zhangsan.pk}/").content.decode()
        section = html.split('id="destination"', 1)[1]
        assert "登记系统" in section and "签就业协议形式就业" in section and "某某科技有限公司" in section
        assert "10001-2026-00007" in section and held.reported_at.astimezone().strftime("%Y-%m-%d %H:%M") in section
        assert "只读" in section and "学校用户在登记系统" in section and "修改去向" in section
        assert "<form" not in section and "<input" not in section


def test_a_destination_ems_had_itself_is_shown_without_the_platform_notice(world):
    """Guards against mislabelling: only what the platform sent is called read-only from the platform."""
    apply_event("ems.signing_completed", "k1", signed(world.zhangsan, source=DestinationSource.EMS_UPLOAD.label))
    section = client_for(world.qian).get(f"/ems/graduates/{world.zhangsan.pk}/").content.decode().split(
        'id="destination"', 1)[1]
    assert "就业管理系统上传" in section and "学校用户在登记系统中办理" not in section


def test_invalidation_keeps_what_ems_had_from_its_own_upload(world):
    """Guards: ems.graduate_invalidated drops only what the platform reported."""
    apply_event("ems.signing_completed", "k1", signed(world.zhangsan, source=DestinationSource.EMS_UPLOAD.label))
    apply_event("ems.signing_completed", "k2", signed(world.lisi, 9))
    apply_event("ems.graduate_invalidated", "g1", {"graduate_id": world.zhangsan.pk, "exam_no": world.zhangsan.exam_no})
    apply_event("ems.graduate_invalidated", "g2", {"graduate_id": world.lisi.pk, "exam_no": world.lisi.exam_no})
    assert list(ReportedDestination.objects.values_list("graduate_id", flat=True)) == [world.zhangsan.pk]


# ---- the edit form ---------------------------------------------------------------------------------------

def test_the_edit_form_renders_the_graduation_date_as_iso_for_the_date_input(world):
    """Guards: 毕业时间 was rendered as 2027/06/30 into <input type="date">, which a browser shows empty."""
    html = client_for(world.qian).get(f"/ems/graduates/{world.zhangsan.pk}/edit/").content.decode()
    date = world.zhangsan.graduation_date.isoformat()
    assert f'type="date" name="graduation_date" value="{date}"' in html


# ---- 失效 on the training-mode changes -------------------------------------------------------------------

def _requested(world):
    return services.training_mode_change_request(actor=world.wang, graduate_id=world.zhangsan.pk, to_mode="22",
                                                 directed_unit="广州市某局", reason="录取时为定向")


def test_training_mode_changes_of_an_invalid_graduate_are_marked_and_wait_for_no_one(world):
    """Guards: a frozen 培养方式修改申请 still counted on the school's home and showed no mark."""
    change = _requested(world)
    assert training_mode_waiting(world.qian) == {"waiting": 1}
    services.graduate_invalidate(actor=world.qian, graduate_id=world.zhangsan.pk, reason="退学")
    assert training_mode_waiting(world.qian) == {"waiting": 0}
    rows = client_for(world.qian).get("/ems/training-mode/").content.decode().split("<tbody", 1)[1]
    assert "失效（" in rows
    html = client_for(world.qian).get(f"/ems/training-mode/{change.pk}/").content.decode()
    assert 'class="status bad" title="该毕业生已失效' in html
