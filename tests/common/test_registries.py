"""The registries apps fill in their apps.py: module page, menus, home panels, API routers, outbox receivers.

Each test also shows that a module adds itself without editing the page, the snippet or gradreg/api.
"""
from __future__ import annotations

import pytest
from django.urls import reverse

from gradreg.common import api as common_api
from gradreg.common import registries as reg
from gradreg.common.registries import HomePanel, ModuleEntry, NavEntry
from gradreg.workflow import outbox
from gradreg.workflow.models import OutboxEvent
from tests.conftest import login

# The module page as it stood before the registry, role by role (department users work in EMS too, seed 7).
MODULE_PAGE = {
    "department": ["毕业去向登记与网签", "档案信息管理", "户口信息管理", "登记确认信息", "户档转递与核验信息",
                   "就业管理系统"],
    "school": ["毕业去向登记与网签", "档案信息管理", "户口信息管理", "登记确认信息", "户档转递与核验信息",
               "就业管理系统", "EMS 投递", "账号管理"],
    "graduate": ["毕业去向登记与网签", "档案信息管理", "户口信息管理", "登记确认信息", "户档转递与核验信息"],
    "employer": ["毕业去向登记与网签", "单位信息"],
    "province": ["培养方式修改审核"],
    "operator": ["用人单位审核", "EMS 投递", "账号管理"],
}


@pytest.fixture
def scratch(monkeypatch):
    """Registries a test may add to; the apps' own entries are restored afterwards."""
    for name in ("MODULES", "NAV", "PANELS"):
        monkeypatch.setattr(reg, name, dict(getattr(reg, name)))
    monkeypatch.setattr(outbox, "RECEIVERS", dict(outbox.RECEIVERS))


@pytest.mark.parametrize("role", sorted(MODULE_PAGE))
def test_module_page_lists_the_registered_modules_in_order(role):
    user = type("U", (), {"role": role})()
    assert [m.title for m in reg.modules_for(user)] == MODULE_PAGE[role]


def test_a_placeholder_never_hides_the_built_module(scratch):
    reg.register_module(ModuleEntry("archives", "档案信息管理", "…", frozenset({"school"}), "roster:home", 20))
    reg.register_module(ModuleEntry("archives", "档案信息管理", "…", frozenset({"school"}), None, 20))
    assert reg.MODULES["archives"].url_name == "roster:home"


def test_a_new_module_appears_on_the_module_page(client, world, scratch):
    reg.register_module(ModuleEntry("statistics", "统计分析", "毕业去向统计", frozenset({"school"}), "ems:home", 65))
    html = login(client, world.qian).get(reverse("accounts:modules")).content.decode()
    assert html.index("就业管理系统") < html.index("统计分析") < html.index("账号管理")


def test_menu_entries_follow_role_and_order(world):
    assert [e.label for e in reg.nav_for(reg.REGISTRATION_MENU, world.wang)] == [
        "首页", "学生名单管理", "在线签约管理", "补登管理", "解约管理", "去向登记管理", "失效信息管理", "培养方式修改记录"]
    assert [e.label for e in reg.nav_for(reg.REGISTRATION_MENU, world.u_zhangsan)] == [
        "首页", "我的签约", "我的毕业去向", "登记毕业去向", "补登纸质协议", "申请电子就业协议书"]
    assert [e.label for e in reg.nav_for(reg.REGISTRATION_MENU, world.u_employer)] == [
        "首页", "签约管理", "发起签约邀请", "单位信息"]
    assert [e.label for e in reg.nav_for(reg.EMS_MENU, world.qian)] == [
        "首页", "毕业生名单上传", "毕业去向上传", "学生列表", "培养方式修改申请", "档案信息", "户口信息", "前往登记系统"]


def test_a_new_entry_shows_in_the_menu_and_is_highlighted_on_its_page(client, world, scratch):
    reg.register_nav(NavEntry(reg.REGISTRATION_MENU, "archives", "档案管理", "roster:invalid", 55,
                              active="invalid", roles=frozenset({"department"})))
    html = login(client, world.wang).get(reverse("roster:invalid")).content.decode()
    assert '<a href="/roster/invalid/" class="active">档案管理</a>' in html
    assert html.index("失效信息管理") < html.index("档案管理") < html.index("培养方式修改记录")
    assert "档案管理" not in login(client, world.qian).get(reverse("roster:invalid")).content.decode()


def test_home_panels_render_in_order_and_skip_those_with_nothing_to_show(client, world, scratch):
    reg.register_panel(HomePanel(reg.STAFF_HOME, "archives", "ems/_home_waiting.html",
                                 lambda user: {"waiting": 7}, 5))
    reg.register_panel(HomePanel(reg.STAFF_HOME, "hukou", "ems/_home_waiting.html", lambda user: None, 6))
    # "guide": 下载操作指南, first on every module home
    assert [p.key for p in reg.panels_for(reg.STAFF_HOME, world.qian)] == ["guide", "archives", "training_mode",
                                                                          "signing", "destinations"]
    assert [p.key for p in reg.panels_for(reg.STAFF_HOME, world.wang)] == ["guide", "archives", "signing",
                                                                          "destinations"]
    html = login(client, world.qian).get(reverse("roster:home")).content.decode()
    assert "<strong>7</strong></a> 条待处理" in html
    assert html.index("<strong>7</strong>") < html.index('id="wait-signing"')


def test_the_graduate_page_shows_the_signing_panel(client, world):
    html = login(client, world.u_zhangsan).get(reverse("roster:home")).content.decode()
    assert "<h2>签约</h2>" in html and reverse("signing:apply") in html


def test_api_mounts_the_registered_routers_with_their_operation_ids(client):
    orders = [r.order for r in common_api.registered_routers()]
    assert orders == sorted(orders) and len(orders) == 15
    schema = client.get("/api/v1/openapi.json").json()
    ids = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    # operation ids keep the names they had before each module took its API file
    assert {"gradreg_api_auth_csrf", "gradreg_api_roster_graduate_list", "gradreg_api_training_mode_change_list",
            "gradreg_api_employers_employer_register"} <= ids
    assert {op["tags"][0] for path in schema["paths"].values() for op in path.values()} == {
        "auth", "roster", "training-mode", "employers", "signing", "termination", "destination", "paper-agreement",
        "archive", "hukou", "confirmation", "verification", "outbox"}


def _event(topic: str) -> OutboxEvent:
    return OutboxEvent(topic=topic, idempotency_key=f"k:{topic}", payload={})


def test_local_delivery_goes_to_the_receiver_registered_for_the_topic(scratch):
    got = []
    outbox.register_receiver("archives", lambda topic, key, payload: got.append((topic, key)))
    outbox.local_transport(_event("archives.transferred"))
    assert got == [("archives.transferred", "k:archives.transferred")]
    assert outbox.RECEIVERS["ems"].__module__ == "gradreg.ems.sync"  # registered by the EMS app
    with pytest.raises(outbox.DeliveryError, match="hukou"):
        outbox.local_transport(_event("hukou.moved"))
